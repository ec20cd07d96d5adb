#include "log_capture.hpp"

#include <unistd.h>

#include <cerrno>
#include <deque>
#include <vector>

#include <spdlog/spdlog.h>

#include "log_output.hpp"
#include "mycompose/common/unique_fd.hpp"

namespace mycompose::scheduler {
namespace stdfs = std::filesystem;

namespace {
constexpr std::size_t kMaxLine = 16 * 1024;          // Docker's copier buffer: longer lines become partial entries
constexpr std::size_t kMaxReadPerWake = 1 << 20;     // one busy container cannot hold the loop
constexpr std::uint64_t kSweepMs = 2000;
}  // namespace

// One FIFO being read. Owned by its uv_poll_t's close callback once closing starts, so the
// handle never outlives its memory.
struct LogCapture::Reader {
  uv_poll_t poll;
  UniqueFd fd;
  std::string stream;
  std::string pending;
  Capture* owner = nullptr;
  LogCapture* capture = nullptr;
};

struct LogCapture::Capture {
  std::string id;
  LogConfig config;
  std::unique_ptr<JsonFileLog> file;
  std::deque<LogEntry> recent;  // driver none only: recent()
  std::size_t recent_bytes = 0;
  Reader* out = nullptr;
  Reader* err = nullptr;
};

LogCapture::Subscription& LogCapture::Subscription::operator=(Subscription&& o) noexcept {
  if (this != &o) {
    reset();
    capture_ = o.capture_;
    id_ = o.id_;
    o.capture_ = nullptr;
  }
  return *this;
}

void LogCapture::Subscription::reset() {
  if (capture_) capture_->listeners_.erase(id_);
  capture_ = nullptr;
}

LogCapture::LogCapture(uv_loop_t* loop, stdfs::path root) : loop_(loop), root_(std::move(root)) {
  sweep_timer_ = UvTimer::open(loop_, [this](UvTimer&) { sweep(); });
  sweep_timer_->start(kSweepMs, kSweepMs);
  sweep_timer_->unref();
}

LogCapture::~LogCapture() { close(); }

void LogCapture::close() {
  if (sweep_timer_) {
    sweep_timer_->close();
    sweep_timer_ = nullptr;
  }
  std::vector<std::string> ids;
  for (const auto& [id, c] : captures_) ids.push_back(id);
  for (const auto& id : ids) detach(id);
  listeners_.clear();
}

void LogCapture::attach(const std::string& id) {
  if (captures_.count(id) || !sweep_timer_) return;
  const stdfs::path dir = root_ / "containers" / id;
  UniqueFd out = open_fifo_reader(dir / kStdoutFifo), err = open_fifo_reader(dir / kStderrFifo);
  if (!out || !err) return;
  auto c = std::make_unique<Capture>();
  c->id = id;
  c->config = read_log_config(dir);
  if (c->config.driver != "none") {
    try {
      c->file = std::make_unique<JsonFileLog>(json_log_path(dir), c->config);
    } catch (const std::exception& e) {
      spdlog::warn("logs of container {}: {}", id, e.what());
    }
  }
  for (auto [fd, stream] : {std::pair{&out, "stdout"}, std::pair{&err, "stderr"}}) {
    auto* r = new Reader;
    r->fd = std::move(*fd);
    r->stream = stream;
    r->owner = c.get();
    r->capture = this;
    uv_poll_init(loop_, &r->poll, r->fd.get());
    r->poll.data = r;
    uv_poll_start(&r->poll, UV_READABLE, [](uv_poll_t* h, int status, int) {
      auto* r = static_cast<Reader*>(h->data);
      if (status < 0 || !r->owner) return;
      r->capture->on_readable(*r);
    });
    (std::string(stream) == "stdout" ? c->out : c->err) = r;
  }
  spdlog::debug("logs: capturing container {}", id);
  Capture& ref = *c;
  captures_[id] = std::move(c);
  // What waited in the pipes (written while no engine ran) is read now.
  on_readable(*ref.out);
  if (captures_.count(id)) on_readable(*ref.err);
}

void LogCapture::detach(const std::string& id) {
  auto it = captures_.find(id);
  if (it == captures_.end()) return;
  for (Reader* r : {it->second->out, it->second->err}) {
    if (!r) continue;
    r->owner = nullptr;
    uv_poll_stop(&r->poll);
    uv_close(reinterpret_cast<uv_handle_t*>(&r->poll), [](uv_handle_t* h) { delete static_cast<Reader*>(h->data); });
  }
  captures_.erase(it);
}

void LogCapture::sweep() {
  std::error_code ec;
  std::vector<std::string> gone;
  for (const auto& [id, c] : captures_)
    if (!stdfs::exists(root_ / "containers" / id, ec)) gone.push_back(id);
  for (const auto& id : gone) detach(id);
  for (const auto& e : stdfs::directory_iterator(root_ / "containers", ec)) {
    const std::string id = e.path().filename().string();
    if (!captures_.count(id)) attach(id);
  }
}

void LogCapture::drain(const std::string& id) {
  auto it = captures_.find(id);
  if (it == captures_.end()) return;
  Capture& c = *it->second;
  on_readable(*c.out);
  if (captures_.count(id)) on_readable(*c.err);
}

LogConfig LogCapture::config(const std::string& id) const {
  auto it = captures_.find(id);
  return it != captures_.end() ? it->second->config : read_log_config(root_ / "containers" / id);
}

std::optional<LogPosition> LogCapture::position(const std::string& id) const {
  auto it = captures_.find(id);
  if (it == captures_.end() || !it->second->file) return std::nullopt;
  return LogPosition{it->second->file->ino(), static_cast<std::uint64_t>(it->second->file->size())};
}

LogCapture::Subscription LogCapture::subscribe(Listener listener) {
  const std::uint64_t id = next_listener_++;
  listeners_[id] = std::move(listener);
  return Subscription(this, id);
}

void LogCapture::on_readable(Reader& r) {
  char buf[65536];
  std::size_t total = 0;
  while (r.owner && total < kMaxReadPerWake) {
    ssize_t n = ::read(r.fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EAGAIN: drained (O_RDWR: never EOF)
    total += static_cast<std::size_t>(n);
    r.pending.append(buf, static_cast<std::size_t>(n));
    std::size_t start = 0;
    for (;;) {
      std::size_t nl = r.pending.find('\n', start);
      if (nl != std::string::npos && nl - start < kMaxLine) {
        emit(*r.owner, r.stream, r.pending.substr(start, nl + 1 - start));
        start = nl + 1;
      } else if (r.pending.size() - start >= kMaxLine) {
        emit(*r.owner, r.stream, r.pending.substr(start, kMaxLine));
        start += kMaxLine;
      } else {
        break;
      }
    }
    r.pending.erase(0, start);
  }
}

std::vector<LogEntry> LogCapture::recent(const std::string& id) const {
  auto it = captures_.find(id);
  if (it == captures_.end()) return {};
  return {it->second->recent.begin(), it->second->recent.end()};
}

void LogCapture::emit(Capture& c, const std::string& stream, std::string text) {
  LogEntry e;
  e.stream = stream;
  e.time_ns = unix_now_ns();
  e.text = std::move(text);
  std::optional<LogPosition> written;
  if (c.config.driver == "none") {
    constexpr std::size_t kRecentBytes = 256 * 1024;
    c.recent_bytes += e.text.size();
    c.recent.push_back(e);
    while (c.recent_bytes > kRecentBytes && !c.recent.empty()) {
      c.recent_bytes -= c.recent.front().text.size();
      c.recent.pop_front();
    }
  }
  if (c.file) {
    try {
      c.file->write(e);
      written = LogPosition{c.file->ino(), static_cast<std::uint64_t>(c.file->size())};
    } catch (const std::exception& ex) {
      spdlog::warn("logs of container {}: {}", c.id, ex.what());
    }
  }
  // A listener may subscribe or unsubscribe while being called.
  std::vector<std::uint64_t> ids;
  for (const auto& [id, l] : listeners_) ids.push_back(id);
  const std::string container = c.id;  // c may be detached by a listener
  for (auto id : ids) {
    auto it = listeners_.find(id);
    if (it != listeners_.end()) it->second(container, e, written ? &*written : nullptr);
  }
}

}  // namespace mycompose::scheduler
