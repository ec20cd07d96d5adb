#pragma once
// Registry authentication pieces that need no network: WWW-Authenticate parsing and the
// Docker CLI credential file (~/.docker/config.json "auths").
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace mycompose::image::registry {

// One challenge of a WWW-Authenticate header (RFC 7235): scheme lower-cased, parameter
// names lower-cased, quoted values unquoted.
struct Challenge {
  std::string scheme;                         // "bearer", "basic"
  std::map<std::string, std::string> params;  // realm, service, scope, error…
};

// Parses every challenge of one header value, e.g.
//   Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"
std::vector<Challenge> parse_www_authenticate(std::string_view header);

struct Credentials {
  std::string username;
  std::string password;
  std::string identity_token;  // "identitytoken" in config.json (OAuth refresh token)
  bool empty() const { return username.empty() && password.empty() && identity_token.empty(); }
};

// "$DOCKER_CONFIG/config.json", else "$HOME/.docker/config.json".
std::filesystem::path docker_config_path();

// The key Docker writes for a registry: docker.io → "https://index.docker.io/v1/", else the
// registry host[:port] as given.
std::string config_key(std::string_view registry_domain);

// Credentials for a registry from a parsed config.json, matching keys the way the Docker CLI
// does ("https://host/v1/", "http://host", "host" are the same registry). nullopt when none.
std::optional<Credentials> find_credentials(const nlohmann::json& config, std::string_view registry_domain);

// Reads docker_config_path() (missing file = no credentials); a malformed file is an Error
// naming it.
std::optional<Credentials> load_credentials(std::string_view registry_domain);

// Writes/removes the registry's entry in docker_config_path() (mode 0600, atomic), keeping
// every other key of the file. erase returns false when there was no entry.
void store_credentials(std::string_view registry_domain, const Credentials& c);
bool erase_credentials(std::string_view registry_domain);

std::string base64_encode(std::string_view in);
std::string base64_decode(std::string_view in);  // throws Error on bad input

}  // namespace mycompose::image::registry
