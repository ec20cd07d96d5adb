#pragma once
// One registry + repository as a client sees it: base URL, credentials and the
// Authorization header earned from the registry's challenge (Bearer token or Basic).
// Shared by the download threads (the header is guarded); each thread brings its own
// HttpClient.
#include <mutex>
#include <optional>
#include <string>

#include "mycompose/image/registry_auth.hpp"
#include "registry/http_client.hpp"

namespace mycompose::image::registry {

class Session {
 public:
  // actions: "pull" or "pull,push". Credentials: from config.json unless given.
  Session(std::string domain, std::string repository, std::string actions,
          std::optional<Credentials> credentials = std::nullopt);

  // GET /v2/ and answer its challenge (fetching a token when it is Bearer). Errors name the
  // registry: "<domain>: unauthorized: …", "<domain>: GET http://…/v2/: Could not establish connection".
  void authenticate(HttpClient& http);

  // Adds Authorization and sends; a 401 makes it answer the new challenge once and retry.
  HttpResponse send(HttpClient& http, HttpRequest req);

  // https://host/v2/<repository><suffix>
  Url url(const std::string& suffix) const;
  const std::string& domain() const { return domain_; }
  const std::string& repository() const { return repository_; }

 private:
  void answer_challenge(HttpClient& http, const HttpResponse& challenge_response);
  std::string fetch_token(HttpClient& http, const std::map<std::string, std::string>& params);
  std::string current_auth();

  std::string domain_, repository_, actions_, origin_;
  std::optional<Credentials> creds_;
  std::mutex mu_;
  std::string authorization_;  // full header value, "" = none
};

// "unauthorized: authentication required" from a registry's JSON error body
// {"errors":[{"code":…,"message":…}]}, else "HTTP <status>" (+ a short text body).
std::string describe_error(const HttpResponse& r);

}  // namespace mycompose::image::registry
