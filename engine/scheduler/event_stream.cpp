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

namespace mycompose::scheduler {
using nlohmann::json;

namespace {

std::string event_time(long long nanos) {
  const time_t secs = static_cast<time_t>(nanos / 1'000'000'000);
  tm t;
  ::gmtime_r(&secs, &t);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%09lldZ", t.tm_year + 1900, t.tm_mon + 1, t.tm_mday, t.tm_hour, t.tm_min,
                t.tm_sec, nanos % 1'000'000'000);
  return buf;
}

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
                {"time", event_time(ev.value("timeNano", 0LL))}, {"type", "container"}};
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
    timer_ = new uv_timer_t;
    uv_timer_init(engine.loop(), timer_);
    timer_->data = this;
    const std::int64_t left_ms = std::max<std::int64_t>(0, (*q_.until - now_ns()) / 1'000'000 + 1);
    uv_timer_start(timer_, [](uv_timer_t* t) { static_cast<EventStream*>(t->data)->finish(); }, static_cast<std::uint64_t>(left_ms), 0);
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
      uv_timer_stop(timer_);
      uv_close(reinterpret_cast<uv_handle_t*>(timer_), [](uv_handle_t* h) { delete reinterpret_cast<uv_timer_t*>(h); });
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
  uv_timer_t* timer_ = nullptr;
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
  if (query.until && *query.until < now_ns()) {
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
