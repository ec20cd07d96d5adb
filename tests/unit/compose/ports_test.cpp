// ports: short syntax (host IP, ranges, protocols, IPv6) and long form → compose's long form.
#include "normalize_fixture.hpp"

using namespace normalize_test;

namespace {
json ports_of(const std::string& items) {
  return web("services:\n  web:\n    image: nginx\n    ports:\n" + items)["ports"];
}
}  // namespace

TEST_CASE("ports: container port only", "[ports]") {
  CHECK(ports_of("      - 80\n") == json::parse(R"([{"mode":"ingress","target":80,"protocol":"tcp"}])"));
  CHECK(ports_of("      - \"3000\"\n") == json::parse(R"([{"mode":"ingress","target":3000,"protocol":"tcp"}])"));
}

TEST_CASE("ports: host:container gives a string published port and an integer target", "[ports]") {
  json p = ports_of("      - \"8080:80\"\n");
  CHECK(p.dump() == R"([{"mode":"ingress","target":80,"published":"8080","protocol":"tcp"}])");
}

TEST_CASE("ports: host IP and protocol", "[ports]") {
  json p = ports_of("      - 127.0.0.1:5353:53/udp\n");
  CHECK(p.dump() == R"([{"mode":"ingress","host_ip":"127.0.0.1","target":53,"published":"5353","protocol":"udp"}])");
  CHECK(ports_of("      - 127.0.0.1::80\n").dump() ==
        R"([{"mode":"ingress","host_ip":"127.0.0.1","target":80,"protocol":"tcp"}])");
}

TEST_CASE("ports: IPv6 host IP, bracketed or not", "[ports]") {
  CHECK(ports_of("      - \"[::1]:8080:80\"\n")[0]["host_ip"] == "::1");
  json p = ports_of("      - \"::1:8080:80\"\n");
  CHECK(p[0]["host_ip"] == "::1");
  CHECK(p[0]["published"] == "8080");
  CHECK(p[0]["target"] == 80);
}

TEST_CASE("ports: ranges expand to one entry per port", "[ports]") {
  json p = ports_of("      - \"8000-8002:9000-9002\"\n");
  REQUIRE(p.size() == 3);
  for (int i = 0; i < 3; ++i) {
    CHECK(p[i]["target"] == 9000 + i);
    CHECK(p[i]["published"] == std::to_string(8000 + i));
  }
  json c = ports_of("      - \"7000-7001\"\n");
  REQUIRE(c.size() == 2);
  CHECK(c[1]["target"] == 7001);
  CHECK_FALSE(c[1].contains("published"));
}

TEST_CASE("ports: a host range for one container port stays a range", "[ports]") {
  json p = ports_of("      - \"8000-8010:80\"\n");
  REQUIRE(p.size() == 1);
  CHECK(p[0]["published"] == "8000-8010");
  CHECK(p[0]["target"] == 80);
}

TEST_CASE("ports: long form gets defaults and canonical key order", "[ports]") {
  json p = ports_of("      - published: 8080\n        target: \"80\"\n        host_ip: 0.0.0.0\n        app_protocol: http\n");
  CHECK(p.dump() ==
        R"([{"mode":"ingress","host_ip":"0.0.0.0","target":80,"published":"8080","protocol":"tcp","app_protocol":"http"}])");
}

TEST_CASE("ports: invalid ports are errors at the item's position", "[ports]") {
  const std::string head = "services:\n  web:\n    image: nginx\n    ports:\n";
  CHECK(error_of(head + "      - \"80a\"\n") ==
        "compose.yaml:5:9: services.web.ports[0]: invalid port \"80a\": container port \"80a\" is not a port number (1-65535) or range");
  CHECK(error_of(head + "      - 80\n      - \"8080:70000\"\n") ==
        "compose.yaml:6:9: services.web.ports[1]: invalid port \"8080:70000\": container port \"70000\" is not a port number (1-65535) or range");
  CHECK(error_of(head + "      - \"80/icmp\"\n") ==
        "compose.yaml:5:9: services.web.ports[0]: invalid port \"80/icmp\": protocol \"icmp\" is not tcp, udp or sctp");
  CHECK(error_of(head + "      - \"8000-8001:80-82\"\n") ==
        "compose.yaml:5:9: services.web.ports[0]: invalid port \"8000-8001:80-82\": host and container port ranges have different sizes");
  CHECK(error_of(head + "      - \"1.2.3:80:80\"\n") ==
        "compose.yaml:5:9: services.web.ports[0]: invalid port \"1.2.3:80:80\": \"1.2.3\" is not an IP address");
  CHECK(error_of(head + "      - target: 0\n") ==
        "compose.yaml:5:17: services.web.ports[0].target: 0 is not a port number (1-65535)");
  CHECK(error_of(head + "      - published: 80\n") ==
        "compose.yaml:5:9: services.web.ports[0]: missing required key \"target\"");
  CHECK(error_of(head + "      - target: 80\n        publish: 80\n") ==
        "compose.yaml:6:9: services.web.ports[0]: unknown key \"publish\" (did you mean \"published\"?)");
  CHECK(error_of(head + "      80\n") == "compose.yaml:5:7: services.web.ports must be a list, got \"80\"");
}
