#pragma once
// File-change notifications for `watch`: every folder under the watched paths gets a libuv
// fs_event (inotify, which is not recursive on Linux), folders created later are added as
// they appear, and what changed is batched as docker compose does it (pkg/watch/debounce.go):
// the batch goes out once no event came for 500 ms. A watched path that does not exist yet
// is waited for through its nearest existing parent.
//
// Bounded: at most `max_dirs` folders are watched (inotify watches are a per-user budget)
// and a batch holds at most `max_batch` distinct paths (it goes out early when full).
#include <uv.h>

#include <cstddef>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace mycompose::cli::watch {

struct NotifyLimits {
  std::size_t max_dirs = 8192;
  std::size_t max_batch = 10000;
  unsigned quiet_ms = 500;  // docker compose's QuietPeriod
};

class Notifier {
 public:
  using OnBatch = std::function<void(const std::vector<std::string>&)>;
  using OnWarning = std::function<void(const std::string&)>;

  // Runs on `loop`; start() adds the watches. paths: absolute.
  Notifier(uv_loop_t* loop, std::vector<std::string> paths, OnBatch on_batch, OnWarning warn, NotifyLimits limits = {});
  ~Notifier();
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  void start();
  // Closes every handle; the loop must then run once more to deliver the close callbacks.
  void close();
  std::size_t watched_dirs() const { return dirs_.size(); }

 private:
  static void on_event(uv_fs_event_t* h, const char* filename, int events, int status);
  static void on_quiet(uv_timer_t* t);
  bool under_watched(const std::string& p) const;   // equal to or below a watched path
  bool above_watched(const std::string& p) const;   // a strict parent of a watched path
  // Watches `dir` if it is needed, and what below it is; emit: report what is found below.
  void add_tree(const std::string& dir, bool emit, int depth);
  void add_dir(const std::string& dir);
  void drop_tree(const std::string& dir);
  void event(const std::string& dir, const char* filename);
  void push(const std::string& path);
  void flush();

  uv_loop_t* loop_;
  std::vector<std::string> paths_;
  OnBatch on_batch_;
  OnWarning warn_;
  NotifyLimits limits_;
  std::map<std::string, uv_fs_event_t*> dirs_;
  uv_timer_t* timer_ = nullptr;
  std::set<std::string> pending_;
  bool warned_dirs_ = false;
  bool closed_ = false;
};

}  // namespace mycompose::cli::watch
