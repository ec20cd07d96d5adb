// "METHOD /path/{param}" → handler.
#include <algorithm>

#include "mycompose/common/json_limits.hpp"
#include "mycompose/daemon/server.hpp"

namespace mycompose::daemon {
namespace {

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < path.size()) {
    if (path[pos] == '/') {
      ++pos;
      continue;
    }
    std::size_t end = path.find('/', pos);
    if (end == std::string_view::npos) end = path.size();
    out.emplace_back(path.substr(pos, end - pos));
    pos = end;
  }
  return out;
}

bool is_param(const std::string& seg) { return seg.size() > 2 && seg.front() == '{' && seg.back() == '}'; }

}  // namespace

const std::string& Request::param(const std::string& name) const {
  auto it = params.find(name);
  if (it == params.end()) throw Error("route has no parameter {" + name + "}");
  return it->second;
}

nlohmann::json Request::json_body() const {
  if (msg.body.empty()) return nlohmann::json::object();
  try {
    return parse_json_bounded(msg.body);
  } catch (const JsonTooDeep& e) {
    throw HttpError(400, std::string("request body refused: ") + e.what());
  } catch (const nlohmann::json::parse_error& e) {
    throw HttpError(400, std::string("request body is not JSON: ") + e.what());
  }
}

void Router::add(std::string_view route, Handler handler) {
  auto sp = route.find(' ');
  if (sp == std::string_view::npos || sp == 0 || sp + 1 >= route.size() || route[sp + 1] != '/')
    throw Error("malformed route \"" + std::string(route) + "\" (expected \"METHOD /path\")");
  Route r{std::string(route.substr(0, sp)), split_path(route.substr(sp + 1)), std::move(handler)};
  for (const auto& seg : r.segments)
    if ((seg.find('{') != std::string::npos || seg.find('}') != std::string::npos) && !is_param(seg))
      throw Error("malformed route \"" + std::string(route) + "\": a parameter is a whole segment like {id}");
  for (auto& existing : routes_) {
    if (existing.method == r.method && existing.segments == r.segments) {
      existing.handler = std::move(r.handler);
      return;
    }
  }
  routes_.push_back(std::move(r));
}

Router::Match Router::match(std::string_view method, std::string_view path) const {
  std::vector<std::string> segs = split_path(path);
  Match m;
  m.status = 404;
  // Literal segments win over parameters: the best match has the most literal segments.
  int best_score = -1;
  for (const auto& r : routes_) {
    if (r.segments.size() != segs.size()) continue;
    std::map<std::string, std::string> params;
    int score = 0;
    bool ok = true;
    for (std::size_t i = 0; i < segs.size() && ok; ++i) {
      if (is_param(r.segments[i])) params[r.segments[i].substr(1, r.segments[i].size() - 2)] = segs[i];
      else if (r.segments[i] == segs[i]) ++score;
      else ok = false;
    }
    if (!ok) continue;
    if (r.method != method) {
      if (!m.handler) m.status = 405;
      continue;
    }
    if (score > best_score) {
      best_score = score;
      m.handler = &r.handler;
      m.params = std::move(params);
      m.status = 0;
    }
  }
  return m;
}

std::vector<std::string> Router::routes() const {
  std::vector<std::string> out;
  for (const auto& r : routes_) {
    std::string s = r.method + " ";
    for (const auto& seg : r.segments) s += "/" + seg;
    if (r.segments.empty()) s += "/";
    out.push_back(s);
  }
  return out;
}

}  // namespace mycompose::daemon
