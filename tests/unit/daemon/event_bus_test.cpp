// The in-process event bus: Docker's event shape, RAII subscriptions, changes while publishing.
#include <catch2/catch.hpp>

#include "mycompose/daemon/event_bus.hpp"

using mycompose::daemon::EventBus;
using nlohmann::json;

TEST_CASE("events have Docker's shape and reach every subscriber until it unsubscribes") {
  EventBus bus;
  std::vector<json> a, b;
  auto sa = bus.subscribe([&](const json& e) { a.push_back(e); });
  {
    auto sb = bus.subscribe([&](const json& e) { b.push_back(e); });
    bus.publish("container", "die", "web-1", {{"exitCode", "3"}});
    CHECK(bus.listener_count() == 2);
  }
  CHECK(bus.listener_count() == 1);
  bus.publish("network", "create", "n1");
  REQUIRE(a.size() == 2);
  REQUIRE(b.size() == 1);
  CHECK(a[0]["Type"] == "container");
  CHECK(a[0]["Action"] == "die");
  CHECK(a[0]["Actor"]["ID"] == "web-1");
  CHECK(a[0]["Actor"]["Attributes"]["exitCode"] == "3");
  CHECK(a[0]["scope"] == "local");
  CHECK(a[0]["time"].get<long long>() == a[0]["timeNano"].get<long long>() / 1000000000);
  CHECK(a[1]["Actor"]["Attributes"] == json::object());
}

TEST_CASE("a listener may unsubscribe itself and another while an event is delivered") {
  EventBus bus;
  EventBus::Subscription s1, s2;
  int calls1 = 0, calls2 = 0;
  s1 = bus.subscribe([&](const json&) {
    ++calls1;
    s1.reset();
    s2.reset();
  });
  s2 = bus.subscribe([&](const json&) { ++calls2; });
  bus.publish("x", "y", "z");
  bus.publish("x", "y", "z");
  CHECK(calls1 == 1);
  CHECK(calls2 == 0);  // removed before its turn
  CHECK(bus.listener_count() == 0);
}
