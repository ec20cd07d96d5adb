// docker compose's pkg/e2e/noDeps_test.go: `up --no-deps SERVICE` keeps using the container
// that lends it volumes (volumes_from) or its network namespace (network_mode: service:),
// and once that container is gone it is refused with docker compose's words.
#include "e2e_helpers.hpp"

using namespace compose_e2e;

namespace {

void no_deps_refused(const std::string& yaml, const std::string& message) {
  Project p(yaml);
  p.ok({"up", "-d"});
  CHECK(p.wait_state("proj-app-1", "running") == "running");
  CHECK(p.wait_state("proj-db-1", "running") == "running");
  const auto app = p.store().find("proj-app-1");
  REQUIRE(app);

  auto again = p.run({"up", "--no-deps", "-d", "app"});
  INFO(combined(again));
  CHECK(again.exit_code == 0);
  CHECK(p.store().find("proj-app-1")->id == app->id);  // not recreated

  p.ok({"rm", "-s", "-f", "db"});  // the donor goes behind up's back
  CHECK_FALSE(p.store().find("proj-db-1"));

  auto refused = p.run({"up", "--no-deps", "-d", "app"});
  INFO(combined(refused));
  CHECK(refused.exit_code == 1);
  CHECK(combined(refused).find(message) != std::string::npos);
}

}  // namespace

TEST_CASE("TestNoDepsVolumeFrom: up --no-deps without the volumes_from donor is refused") {
  no_deps_refused(R"(services:
  app:
    image: busybox:test
    init: true
    command: ["sleep", "1000"]
    volumes_from:
      - db
  db:
    image: busybox:test
    init: true
    command: ["sleep", "1000"]
    volumes:
      - /var/data
)",
                  "cannot share volume with service db: container missing");
}

TEST_CASE("TestNoDepsNetworkMode: up --no-deps without the network_mode donor is refused") {
  no_deps_refused(R"(services:
  app:
    image: busybox:test
    init: true
    command: ["sleep", "1000"]
    network_mode: service:db
  db:
    image: busybox:test
    init: true
    command: ["sleep", "1000"]
)",
                  "cannot share network namespace with service db: container missing");
}
