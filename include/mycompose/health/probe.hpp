#pragma once
// One probe process on the loop: its output (stdout and stderr together, limited as Docker's),
// its timeout (SIGKILL to its process group), its wait status. Used by the health monitor and
// by the engine routes that run `mycompose runtime` (exec -d).
#include <uv.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "mycompose/health/monitor.hpp"

namespace mycompose::health {

class Probe : public std::enable_shared_from_this<Probe> {
 public:
  using Done = std::function<void(ProbeResult)>;

  // Starts argv; done is called once on the loop with the result (never after cancel()). A
  // program that cannot be started gives exit code -1 and the reason as its output.
  static std::shared_ptr<Probe> start(uv_loop_t* loop, const std::vector<std::string>& argv, Duration timeout,
                                      const ChildReaper& reaper, std::function<TimePoint()> now, Done done);
  // Kills the probe's process group and drops its result.
  void cancel();

  Probe(uv_loop_t* loop, Duration timeout, std::function<TimePoint()> now, Done done);

 private:
  void spawn(const std::vector<std::string>& argv, const ChildReaper& reaper);
  void exited(int exit_code);
  void on_timeout();
  void kill_group();
  void append(const char* data, std::size_t n);
  void drain();
  void close_handles();
  void close_one(uv_handle_t* h);

  uv_loop_t* loop_;
  Duration timeout_;
  std::function<TimePoint()> now_;
  Done done_;
  TimePoint start_;
  pid_t pid_ = 0;
  bool running_ = false, timed_out_ = false, dropped_ = false, truncated_ = false;
  std::string output_;
  uv_process_t process_{};
  uv_pipe_t out_{};
  uv_timer_t timer_{};
  bool process_open_ = false, out_open_ = false, timer_open_ = false;
  int open_handles_ = 0;
  // Keeps this object alive while libuv holds pointers to its handles.
  std::shared_ptr<Probe> keep_;
};

}  // namespace mycompose::health
