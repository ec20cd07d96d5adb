// Docker CLI credential file: ~/.docker/config.json (or $DOCKER_CONFIG/config.json).
#include <openssl/evp.h>

#include <cstdlib>

#include "mycompose/common/error.hpp"
#include "mycompose/common/fs.hpp"
#include "mycompose/image/registry_auth.hpp"

namespace mycompose::image::registry {
namespace {

const char* kDockerHubKey = "https://index.docker.io/v1/";

// "https://host:5000/v1/" → "host:5000"; Docker Hub's many names → "docker.io".
std::string normalize_host(std::string_view key) {
  for (std::string_view scheme : {"https://", "http://"})
    if (key.substr(0, scheme.size()) == scheme) key.remove_prefix(scheme.size());
  key = key.substr(0, key.find('/'));
  std::string host(key);
  if (host == "index.docker.io" || host == "registry-1.docker.io" || host == "registry.hub.docker.com")
    host = "docker.io";
  return host;
}

std::optional<Credentials> entry_credentials(const nlohmann::json& e) {
  if (!e.is_object()) return std::nullopt;
  Credentials c;
  if (auto a = e.find("auth"); a != e.end() && a->is_string() && !a->get<std::string>().empty()) {
    std::string plain = base64_decode(a->get<std::string>());
    auto colon = plain.find(':');
    if (colon == std::string::npos) throw Error("invalid auth entry in " + docker_config_path().string() + ": no ':' in the decoded \"auth\" value");
    c.username = plain.substr(0, colon);
    c.password = plain.substr(colon + 1);
  }
  if (c.username.empty() && e.contains("username") && e["username"].is_string()) c.username = e["username"];
  if (c.password.empty() && e.contains("password") && e["password"].is_string()) c.password = e["password"];
  if (e.contains("identitytoken") && e["identitytoken"].is_string()) c.identity_token = e["identitytoken"];
  if (c.empty()) return std::nullopt;
  return c;
}

nlohmann::json read_config(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return nlohmann::json::object();
  auto text = fs::read_file(path, 16 << 20);
  try {
    auto j = text.empty() ? nlohmann::json::object() : nlohmann::json::parse(text);
    if (!j.is_object()) throw Error(path.string() + ": not a JSON object");
    return j;
  } catch (const nlohmann::json::exception& e) {
    throw Error(path.string() + ": invalid JSON: " + e.what());
  }
}

}  // namespace

std::filesystem::path docker_config_path() {
  if (const char* d = std::getenv("DOCKER_CONFIG"); d && *d) return std::filesystem::path(d) / "config.json";
  const char* home = std::getenv("HOME");
  return std::filesystem::path(home && *home ? home : "/root") / ".docker" / "config.json";
}

std::string config_key(std::string_view registry_domain) {
  std::string host = normalize_host(registry_domain);
  return host == "docker.io" ? kDockerHubKey : host;
}

std::optional<Credentials> find_credentials(const nlohmann::json& config, std::string_view registry_domain) {
  auto auths = config.find("auths");
  if (auths == config.end() || !auths->is_object()) return std::nullopt;
  std::string key = config_key(registry_domain);
  if (auto e = auths->find(key); e != auths->end())
    if (auto c = entry_credentials(*e)) return c;
  std::string want = normalize_host(registry_domain);
  for (auto it = auths->begin(); it != auths->end(); ++it)
    if (normalize_host(it.key()) == want)
      if (auto c = entry_credentials(it.value())) return c;
  return std::nullopt;
}

std::optional<Credentials> load_credentials(std::string_view registry_domain) {
  return find_credentials(read_config(docker_config_path()), registry_domain);
}

void store_credentials(std::string_view registry_domain, const Credentials& c) {
  auto path = docker_config_path();
  auto config = read_config(path);
  if (!config.contains("auths") || !config["auths"].is_object()) config["auths"] = nlohmann::json::object();
  auto& auths = config["auths"];
  // Drop other spellings of the same registry so one entry remains.
  std::string want = normalize_host(registry_domain);
  for (auto it = auths.begin(); it != auths.end();) {
    if (normalize_host(it.key()) == want) it = auths.erase(it);
    else ++it;
  }
  nlohmann::json e = nlohmann::json::object();
  if (!c.identity_token.empty()) e["identitytoken"] = c.identity_token;
  else e["auth"] = base64_encode(c.username + ":" + c.password);
  auths[config_key(registry_domain)] = e;
  fs::make_dirs(path.parent_path(), 0700);
  fs::write_file_atomic(path, config.dump(1, '\t') + "\n", 0600);
}

bool erase_credentials(std::string_view registry_domain) {
  auto path = docker_config_path();
  auto config = read_config(path);
  if (!config.contains("auths") || !config["auths"].is_object()) return false;
  auto& auths = config["auths"];
  std::string want = normalize_host(registry_domain);
  bool erased = false;
  for (auto it = auths.begin(); it != auths.end();) {
    if (normalize_host(it.key()) == want) {
      it = auths.erase(it);
      erased = true;
    } else {
      ++it;
    }
  }
  if (erased) fs::write_file_atomic(path, config.dump(1, '\t') + "\n", 0600);
  return erased;
}

std::string base64_encode(std::string_view in) {
  std::string out(4 * ((in.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::string base64_decode(std::string_view in) {
  std::string s(in);
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  if (s.size() % 4 != 0) s.append(4 - s.size() % 4, '=');  // some writers omit padding
  std::string out(3 * s.size() / 4, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(s.data()), static_cast<int>(s.size()));
  if (n < 0) throw Error("invalid base64 value in " + docker_config_path().string());
  // EVP_DecodeBlock counts padding as data; trim one byte per '='.
  size_t pad = 0;
  for (size_t i = s.size(); i > 0 && s[i - 1] == '='; --i) ++pad;
  out.resize(static_cast<size_t>(n) - std::min<size_t>(pad, static_cast<size_t>(n)));
  return out;
}

}  // namespace mycompose::image::registry
