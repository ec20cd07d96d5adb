// The Docker CLI's grouping of a container's ports (DisplayablePorts) and the API's port list
// (published bindings, exposed ports without one).
#include <catch2/catch.hpp>

#include "../../../engine/scheduler/exposed_ports.hpp"
#include "../../../engine/scheduler/port_display.hpp"

using namespace mycompose::scheduler;

TEST_CASE("displayable_ports groups consecutive exposed ports of a protocol") {
  CHECK(displayable_ports({{"", 0, 9092, "tcp"}, {"", 0, 9091, "tcp"}}) == "9091-9092/tcp");
  // A group broken by a gap is written at once, the open ones at the end (as the Docker CLI).
  CHECK(displayable_ports({{"", 0, 80, "tcp"}, {"", 0, 82, "tcp"}, {"", 0, 53, "udp"}}) == "80/tcp, 53/udp, 82/tcp");
  CHECK(displayable_ports({}) == "");
}

TEST_CASE("displayable_ports shows a port published to its own number as a group, others after") {
  CHECK(displayable_ports({{"0.0.0.0", 8080, 80, "tcp"}, {"", 0, 443, "tcp"}}) == "443/tcp, 0.0.0.0:8080->80/tcp");
  CHECK(displayable_ports({{"0.0.0.0", 8000, 8000, "tcp"}, {"0.0.0.0", 8001, 8001, "tcp"}}) == "0.0.0.0:8000-8001->8000-8001/tcp");
  CHECK(displayable_ports({{"::", 8080, 80, "tcp"}}) == "[::]:8080->80/tcp");
}

TEST_CASE("container_ports lists an exposed port without a binding once, and a published one by its bindings") {
  const auto ports = container_ports({{"127.0.0.1", 18080, 80, "tcp"}}, {{80, "tcp"}, {80, "udp"}, {9091, "tcp"}});
  REQUIRE(ports.size() == 3u);
  CHECK(ports[0] == PortEntry{"127.0.0.1", 18080, 80, "tcp"});
  CHECK(ports[1] == PortEntry{"", 0, 80, "udp"});
  CHECK(ports[2] == PortEntry{"", 0, 9091, "tcp"});
}

TEST_CASE("exposed_ports merges the image's EXPOSE, expose (ranges expanded) and the targets of ports") {
  const auto def = nlohmann::ordered_json::parse(R"({"expose": ["9091-9092", "53/udp", 7000, "x", "5-3"],
    "ports": [{"target": 80, "published": "8080", "protocol": "tcp"}, {"target": 9091, "protocol": "tcp"}]})");
  const auto image = nlohmann::json::parse(R"({"config": {"ExposedPorts": {"8080/tcp": {}, "53/udp": {}}}})");
  const std::vector<ExposedPort> want = {{53, "udp"}, {80, "tcp"}, {7000, "tcp"}, {8080, "tcp"}, {9091, "tcp"}, {9092, "tcp"}};
  CHECK(exposed_ports(def, image) == want);
  CHECK(exposed_ports(nlohmann::ordered_json::object(), nlohmann::json::object()).empty());
}
