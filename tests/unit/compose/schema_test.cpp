// The schema tables: every key of the specification is known, unknown keys and wrong types
// are errors with the position of the offending node, x-* extensions are kept.
#include "normalize_fixture.hpp"

#include <set>

using namespace normalize_test;

TEST_CASE("schema: every service key of the compose specification", "[schema]") {
  // compose-spec/schema/compose-spec.json (the version read, 00655e2), definitions.service.properties:
  // 92 keys there (the issue counts 93; a key added later is an unknown-key error until listed),
  // and pre_start (compose-go's PreStartHook, newer than that schema).
  const std::set<std::string> spec = {
      "develop", "deploy", "annotations", "attach", "build", "blkio_config", "cap_add", "cap_drop", "cgroup",
      "cgroup_parent", "command", "configs", "container_name", "cpu_count", "cpu_percent", "cpu_shares", "cpu_quota",
      "cpu_period", "cpu_rt_period", "cpu_rt_runtime", "cpus", "cpuset", "credential_spec", "depends_on",
      "device_cgroup_rules", "devices", "dns", "dns_opt", "dns_search", "domainname", "entrypoint", "env_file",
      "label_file", "environment", "expose", "extends", "provider", "external_links", "extra_hosts", "gpus",
      "group_add", "healthcheck", "hostname", "image", "init", "ipc", "isolation", "labels", "links", "logging",
      "mac_address", "mem_limit", "mem_reservation", "mem_swappiness", "memswap_limit", "network_mode", "models",
      "networks", "oom_kill_disable", "oom_score_adj", "pid", "pids_limit", "platform", "ports", "post_start",
      "pre_start", "pre_stop", "privileged", "profiles", "pull_policy", "pull_refresh_after", "read_only", "restart", "runtime",
      "scale", "security_opt", "shm_size", "secrets", "sysctls", "stdin_open", "stop_grace_period", "stop_signal",
      "storage_opt", "tmpfs", "tty", "ulimits", "use_api_socket", "user", "uts", "userns_mode", "volumes",
      "volumes_from", "working_dir"};
  CHECK(spec.size() == 93);
  std::set<std::string> ours;
  for (const auto& k : mycompose::compose::service_keys()) ours.insert(k);
  CHECK(ours == spec);
}

TEST_CASE("schema: unknown keys are errors with a hint, x-* are kept", "[schema]") {
  CHECK(error_of("services:\n  web:\n    imagee: nginx\n") ==
        "compose.yaml:3:5: services.web: unknown key \"imagee\" (did you mean \"image\"?)");
  CHECK(error_of("services:\n  web:\n    image: x\n    frobnicate: 1\n") ==
        "compose.yaml:4:5: services.web: unknown key \"frobnicate\"");
  CHECK(error_of("servics:\n  web:\n    image: x\n") ==
        "compose.yaml:1:1: unknown top-level key \"servics\" (did you mean \"services\"?)");
  json m = model("x-common: &c\n  restart: always\nservices:\n  web:\n    image: x\n    x-note: {a: 1, b: \"2\"}\n");
  CHECK(m["services"]["web"]["x-note"].dump() == R"({"a":1,"b":"2"})");
  CHECK(m["x-common"].dump() == R"({"restart":"always"})");
}

TEST_CASE("schema: types are checked and converted", "[schema]") {
  json w = web(R"(services:
  web:
    image: x
    privileged: yes
    read_only: "false"
    cpus: 1.5
    cpu_shares: 512
    scale: "2"
    tty: true
    dns: 8.8.8.8
    cap_add: [NET_ADMIN]
    expose: [3000, "4000"]
    user: 1000
)");
  CHECK(w["privileged"] == true);
  CHECK(w["read_only"] == false);
  CHECK(w["cpus"] == 1.5);
  CHECK(w["cpu_shares"] == 512);
  CHECK(w["scale"] == 2);
  CHECK(w["dns"].dump() == R"(["8.8.8.8"])");
  CHECK(w["expose"].dump() == R"(["3000","4000"])");
  CHECK(w["user"] == "1000");
  CHECK(error_of("services:\n  web:\n    image: x\n    privileged: sometimes\n") ==
        "compose.yaml:4:17: services.web.privileged must be a boolean, got \"sometimes\"");
  CHECK(error_of("services:\n  web:\n    image: [x]\n") == "compose.yaml:3:12: services.web.image must be a string, got a list");
  CHECK(error_of("services:\n  web:\n    image: x\n    cap_add: NET_ADMIN\n") ==
        "compose.yaml:4:14: services.web.cap_add must be a list of strings, got \"NET_ADMIN\"");
  CHECK(error_of("services:\n  web:\n    image: x\n    cgroup: shared\n") ==
        "compose.yaml:4:13: services.web.cgroup must be one of host, private, got \"shared\"");
  CHECK(error_of("services:\n  web: nginx\n") == "compose.yaml:2:8: services.web must be a mapping, got \"nginx\"");
  CHECK(error_of("services: [web]\n") == "compose.yaml:1:11: services must be a mapping, got a list");
}

TEST_CASE("schema: top-level order and sorted services", "[schema]") {
  auto r = run("version: '3.8'\nvolumes:\n  v:\nservices:\n  zeta:\n    image: x\n    volumes: [v:/v]\n  alpha:\n    image: y\n");
  std::vector<std::string> top, services;
  for (auto it = r.model.begin(); it != r.model.end(); ++it) top.push_back(it.key());
  for (auto it = r.model["services"].begin(); it != r.model["services"].end(); ++it) services.push_back(it.key());
  CHECK(top == std::vector<std::string>{"name", "services", "networks", "volumes"});
  CHECK(services == std::vector<std::string>{"alpha", "zeta"});
  CHECK(r.warnings.empty());  // `version` is the loader's warning, per file (loader_test)
}
