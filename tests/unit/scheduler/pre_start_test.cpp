// The runner's definition of a pre_start hook: the service's, completed by the hook's.
#include "../../../engine/scheduler/pre_start.hpp"

#include <catch2/catch.hpp>

using mycompose::scheduler::pre_start_definition;
using json = nlohmann::ordered_json;

TEST_CASE("pre_start definition: the hook completes the service, winning on conflicts") {
  const json service = json::parse(R"({
    "image": "app", "command": ["serve"], "restart": "always", "container_name": "fixed",
    "ports": [{"target": 80, "published": "8080"}], "post_start": [{"command": ["x"]}],
    "environment": {"A": "service", "B": "service"}, "labels": {"l": "1"},
    "extra_hosts": ["svc=10.0.0.1", "shared=10.0.0.2"], "dns": ["1.1.1.1"],
    "volumes": [{"type": "volume", "source": "data", "target": "/data", "read_only": true}],
    "volumes_from": ["other"],
    "networks": {"default": {"aliases": ["web"], "ipv4_address": "172.30.0.9"}},
    "pre_start": [{"command": ["init"]}]})");
  const json hook = json::parse(R"({
    "command": ["init"], "environment": {"B": "hook", "C": "hook"}, "extra_hosts": ["shared=10.9.9.9", "own=10.4.4.4"],
    "dns": ["8.8.8.8"], "volumes": [{"type": "volume", "source": "data", "target": "/data"}], "per_replica": false})");
  const json def = pre_start_definition(service, hook, "proj-web-1");
  CHECK(def["image"] == "app");
  CHECK(def["command"] == json::parse(R"(["init"])"));
  CHECK(def["environment"] == json::parse(R"({"A": "service", "B": "hook", "C": "hook"})"));
  CHECK(def["extra_hosts"] == json::parse(R"(["svc=10.0.0.1", "shared=10.9.9.9", "own=10.4.4.4"])"));
  CHECK(def["dns"] == json::parse(R"(["1.1.1.1", "8.8.8.8"])"));
  // Mounts: the hook's own, then the service container's through volumes_from.
  CHECK(def["volumes"] == hook["volumes"]);
  CHECK(def["volumes_from"] == json::parse(R"(["container:proj-web-1"])"));
  CHECK(def["networks"]["default"] == json::parse(R"({"aliases": []})"));
  for (const char* gone : {"restart", "container_name", "ports", "post_start", "pre_start", "per_replica"}) CHECK_FALSE(def.contains(gone));
}
