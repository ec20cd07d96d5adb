// What the engine honours today — THE one place to edit as the engine grows. Any other key
// present in a model is reported in NormalizeResult::unsupported so `up` can warn that it
// is ignored.
#include <set>
#include <string_view>

#include "mycompose/compose/supported.hpp"
#include "stages.hpp"

namespace mycompose::compose {

namespace {

const std::set<std::string_view> kServiceKeys = {
    "annotations", "attach",       "build",        "cap_add",     "cap_drop",     "cgroup",        "command",
    "configs",     "container_name", "cpu_shares", "cpus",        "cpuset",        "depends_on",
    "deploy",      "develop",     "device_cgroup_rules", "devices", "dns",       "dns_opt",       "dns_search",
    "domainname",  "entrypoint",   "env_file",    "environment",  "expose",        "external_links", "extra_hosts",
    "group_add",   "healthcheck",  "hostname",    "image",        "init",          "ipc",
    "label_file",  "labels",       "links",        "logging",      "mac_address", "mem_limit",   "mem_reservation", "memswap_limit",
    "network_mode", "networks",    "oom_score_adj", "pid",        "pids_limit",   "ports",         "post_start",   "pre_start",   "pre_stop",
    "privileged",
    "profiles",    "pull_policy",  "read_only",   "restart",      "scale",         "secrets",
    "security_opt", "shm_size",    "stdin_open",  "stop_grace_period", "stop_signal", "sysctls",
    "tmpfs",       "tty",          "ulimits",     "user",         "uts",           "volumes",
    "volumes_from", "working_dir",
};

const std::set<std::string_view> kTopLevel = {"name", "services", "networks", "volumes", "secrets", "configs"};

}  // namespace

std::vector<std::string> unsupported_keys(const nlohmann::ordered_json& model) {
  std::vector<std::string> out;
  for (auto it = model.begin(); it != model.end(); ++it)
    if (!kTopLevel.count(it.key()) && it.key().rfind("x-", 0) != 0) out.push_back(it.key());
  const auto services = model.value("services", nlohmann::ordered_json::object());
  for (const auto& [name, s] : services.items())
    for (auto it = s.begin(); it != s.end(); ++it)
      if (!kServiceKeys.count(it.key()) && it.key().rfind("x-", 0) != 0)
        out.push_back("services." + name + "." + it.key());
  return out;
}

}  // namespace mycompose::compose

namespace mycompose::compose::schema {

std::vector<std::string> unsupported_keys(const json& model) { return compose::unsupported_keys(model); }

}  // namespace mycompose::compose::schema
