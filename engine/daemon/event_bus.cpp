#include "mycompose/daemon/event_bus.hpp"

#include <chrono>
#include <vector>

namespace mycompose::daemon {

EventBus::Subscription& EventBus::Subscription::operator=(Subscription&& o) noexcept {
  if (this != &o) {
    reset();
    bus_ = o.bus_;
    id_ = o.id_;
    o.bus_ = nullptr;
  }
  return *this;
}

void EventBus::Subscription::reset() {
  if (bus_) bus_->listeners_.erase(id_);
  bus_ = nullptr;
}

EventBus::Subscription EventBus::subscribe(Listener listener) {
  std::uint64_t id = next_id_++;
  listeners_.emplace(id, std::move(listener));
  return Subscription(this, id);
}

void EventBus::publish(const std::string& type, const std::string& action, const std::string& id,
                       const nlohmann::json& attributes) {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  long long ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now).count();
  publish(nlohmann::json{{"Type", type},
                         {"Action", action},
                         {"Actor", {{"ID", id}, {"Attributes", attributes.is_null() ? nlohmann::json::object() : attributes}}},
                         {"scope", "local"},
                         {"time", ns / 1000000000},
                         {"timeNano", ns}});
}

void EventBus::publish(const nlohmann::json& event) {
  // Ids first: a listener may unsubscribe itself or others while we iterate.
  std::vector<std::uint64_t> ids;
  ids.reserve(listeners_.size());
  for (const auto& [id, l] : listeners_) ids.push_back(id);
  for (auto id : ids) {
    auto it = listeners_.find(id);
    if (it == listeners_.end()) continue;
    Listener l = it->second;  // a copy: the listener may erase itself
    l(event);
  }
}

}  // namespace mycompose::daemon
