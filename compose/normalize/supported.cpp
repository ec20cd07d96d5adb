// What the engine honours today — THE one place to edit as the engine grows. Any other key
// present in a model is reported in NormalizeResult::unsupported so `up` can warn that it
// is ignored.
#include <set>
#include <string_view>

#include "stages.hpp"

namespace mycompose::compose::schema {

namespace {

const std::set<std::string_view> kServiceKeys = {
    "build",       "cap_add",      "cap_drop",          "command",     "container_name", "depends_on",
    "deploy",      "dns",          "dns_search",        "domainname",  "entrypoint",     "env_file",
    "environment", "expose",       "extra_hosts",       "healthcheck", "hostname",       "image",
    "init",        "labels",       "mem_limit",         "cpus",        "network_mode",   "networks",
    "ports",       "privileged",   "profiles",          "pull_policy", "read_only",      "restart",
    "scale",       "secrets",      "configs",           "security_opt", "shm_size",      "stdin_open",
    "stop_grace_period", "stop_signal", "sysctls",      "tmpfs",       "tty",            "ulimits",
    "user",        "volumes",      "working_dir",       "logging",     "pids_limit",
};

const std::set<std::string_view> kTopLevel = {"name", "services", "networks", "volumes", "secrets", "configs"};

}  // namespace

std::vector<std::string> unsupported_keys(const json& model) {
  std::vector<std::string> out;
  for (auto it = model.begin(); it != model.end(); ++it)
    if (!kTopLevel.count(it.key()) && it.key().rfind("x-", 0) != 0) out.push_back(it.key());
  for (const auto& [name, s] : model["services"].items())
    for (auto it = s.begin(); it != s.end(); ++it)
      if (!kServiceKeys.count(it.key()) && it.key().rfind("x-", 0) != 0)
        out.push_back("services." + name + "." + it.key());
  return out;
}

}  // namespace mycompose::compose::schema
