#include "event_history.hpp"

namespace mycompose::scheduler {

EventHistory::EventHistory(daemon::EventBus& bus) {
  sub_ = bus.subscribe([this](const nlohmann::json& ev) {
    kept_.push_back(ev);
    if (kept_.size() > kKept) kept_.pop_front();
  });
}

void EventHistory::replay(std::int64_t since_ns, const std::function<void(const nlohmann::json&)>& each) const {
  for (const auto& ev : kept_)
    if (ev.value("timeNano", std::int64_t{0}) >= since_ns) each(ev);
}

}  // namespace mycompose::scheduler
