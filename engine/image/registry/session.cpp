#include "registry/session.hpp"

#include <nlohmann/json.hpp>

#include "mycompose/common/json_limits.hpp"
#include "mycompose/common/error.hpp"

namespace mycompose::image::registry {

Session::Session(std::string domain, std::string repository, std::string actions,
                 std::optional<Credentials> credentials)
    : domain_(std::move(domain)),
      repository_(std::move(repository)),
      actions_(std::move(actions)),
      origin_(registry_origin(domain_)),
      creds_(std::move(credentials)) {
  if (!creds_) creds_ = load_credentials(domain_);
}

Url Session::url(const std::string& suffix) const {
  return Url::parse(origin_ + "/v2/" + (repository_.empty() ? "" : repository_ + suffix));
}

std::string Session::current_auth() {
  std::lock_guard lock(mu_);
  return authorization_;
}

void Session::authenticate(HttpClient& http) {
  HttpRequest req;
  req.url = Url::parse(origin_ + "/v2/");
  HttpResponse r;
  try {
    r = http.send(req);
  } catch (const Error& e) {
    throw Error(domain_ + ": " + e.what());
  }
  if (r.ok()) return;
  if (r.status != 401) throw Error(domain_ + ": GET " + req.url.str() + ": " + describe_error(r));
  answer_challenge(http, r);
}

void Session::answer_challenge(HttpClient& http, const HttpResponse& r) {
  auto challenges = parse_www_authenticate(r.header("WWW-Authenticate"));
  for (const auto& c : challenges) {
    if (c.scheme == "bearer") {
      auto params = c.params;
      // The /v2/ challenge carries no scope; a 401 on a repository call may carry one.
      if (!repository_.empty() && !params.count("scope")) params["scope"] = "repository:" + repository_ + ":" + actions_;
      std::string token = fetch_token(http, params);
      std::lock_guard lock(mu_);
      authorization_ = "Bearer " + token;
      return;
    }
  }
  for (const auto& c : challenges) {
    if (c.scheme == "basic") {
      if (!creds_ || (creds_->username.empty() && creds_->password.empty()))
        throw Error(domain_ + ": unauthorized: authentication required (no credentials; run 'mycompose login " +
                    domain_ + "')");
      std::lock_guard lock(mu_);
      authorization_ = "Basic " + base64_encode(creds_->username + ":" + creds_->password);
      return;
    }
  }
  throw Error(domain_ + ": " + describe_error(r) + " (no supported WWW-Authenticate challenge)");
}

namespace {

std::string url_encode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

}  // namespace

std::string Session::fetch_token(HttpClient& http, const std::map<std::string, std::string>& params) {
  auto realm = params.find("realm");
  if (realm == params.end()) throw Error(domain_ + ": Bearer challenge without a realm");
  std::string query;
  for (const char* key : {"service", "scope"}) {
    auto it = params.find(key);
    if (it == params.end()) continue;
    query += (query.empty() ? "?" : "&") + std::string(key) + "=" + url_encode(it->second);
  }
  HttpRequest req;
  req.url = Url::parse(realm->second + query);
  if (creds_ && !creds_->username.empty())
    req.headers.emplace("Authorization", "Basic " + base64_encode(creds_->username + ":" + creds_->password));
  HttpResponse r;
  try {
    r = http.send(req);
  } catch (const Error& e) {
    throw Error(domain_ + ": fetching a token: " + e.what());
  }
  if (!r.ok()) throw Error(domain_ + ": fetching a token from " + req.url.origin() + ": " + describe_error(r));
  try {
    auto j = parse_json_bounded(r.body);
    for (const char* key : {"token", "access_token"})
      if (j.contains(key) && j[key].is_string() && !j[key].get<std::string>().empty()) return j[key];
  } catch (const nlohmann::json::exception&) {
  }
  throw Error(domain_ + ": token server " + req.url.origin() + " answered without a token");
}

HttpResponse Session::send(HttpClient& http, HttpRequest req) {
  for (int attempt = 0;; ++attempt) {
    std::string auth = current_auth();
    req.headers.erase("Authorization");
    if (!auth.empty()) req.headers.emplace("Authorization", auth);
    auto r = http.send(req);
    // Bodies are replayable: providers read the file at the offset they are given.
    if (r.status == 401 && attempt == 0) {
      answer_challenge(http, r);
      continue;
    }
    return r;
  }
}

std::string describe_error(const HttpResponse& r) {
  try {
    auto j = parse_json_bounded(r.body);
    if (j.contains("errors") && j["errors"].is_array() && !j["errors"].empty()) {
      std::string out;
      for (const auto& e : j["errors"]) {
        std::string code = e.value("code", "");
        for (auto& c : code) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        std::replace(code.begin(), code.end(), '_', ' ');
        if (!out.empty()) out += "; ";
        out += code.empty() ? e.value("message", "") : code + ": " + e.value("message", "");
      }
      return out;
    }
  } catch (const nlohmann::json::exception&) {
  }
  std::string out = "HTTP " + std::to_string(r.status);
  if (r.status == 401) out = "unauthorized: HTTP 401";
  std::string text = r.body.substr(0, 200);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  if (!text.empty() && text.find('<') == std::string::npos) out += ": " + text;
  return out;
}

}  // namespace mycompose::image::registry
