#pragma once
// The engine's in-process event bus: modules publish container/network/image events, the
// API streams them to `GET /events` clients. Loop thread only.
#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace mycompose::daemon {

class EventBus {
 public:
  using Listener = std::function<void(const nlohmann::json& event)>;

  // Unsubscribes when destroyed; must not outlive the bus.
  class Subscription {
   public:
    Subscription() = default;
    Subscription(EventBus* bus, std::uint64_t id) : bus_(bus), id_(id) {}
    Subscription(Subscription&& o) noexcept : bus_(o.bus_), id_(o.id_) { o.bus_ = nullptr; }
    Subscription& operator=(Subscription&& o) noexcept;
    Subscription(const Subscription&) = delete;
    ~Subscription() { reset(); }
    void reset();

   private:
    EventBus* bus_ = nullptr;
    std::uint64_t id_ = 0;
  };

  Subscription subscribe(Listener listener);

  // Docker's event shape: {"Type","Action","Actor":{"ID","Attributes"},"time","timeNano"}
  // (plus "scope":"local"). Listeners may subscribe or unsubscribe while being called.
  void publish(const std::string& type, const std::string& action, const std::string& id,
               const nlohmann::json& attributes = nlohmann::json::object());
  void publish(const nlohmann::json& event);

  std::size_t listener_count() const { return listeners_.size(); }

 private:
  std::map<std::uint64_t, Listener> listeners_;
  std::uint64_t next_id_ = 1;
};

}  // namespace mycompose::daemon
