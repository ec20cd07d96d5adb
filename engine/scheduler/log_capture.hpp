#pragma once
// The engine's reader of every container's output (log_output.hpp): on the loop, both FIFOs
// of a container are split into lines (at 16 KiB a line is cut into partial entries, as
// Docker cuts it), stamped with the time they were read, written to the container's
// json-file log (unless its driver is "none") and handed to the listeners (`logs -f`,
// foreground `up`). A new engine attaches again to every container folder that has FIFOs:
// what the containers wrote while no engine ran waits in the pipes.
//
// Loop thread only.
#include <uv.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mycompose/common/uv_object.hpp"
#include "log_cursor.hpp"
#include "log_file.hpp"

namespace mycompose::scheduler {

class LogCapture {
 public:
  // written: where the entry ends in the container's json-file log (null: it has none), so
  // that a listener may skip entries and read them from the file later (log_cursor.hpp).
  using Listener = std::function<void(const std::string& container_id, const LogEntry& entry, const LogPosition* written)>;

  // Unsubscribes when destroyed; must not outlive the capture.
  class Subscription {
   public:
    Subscription() = default;
    Subscription(LogCapture* c, std::uint64_t id) : capture_(c), id_(id) {}
    Subscription(Subscription&& o) noexcept : capture_(o.capture_), id_(o.id_) { o.capture_ = nullptr; }
    Subscription& operator=(Subscription&& o) noexcept;
    Subscription(const Subscription&) = delete;
    ~Subscription() { reset(); }
    void reset();

   private:
    LogCapture* capture_ = nullptr;
    std::uint64_t id_ = 0;
  };

  // root: MYCOMPOSE_ROOT. Sweeps every few seconds (a container made by any path is found,
  // one removed is let go).
  LogCapture(uv_loop_t* loop, std::filesystem::path root);
  ~LogCapture();
  LogCapture(const LogCapture&) = delete;

  // Starts reading a container's FIFOs; nothing when it has none (yet). Idempotent.
  void attach(const std::string& id);
  // attach() for every container folder, and lets go of containers whose folder is gone.
  void sweep();
  // Reads what the container's FIFOs hold right now (before its exit is reported).
  void drain(const std::string& id);
  bool attached(const std::string& id) const { return captures_.count(id) > 0; }
  // The container's logging configuration (read at attach; Docker's default otherwise).
  LogConfig config(const std::string& id) const;
  // The end of the container's json-file log as written so far; nullopt when it is not
  // captured or has no log (driver none).
  std::optional<LogPosition> position(const std::string& id) const;
  // A container without a log (driver none): what it printed last (bounded), for foreground
  // up, which attaches once its containers run (docker compose attaches before they start).
  std::vector<LogEntry> recent(const std::string& id) const;

  Subscription subscribe(Listener listener);
  // Closes every handle (engine shutdown); containers keep writing into their pipes.
  void close();

 private:
  struct Capture;
  struct Reader;
  void on_readable(Reader& r);
  void emit(Capture& c, const std::string& stream, std::string text);
  void detach(const std::string& id);

  uv_loop_t* loop_;
  std::filesystem::path root_;
  UvTimer* sweep_timer_ = nullptr;  // closed by close()
  std::map<std::string, std::unique_ptr<Capture>> captures_;
  std::map<std::uint64_t, Listener> listeners_;
  std::uint64_t next_listener_ = 1;
};

}  // namespace mycompose::scheduler
