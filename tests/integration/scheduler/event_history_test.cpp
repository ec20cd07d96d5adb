// The engine's recent events for `events --since`: bounded, oldest first, from a time on.
#include <catch2/catch.hpp>

#include "../../../engine/scheduler/event_history.hpp"

using mycompose::scheduler::EventHistory;

TEST_CASE("event history: keeps the last 1000 events of the bus and replays them from a time on") {
  mycompose::daemon::EventBus bus;
  EventHistory history(bus);
  const std::size_t total = EventHistory::kKept + 5;
  for (std::size_t i = 0; i < total; ++i) bus.publish("container", "start", "c" + std::to_string(i));

  std::vector<nlohmann::json> all;
  history.replay(0, [&](const nlohmann::json& ev) { all.push_back(ev); });
  REQUIRE(all.size() == EventHistory::kKept);
  CHECK(all.front()["Actor"]["ID"] == "c5");  // the oldest five are gone
  CHECK(all.back()["Actor"]["ID"] == "c" + std::to_string(total - 1));

  // From the time of one kept event on: that one and every later one.
  const auto& middle = all[500];
  const std::int64_t since = middle["timeNano"].get<std::int64_t>();
  std::vector<nlohmann::json> later;
  history.replay(since, [&](const nlohmann::json& ev) { later.push_back(ev); });
  REQUIRE(!later.empty());
  CHECK(later.back()["Actor"]["ID"] == all.back()["Actor"]["ID"]);
  CHECK(later.size() >= all.size() - 500);  // the middle one and all after it
  CHECK(later.size() < all.size());         // not the first (the clock moved on during 500 publishes)
  for (const auto& ev : later) CHECK(ev["timeNano"].get<std::int64_t>() >= since);

  // Closed: what the bus publishes next is not kept.
  history.close();
  bus.publish("container", "die", "late");
  std::size_t after = 0;
  history.replay(0, [&](const nlohmann::json&) { ++after; });
  CHECK(after == EventHistory::kKept);
}
