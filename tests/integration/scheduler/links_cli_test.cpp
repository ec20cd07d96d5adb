// links and external_links as Docker gives them on user-defined networks: the alias resolves
// (through the embedded DNS) for the linking container only, and follows the target when it
// is recreated. And a container's own hostname resolves to its address, not 127.0.1.1.
#include <catch2/catch.hpp>

#include "cli_project_fixture.hpp"

using namespace cli_project;

namespace {

const char* kLinks = R"(services:
  db:
    image: busybox:test
    command: ["sleep", "1000"]
  app:
    image: busybox:test
    command: ["sleep", "1000"]
    links: ["db:database"]
    external_links: ["proj-db-1:legacy"]
  other:
    image: busybox:test
    command: ["sleep", "1000"]
)";

// The address `name` resolves to in the service's container; "" when it does not resolve.
std::string resolve(const Project& p, const std::string& service, const std::string& name) {
  auto r = p.run({"exec", "-T", service, "nslookup", name});
  if (r.exit_code != 0) return "";
  // busybox: "Server: …\nAddress: <dns>:53\n\nName: <name>\nAddress: <ip>\n"
  const auto at = r.out.find("Name:");
  if (at == std::string::npos) return "";
  const auto addr = r.out.find("Address", at);
  if (addr == std::string::npos) return "";
  std::string rest = r.out.substr(r.out.find(':', addr) + 1);
  rest.erase(0, rest.find_first_not_of(' '));
  return rest.substr(0, rest.find('\n'));
}

}  // namespace

TEST_CASE("links: db:database resolves in the linking container only, and follows a recreated db") {
  Project p(kLinks);
  p.ok({"up", "-d"});
  const std::string db = resolve(p, "other", "db");
  REQUIRE_FALSE(db.empty());
  CHECK(resolve(p, "app", "database") == db);
  CHECK(resolve(p, "app", "db") == db);
  CHECK(resolve(p, "app", "legacy") == db);  // external_links: a container name
  CHECK(resolve(p, "other", "database").empty());
  CHECK(resolve(p, "other", "legacy").empty());

  // A new db container (a new address): the link finds it.
  p.ok({"up", "-d", "--force-recreate", "--no-deps", "db"});
  const std::string db2 = resolve(p, "other", "db");
  REQUIRE_FALSE(db2.empty());
  CHECK(resolve(p, "app", "database") == db2);
}

TEST_CASE("hostname: a container's own hostname resolves to its address in /etc/hosts") {
  Project p(R"(services:
  app:
    image: busybox:test
    command: ["sleep", "1000"]
    hostname: myhost
)");
  p.ok({"up", "-d"});
  const std::string own = resolve(p, "app", "proj-app-1");
  REQUIRE_FALSE(own.empty());
  const std::string hosts = p.ok({"exec", "-T", "app", "cat", "/etc/hosts"});
  INFO(hosts);
  CHECK(hosts.find("127.0.1.1") == std::string::npos);
  CHECK(hosts.find(own + "\tmyhost proj-app-1\n") != std::string::npos);
  CHECK(p.ok({"exec", "-T", "app", "hostname", "-i"}) == own + "\n");

  // After a stop and start (a new network namespace, maybe a new address) it is still right.
  p.ok({"stop"});
  p.ok({"start"});
  const std::string again = resolve(p, "app", "proj-app-1");
  CHECK(p.ok({"exec", "-T", "app", "hostname", "-i"}) == again + "\n");
}
