// One `events` stream of a project: replay from the EventHistory, then live from the bus
// until the client goes or `until` passes.
#include <uv.h>

#include <cstdio>
#include <ctime>
#include <map>

#include "event_history.hpp"
#include "log_file.hpp"
#include "mycompose/daemon/engine.hpp"
#include "mycompose/scheduler/container_store.hpp"
#include "mycompose/common/time_text.hpp"
#include "mycompose/common/uv_object.hpp"

namespace mycompose::scheduler {
using nlohmann::json;

namespace {

class EventStream : public std::enable_shared_from_this<EventStream> {
 public:
  EventStream(EventQuery q, std::shared_ptr<ContainerStore> store, std::weak_ptr<daemon::Responder> out)
      : q_(std::move(q)), store_(std::move(store)), out_(std::move(out)) {}
  ~EventStream() { stop(); }

  // The bus event as the stream shows it; nullopt when it is not one of the project's.
  std::optional<json> shown(const json& ev) {
    if (ev.value("Type", "") != "container") return std::nullopt;
    const json actor = ev.value("Actor", json::object());
    const std::string id = actor.value("ID", "");
    json attrs = actor.value("Attributes", json::object());
    std::string owner = attrs.value("com.docker.compose.project", ""), service = attrs.value("com.docker.compose.service", "");
    if (owner.empty()) {
      auto it = known_.find(id);
      if (it == known_.end()) it = known_.emplace(id, store_->find(id)).first;
      if (!it->second) return std::nullopt;
      owner = it->second->project;
      service = it->second->service;
      attrs["name"] = it->second->name;
      attrs["image"] = it->second->image;
    }
    if (owner != q_.project || (!q_.services.empty() && !q_.services.count(service))) return std::nullopt;
    json attributes = json::object();
    for (const auto& [k, v] : attrs.items())
      if (k.rfind("com.docker.compose.", 0) != 0) attributes[k] = v;
    return json{{"action", ev.value("Action", "")}, {"attributes", attributes}, {"id", id},       {"service", service},
                {"time", format_rfc3339(ev.value("timeNano", 0LL), Fraction::nano_fixed)}, {"type", "container"}};
  }

  // Sends the event if it is the project's and in the window; false once the stream is over.
  bool offer(const json& ev) {
    if (q_.until && ev.value("timeNano", std::int64_t{0}) > *q_.until) {
      finish();
      return false;
    }
    if (auto j = shown(ev)) {
      auto out = out_.lock();
      if (!out || !out->send_line(*j)) {
        stop();
        return false;
      }
    }
    return true;
  }

  void follow(daemon::Engine& engine) {
    std::weak_ptr<EventStream> weak = weak_from_this();
    sub_ = engine.events().subscribe([weak](const json& ev) {
      if (auto self = weak.lock()) self->offer(ev);
    });
    if (!q_.until) return;
    timer_ = UvTimer::open(engine.loop(), [this](UvTimer&) { finish(); });
    const std::int64_t left_ms = std::max<std::int64_t>(0, (*q_.until - unix_now_ns()) / 1'000'000 + 1);
    timer_->start(static_cast<std::uint64_t>(left_ms));
  }

  // `until` has passed: the answer is complete.
  void finish() {
    auto keep = shared_from_this();
    stop();
    if (auto out = out_.lock()) out->end_stream();
    self_.reset();
  }

  void stop() {
    sub_.reset();
    if (timer_) {
      timer_->close();
      timer_ = nullptr;
    }
  }

  // The stream keeps itself alive until it ends or its client goes (on_close).
  std::shared_ptr<EventStream> self_;

 private:
  EventQuery q_;
  std::shared_ptr<ContainerStore> store_;
  std::weak_ptr<daemon::Responder> out_;
  std::map<std::string, std::optional<ContainerRecord>> known_;
  daemon::EventBus::Subscription sub_;
  UvTimer* timer_ = nullptr;  // `until`: closed by stop()
};

}  // namespace

void serve_project_events(daemon::Engine& engine, const EventHistory& history, std::shared_ptr<ContainerStore> store,
                          const EventQuery& query, const std::shared_ptr<daemon::Responder>& out) {
  auto stream = std::make_shared<EventStream>(query, std::move(store), out);
  out->start_stream();
  bool open = true;
  if (query.since)
    history.replay(*query.since, [&](const json& ev) {
      if (open) open = stream->offer(ev);
    });
  if (!open) return;
  if (query.until && *query.until < unix_now_ns()) {
    out->end_stream();
    return;
  }
  stream->self_ = stream;
  stream->follow(engine);
  out->on_close([stream] {
    stream->stop();
    stream->self_.reset();
  });
}

}  // namespace mycompose::scheduler
