#include "commands/build_private.hpp"

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <set>

#include "mycompose/common/error.hpp"
#include "mycompose/common/warning.hpp"

namespace mycompose::cli {

namespace {

using Json = nlohmann::ordered_json;

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    auto end = s.find(sep, start);
    out.push_back(s.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

// "id", "id=path" (build.ssh entries and --ssh items): relative paths are the project's.
void add_ssh(const compose::Project& project, const std::string& entry, const std::string& where, build::BuildRequest& r) {
  auto eq = entry.find('=');
  std::string id = entry.substr(0, eq);
  if (id.empty()) throw Error(where + ": ssh entry \"" + entry + "\" has no id (use default or id=path)");
  auto& paths = r.ssh[id];
  if (eq == std::string::npos) return;
  for (const auto& p : split(entry.substr(eq + 1), ',')) {
    if (p.empty()) continue;
    std::filesystem::path path = p;
    paths.push_back((path.is_relative() ? std::filesystem::path(project.working_dir) / path : path).lexically_normal().string());
  }
}

// --secret id=ID,src=FILE | id=ID,env=VAR (buildx's form).
void add_flag_secret(const std::string& spec, build::BuildRequest& r) {
  std::string id, file, env;
  for (const auto& item : split(spec, ',')) {
    auto eq = item.find('=');
    std::string k = item.substr(0, eq), v = eq == std::string::npos ? "" : item.substr(eq + 1);
    if (k == "id") id = v;
    else if (k == "src" || k == "source") file = v;
    else if (k == "env") env = v;
    else if (k != "type") throw Error("--secret " + spec + ": unknown option \"" + k + "\" (id, src, env)");
  }
  if (id.empty()) id = !env.empty() ? env : std::filesystem::path(file).filename().string();
  if (id.empty() || (file.empty() && env.empty())) throw Error("--secret " + spec + ": expected id=ID,src=FILE or id=ID,env=VAR");
  r.secrets[id] = {file.empty() ? "" : std::filesystem::absolute(file).string(), env, std::nullopt};
}

std::vector<std::string> strings(const Json& b, const char* key) {
  std::vector<std::string> out;
  if (!b.contains(key)) return out;
  const Json& v = b[key];
  if (v.is_string()) out.push_back(v.get<std::string>());
  if (v.is_array())
    for (const auto& e : v)
      if (e.is_string()) out.push_back(e.get<std::string>());
  return out;
}

// additional_contexts values "service:NAME": the names.
std::vector<std::string> context_services(const Json& b) {
  std::vector<std::string> out;
  if (!b.contains("additional_contexts") || !b["additional_contexts"].is_object()) return out;
  for (const auto& [k, v] : b["additional_contexts"].items())
    if (v.is_string() && v.get<std::string>().rfind("service:", 0) == 0) out.push_back(v.get<std::string>().substr(8));
  return out;
}

}  // namespace

std::vector<ServiceImage> order_by_build_contexts(const compose::Project& project, const std::vector<ServiceImage>& services) {
  const Json& defs = project.model["services"];
  std::vector<ServiceImage> out;
  std::set<std::string> done, visiting;
  std::function<void(const ServiceImage&)> visit = [&](const ServiceImage& s) {
    if (done.count(s.service)) return;
    if (!visiting.insert(s.service).second)
      throw Error("service \"" + s.service + "\": build.additional_contexts form a cycle through service:" + s.service);
    const Json& b = defs[s.service].contains("build") ? defs[s.service]["build"] : Json::object();
    for (const auto& dep : context_services(b)) {
      if (!defs.contains(dep)) throw Error("service \"" + s.service + "\": build.additional_contexts: service:" + dep + ": no such service");
      auto img = service_images(project, {dep}, false).at(0);
      if (!img.buildable)
        throw Error("service \"" + s.service + "\": build.additional_contexts: service:" + dep + " has no build section");
      visit(img);
    }
    visiting.erase(s.service);
    done.insert(s.service);
    out.push_back(s);
  };
  for (const auto& s : services) visit(s);
  return out;
}

void add_buildkit_options(const compose::Project& project, const std::string& service, const Json& b,
                          const flags::BuildOptions& o, build::BuildRequest& r) {
  const std::string where = "service \"" + service + "\" build";
  if (b.contains("secrets") && b["secrets"].is_array()) {
    const Json& top = project.model.contains("secrets") ? project.model["secrets"] : Json::object();
    for (const auto& s : b["secrets"]) {
      std::string source = s.is_string() ? s.get<std::string>() : s.value("source", "");
      std::string id = s.is_object() && s.contains("target") && s["target"].is_string() ? s["target"].get<std::string>() : source;
      if (!top.contains(source)) throw Error(where + ": secret \"" + source + "\" is not defined in the top-level secrets");
      const Json& def = top[source];
      if (def.contains("file") && def["file"].is_string()) {
        r.secrets[id] = {def["file"].get<std::string>(), "", std::nullopt};
      } else if (def.contains("environment") && def["environment"].is_string()) {
        // The project's variables (the shell over .env), as docker compose reads them; unset = missing.
        auto var = project.environment.find(def["environment"].get<std::string>());
        r.secrets[id] = {"", "", var == project.environment.end() ? std::nullopt : std::optional<std::string>(var->second)};
      }
      else throw Error(where + ": secret \"" + source + "\" has neither file nor environment (an external secret cannot be given to a build)");
    }
  }
  if (b.contains("ssh") && b["ssh"].is_array())
    for (const auto& e : b["ssh"])
      if (e.is_string()) add_ssh(project, e.get<std::string>(), where, r);
  if (o.ssh_given) {
    bool any = false;
    for (const auto& e : split(o.ssh, ' '))
      if (!e.empty()) add_ssh(project, e, "--ssh", r), any = true;
    if (!any) r.ssh["default"];
  }
  // As buildx, a forwarded default agent must exist before anything is built.
  for (const auto& [id, paths] : r.ssh) {
    const char* sock = std::getenv("SSH_AUTH_SOCK");
    if (paths.empty() && (!sock || !*sock)) throw Error("invalid empty ssh agent socket: make sure SSH_AUTH_SOCK is set");
  }
  for (const auto& s : o.secrets) add_flag_secret(s, r);

  for (const auto& e : strings(b, "entitlements")) {
    if (e != "security.insecure" && e != "network.host")
      throw Error(where + ": entitlement \"" + e + "\" is not supported (security.insecure, network.host)");
    r.entitlements.insert(e);
  }
  if (b.value("privileged", false)) r.entitlements.insert("security.insecure");
  if (b.contains("ulimits") && b["ulimits"].is_object())
    for (const auto& [name, v] : b["ulimits"].items()) {
      runtime::Ulimit u;
      u.name = name;
      if (v.is_object()) {
        u.soft = v.value("soft", std::int64_t{0});
        u.hard = v.value("hard", u.soft);
      } else if (v.is_number_integer()) {
        u.soft = u.hard = v.get<std::int64_t>();
      }
      r.ulimits.push_back(u);
    }
  r.platforms = strings(b, "platforms");
  // docker compose's rules between service.platform, build.platforms and DOCKER_DEFAULT_PLATFORM.
  const Json& svc = project.model["services"][service];
  const std::string platform = svc.contains("platform") && svc["platform"].is_string() ? svc["platform"].get<std::string>() : "";
  const char* env_platform = std::getenv("DOCKER_DEFAULT_PLATFORM");
  auto listed = [&](const std::string& p) { return std::find(r.platforms.begin(), r.platforms.end(), p) != r.platforms.end(); };
  if (!platform.empty() && !r.platforms.empty() && !listed(platform))
    throw Error("service.build.platforms MUST include service.platform \"" + platform + "\"");
  if (env_platform && *env_platform && !r.platforms.empty() && !listed(env_platform))
    throw Error("service \"" + service + "\" build.platforms does not support value set by DOCKER_DEFAULT_PLATFORM: " + env_platform);
  if (!platform.empty()) r.platforms = {platform};
  else if (env_platform && *env_platform) r.platforms = {env_platform};
  for (const auto& stage : strings(b, "no_cache_filter")) r.no_cache_stages.insert(stage);
  // type=local folders are honoured; a registry, gha, s3… cache cannot be reached from here.
  for (const char* key : {"cache_from", "cache_to"})
    for (const auto& spec : strings(b, key)) {
      std::string type, dir;
      for (const auto& item : split(spec, ',')) {
        auto eq = item.find('=');
        std::string k = item.substr(0, eq), v = eq == std::string::npos ? "" : item.substr(eq + 1);
        if (k == "type") type = v;
        else if (k == "src" || k == "dest") dir = v;
      }
      if (type != "local" || dir.empty()) {
        print_warning("service \"" + service + "\": build." + key + " \"" + spec + "\" is ignored: only type=local,src=|dest=DIR is supported");
        continue;
      }
      std::filesystem::path p = dir;
      if (p.is_relative()) p = std::filesystem::path(project.working_dir) / p;
      if (std::string(key) == "cache_from") r.cache_from.push_back(p.lexically_normal());
      else r.cache_to = p.lexically_normal();
    }
  for (auto& [name, value] : r.additional_contexts)
    if (value.rfind("service:", 0) == 0) {
      const std::string dep = value.substr(8);
      value = "docker-image://" + effective_image(project, service_images(project, {dep}, false).at(0));
    }
}

}  // namespace mycompose::cli
