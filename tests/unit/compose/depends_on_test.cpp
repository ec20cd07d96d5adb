// depends_on: list → long form; references, disabled services and cycles.
#include "normalize_fixture.hpp"

using namespace normalize_test;

TEST_CASE("depends_on: a list becomes service_started, required", "[depends_on]") {
  json w = web("services:\n  web:\n    image: x\n    depends_on: [db, cache]\n  db:\n    image: x\n  cache:\n    image: x\n");
  CHECK(w["depends_on"].dump() ==
        R"({"cache":{"condition":"service_started","required":true},"db":{"condition":"service_started","required":true}})");
}

TEST_CASE("depends_on: long form keeps condition, restart and required", "[depends_on]") {
  json w = web(R"(services:
  web:
    image: x
    depends_on:
      db:
        condition: service_healthy
        restart: true
      init:
        condition: service_completed_successfully
        required: false
  db:
    image: x
  init:
    image: x
)");
  CHECK(w["depends_on"].dump() ==
        R"({"db":{"condition":"service_healthy","restart":true,"required":true},"init":{"condition":"service_completed_successfully","required":false}})");
}

TEST_CASE("depends_on: links and service: namespaces imply dependencies", "[depends_on]") {
  json w = web("services:\n  web:\n    image: x\n    links: [db:database]\n    network_mode: service:vpn\n  db:\n    image: x\n  vpn:\n    image: x\n");
  CHECK(w["depends_on"].dump() ==
        R"({"db":{"condition":"service_started","restart":true,"required":true},"vpn":{"condition":"service_started","restart":true,"required":true}})");
  CHECK_FALSE(w.contains("networks"));
}

TEST_CASE("depends_on: links and volumes_from of a service with more keys after them each imply one", "[depends_on]") {
  // Adding depends_on moves the service's members: the lists must not be read through them.
  json w = web(R"(services:
  web:
    image: x
    network_mode: bridge
    links: [db, cache:c, queue]
    volumes_from: [files, logs:ro]
    command: ["sleep", "1"]
    environment: {A: "1"}
  db: {image: x}
  cache: {image: x}
  queue: {image: x}
  files: {image: x}
  logs: {image: x}
)");
  CHECK(w["depends_on"].size() == 5);
  for (const char* d : {"db", "cache", "queue"}) CHECK(w["depends_on"][d]["restart"] == true);
  for (const char* d : {"files", "logs"}) CHECK_FALSE(w["depends_on"][d].contains("restart"));
  CHECK(w["network_mode"] == "bridge");
}

TEST_CASE("depends_on: an undefined service is an error at the reference", "[depends_on]") {
  CHECK(error_of("services:\n  web:\n    image: x\n    depends_on:\n      - db\n") ==
        "compose.yaml:5:9: service \"web\" depends on undefined service \"db\"");
  CHECK(error_of("services:\n  web:\n    image: x\n    depends_on:\n      db:\n        condition: service_started\n") ==
        "compose.yaml:5:7: service \"web\" depends on undefined service \"db\"");
  CHECK(error_of("services:\n  web:\n    image: x\n    depends_on:\n      db:\n        condition: started\n") ==
        "compose.yaml:6:20: services.web.depends_on.db.condition must be one of service_started, service_healthy, "
        "service_completed_successfully, got \"started\"");
}

TEST_CASE("depends_on: a service disabled by a profile is named as such", "[depends_on]") {
  auto ctx = context();
  ctx.disabled_services["db"] = {"debug"};
  CHECK(error_of("services:\n  web:\n    image: x\n    depends_on: [db]\n", ctx) ==
        "compose.yaml:4:18: service \"web\" depends on service \"db\" which is disabled by profile(s) \"debug\" (enable with --profile debug)");
  // An optional dependency on a disabled service is dropped.
  auto r = run("services:\n  web:\n    image: x\n    depends_on:\n      db:\n        condition: service_started\n        required: false\n", ctx);
  CHECK(r.model["services"]["web"]["depends_on"].empty());
  CHECK(r.warnings.size() == 1);
}

TEST_CASE("depends_on: cycles are named", "[depends_on]") {
  CHECK(error_of(R"(services:
  a:
    image: x
    depends_on: [b]
  b:
    image: x
    depends_on: [c]
  c:
    image: x
    depends_on: [a]
)") == "compose.yaml:10:18: dependency cycle detected: a -> b -> c -> a");
  CHECK(error_of("services:\n  a:\n    image: x\n    depends_on: [a]\n") ==
        "compose.yaml:4:18: service \"a\" depends on itself");
}

TEST_CASE("depends_on: --no-consistency skips the reference checks", "[depends_on]") {
  auto ctx = context();
  ctx.consistency = false;
  CHECK(error_of("services:\n  web:\n    depends_on: [nowhere]\n", ctx) == "");
}
