#pragma once
// Output pieces `volume`, `volumes`, `network` and `system` share, as docker prints them.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mycompose/common/human_size.hpp"
#include "commands/pull_progress.hpp"
#include "engine_client.hpp"
#include "mycompose/common/error.hpp"
#include "mycompose/daemon/engine.hpp"

namespace mycompose::cli::sys_output {

// Docker's tables go through Go's tabwriter (minwidth 10, padding 3): each column but the
// last is as wide as its widest cell plus 3, and at least 10.
inline void print_table(const std::vector<std::vector<std::string>>& rows, std::ostream& out = std::cout) {
  std::vector<std::size_t> width;
  for (const auto& row : rows)
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (width.size() <= i) width.push_back(0);
      width[i] = std::max(width[i], std::max<std::size_t>(row[i].size() + 3, 10));
    }
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i)
      line += i + 1 < row.size() ? row[i] + std::string(width[i] - row[i].size(), ' ') : row[i];
    out << line << "\n";
  }
}

// "[y/N]" on stdin, as docker's prune commands ask without -f.
inline bool confirm(const std::string& warning) {
  std::cout << warning << "\nAre you sure you want to continue? [y/N] " << std::flush;
  std::string answer;
  std::getline(std::cin, answer);
  return answer == "y" || answer == "Y" || answer == "yes" || answer == "Yes";
}

// The subset of Go templates `--format` is used with in scripts: text with {{.Field}},
// {{.Field.Key}}, {{json .Field}} and {{index .Labels "key"}} taken from the object.
inline std::string render_template(const std::string& tmpl, const nlohmann::ordered_json& obj) {
  auto field = [&](std::string path) -> nlohmann::ordered_json {
    nlohmann::ordered_json v = obj;
    if (!path.empty() && path[0] == '.') path.erase(0, 1);
    std::size_t at = 0;
    while (!path.empty() && at != std::string::npos) {
      auto dot = path.find('.', at);
      std::string key = path.substr(at, dot == std::string::npos ? std::string::npos : dot - at);
      if (!v.is_object() || !v.contains(key)) return nullptr;
      v = v[key];
      at = dot == std::string::npos ? dot : dot + 1;
    }
    return v;
  };
  auto text = [](const nlohmann::ordered_json& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_null()) return std::string("<no value>");
    if (v.is_object()) {
      std::string s = "map[";
      bool first = true;
      for (const auto& [k, x] : v.items()) {
        s += (first ? "" : " ") + k + ":" + (x.is_string() ? x.get<std::string>() : x.dump());
        first = false;
      }
      return s + "]";
    }
    return v.dump();
  };
  std::string out;
  std::size_t pos = 0;
  while (true) {
    auto open = tmpl.find("{{", pos);
    if (open == std::string::npos) break;
    auto close = tmpl.find("}}", open);
    if (close == std::string::npos) throw Error("template: unclosed action in \"" + tmpl + "\"");
    out += tmpl.substr(pos, open - pos);
    std::string action = tmpl.substr(open + 2, close - open - 2);
    while (!action.empty() && action.front() == ' ') action.erase(0, 1);
    while (!action.empty() && action.back() == ' ') action.pop_back();
    if (action.rfind("json ", 0) == 0) {
      out += field(action.substr(5)).dump();
    } else if (action.rfind("index ", 0) == 0) {
      auto q = action.find('"');
      auto base = action.substr(6, q == std::string::npos ? std::string::npos : q - 6);
      while (!base.empty() && base.back() == ' ') base.pop_back();
      std::string key = q == std::string::npos ? "" : action.substr(q + 1, action.rfind('"') - q - 1);
      auto m = field(base);
      out += m.is_object() && m.contains(key) ? text(m[key]) : std::string("<no value>");
    } else if (!action.empty() && action[0] == '.') {
      out += text(field(action));
    } else {
      throw Error("template: unsupported action {{" + action + "}} (use {{.Field}}, {{json .Field}} or {{index .Field \"key\"}})");
    }
    pos = close + 2;
  }
  return out + tmpl.substr(pos);
}

// --filter key=value pairs; `allowed` names the keys the command takes.
inline std::multimap<std::string, std::string> parse_filters(const std::vector<std::string>& filters,
                                                             const std::vector<std::string>& allowed) {
  std::multimap<std::string, std::string> out;
  for (const auto& f : filters) {
    auto eq = f.find('=');
    if (eq == std::string::npos) throw Error("bad format of filter (expected name=value)");
    std::string key = f.substr(0, eq);
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) throw Error("invalid filter '" + key + "'");
    out.emplace(key, f.substr(eq + 1));
  }
  return out;
}

// label=KEY or label=KEY=VALUE against a label map.
inline bool label_matches(const std::map<std::string, std::string>& labels, const std::string& filter) {
  auto eq = filter.find('=');
  auto it = labels.find(filter.substr(0, eq));
  if (it == labels.end()) return false;
  return eq == std::string::npos || it->second == filter.substr(eq + 1);
}

using mycompose::human_size;  // Docker's units.HumanSize

inline std::filesystem::path state_root() { return std::filesystem::absolute(daemon::default_root()); }

// A streamed engine operation (ProjectServices::run): its last line, or Error with the
// engine's message.
inline nlohmann::json engine_op(const std::string& method, const std::string& path, const nlohmann::json& body = nlohmann::json::object()) {
  EngineClient c = EngineClient::connect(state_root());
  nlohmann::json last;
  c.stream(method, path, [&](const nlohmann::json& line) {
    last = line;
    return true;
  }, &body);
  if (last.contains("error")) throw Error(last["error"].get<std::string>());
  return last;
}

}  // namespace mycompose::cli::sys_output
