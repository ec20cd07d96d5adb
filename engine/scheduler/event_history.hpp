#pragma once
// The engine's recent events, for `events --since`: the EventBus only hands events to the
// listeners of the moment, so this keeps the last ones (bounded, as dockerd keeps its own
// in memory) and replays them to a stream that asks for the past. Loop thread only.
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "mycompose/daemon/event_bus.hpp"

namespace mycompose::scheduler {

class EventHistory {
 public:
  static constexpr std::size_t kKept = 1000;

  explicit EventHistory(daemon::EventBus& bus);
  // Stops recording (the bus must outlive the subscription: call before it goes).
  void close() { sub_.reset(); }

  // The kept events whose timeNano is at least since_ns, oldest first.
  void replay(std::int64_t since_ns, const std::function<void(const nlohmann::json&)>& each) const;

 private:
  std::deque<nlohmann::json> kept_;
  daemon::EventBus::Subscription sub_;
};

}  // namespace mycompose::scheduler

namespace mycompose::daemon {
class Engine;
class Responder;
}  // namespace mycompose::daemon

namespace mycompose::scheduler {

class ContainerStore;

struct EventQuery {
  std::string project;
  std::set<std::string> services;  // empty: all
  std::optional<std::int64_t> since, until;  // ns since the epoch
};

// GET /projects/{name}/events: the project's container events as docker compose events
// prints them ({"action","attributes","id","service","time","type"}), first the kept ones
// from `since` on, then live; the stream ends at `until` (at once when it is past).
void serve_project_events(daemon::Engine& engine, const EventHistory& history, std::shared_ptr<ContainerStore> store,
                          const EventQuery& query, const std::shared_ptr<daemon::Responder>& out);

}  // namespace mycompose::scheduler
