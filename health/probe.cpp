// A probe process: uv_spawn (fork+exec inside libuv, on the loop thread: no fork of the
// engine's threads), one pipe for stdout and stderr together, a timer for the timeout.
#include "mycompose/health/probe.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace mycompose::health {

namespace {

std::uint64_t to_ms(Duration d) {
  auto ms = std::chrono::ceil<std::chrono::milliseconds>(d).count();
  return ms > 0 ? static_cast<std::uint64_t>(ms) : 0;
}

int exit_code_of(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return -1;
}

}  // namespace

Probe::Probe(uv_loop_t* loop, Duration timeout, std::function<TimePoint()> now, Done done)
    : loop_(loop), timeout_(timeout), now_(std::move(now)), done_(std::move(done)) {}

std::shared_ptr<Probe> Probe::start(uv_loop_t* loop, const std::vector<std::string>& argv, Duration timeout,
                                    const ChildReaper& reaper, std::function<TimePoint()> now, Done done) {
  auto p = std::make_shared<Probe>(loop, timeout, std::move(now), std::move(done));
  p->keep_ = p;
  p->spawn(argv, reaper);
  return p;
}

void Probe::spawn(const std::vector<std::string>& argv, const ChildReaper& reaper) {
  start_ = now_();
  uv_timer_init(loop_, &timer_);
  timer_.data = this;
  timer_open_ = true;
  ++open_handles_;

  std::string failure;
  int fds[2] = {-1, -1};
  if (argv.empty()) failure = "healthcheck: no command to run";
  else if (::pipe2(fds, O_CLOEXEC) != 0) failure = std::string("healthcheck: pipe2: ") + std::strerror(errno);
  if (failure.empty()) {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    uv_stdio_container_t stdio[3];
    stdio[0].flags = UV_IGNORE;
    for (int i : {1, 2}) {
      stdio[i].flags = UV_INHERIT_FD;
      stdio[i].data.fd = fds[1];
    }
    uv_process_options_t o{};
    o.file = args[0];
    o.args = args.data();
    o.stdio = stdio;
    o.stdio_count = 3;
    // A session of its own: on timeout one kill(-pid) reaches the probe and everything it
    // started, the command inside the container included (it stays in this process group).
    o.flags = UV_PROCESS_DETACHED;
    // With a reaper, libuv must not wait for the pid itself (the engine's waitpid(-1) would race
    // it): the handle is closed below, before the loop can look at SIGCHLD.
    if (!reaper)
      o.exit_cb = [](uv_process_t* h, int64_t status, int signal) {
        static_cast<Probe*>(h->data)->exited(signal ? 128 + signal : static_cast<int>(status));
      };
    process_.data = this;
    int rc = uv_spawn(loop_, &process_, &o);
    ::close(fds[1]);
    // uv_spawn initialises the handle even when it fails: it is closed in every case.
    process_open_ = true;
    ++open_handles_;
    if (rc != 0) {
      ::close(fds[0]);
      failure = "healthcheck: cannot run " + argv[0] + ": " + uv_strerror(rc);
    } else {
      pid_ = process_.pid;
      running_ = true;
      if (reaper) {
        close_one(reinterpret_cast<uv_handle_t*>(&process_));
        std::weak_ptr<Probe> weak = weak_from_this();
        reaper(pid_, [weak](int status) {
          if (auto p = weak.lock()) p->exited(exit_code_of(status));
        });
      }
      uv_pipe_init(loop_, &out_, 0);
      out_.data = this;
      out_open_ = true;
      ++open_handles_;
      uv_pipe_open(&out_, fds[0]);
      uv_read_start(
          reinterpret_cast<uv_stream_t*>(&out_),
          [](uv_handle_t*, size_t, uv_buf_t* buf) {
            static thread_local char chunk[16384];
            *buf = uv_buf_init(chunk, sizeof chunk);
          },
          [](uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
            auto* p = static_cast<Probe*>(s->data);
            if (n > 0) p->append(buf->base, static_cast<std::size_t>(n));
            else if (n < 0) uv_read_stop(s);  // EOF or error: the exit decides the end
          });
      uv_timer_start(&timer_, [](uv_timer_t* t) { static_cast<Probe*>(t->data)->on_timeout(); }, to_ms(timeout_), 0);
      return;
    }
  }
  // Could not start: the result comes on the next loop turn, never from inside start().
  output_ = failure;
  uv_timer_start(&timer_, [](uv_timer_t* t) { static_cast<Probe*>(t->data)->exited(-1); }, 0, 0);
}

void Probe::append(const char* data, std::size_t n) {
  std::size_t room = kMaxOutputBytes > output_.size() ? kMaxOutputBytes - output_.size() : 0;
  output_.append(data, std::min(room, n));
  if (n > room) truncated_ = true;
}

void Probe::drain() {
  if (!out_open_) return;
  uv_read_stop(reinterpret_cast<uv_stream_t*>(&out_));
  uv_os_fd_t fd;
  if (uv_fileno(reinterpret_cast<uv_handle_t*>(&out_), &fd) != 0) return;
  // Whatever the probe wrote before it exited is in the pipe now; a process it left behind
  // that still holds the pipe open must not hold the result back (the fd is non-blocking).
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) append(buf, static_cast<std::size_t>(n));
    else if (n < 0 && errno == EINTR) continue;
    else break;
  }
}

void Probe::on_timeout() {
  timed_out_ = true;
  kill_group();  // the exit comes through the reaper / exit callback
}

void Probe::kill_group() {
  if (!running_ || pid_ <= 0) return;
  if (::kill(-pid_, SIGKILL) != 0) ::kill(pid_, SIGKILL);
}

void Probe::exited(int exit_code) {
  running_ = false;
  if (dropped_) {
    close_handles();
    return;
  }
  drain();
  ProbeResult r;
  r.start = start_;
  r.end = now_();
  r.output = limit_output(output_, truncated_);
  r.exit_code = exit_code;
  if (timed_out_) {
    r.exit_code = -1;
    r.output = timeout_message(timeout_, r.output);
  }
  close_handles();
  if (auto done = std::move(done_)) done(std::move(r));
}

void Probe::cancel() {
  done_ = nullptr;
  dropped_ = true;
  kill_group();
  close_handles();  // without a reaper the process handle waits for its exit callback
}

void Probe::close_handles() {
  if (timer_open_) {
    uv_timer_stop(&timer_);
    close_one(reinterpret_cast<uv_handle_t*>(&timer_));
  }
  if (out_open_) {
    uv_read_stop(reinterpret_cast<uv_stream_t*>(&out_));
    close_one(reinterpret_cast<uv_handle_t*>(&out_));
  }
  if (process_open_ && !running_) close_one(reinterpret_cast<uv_handle_t*>(&process_));
}

void Probe::close_one(uv_handle_t* h) {
  if (h == reinterpret_cast<uv_handle_t*>(&timer_)) timer_open_ = false;
  if (h == reinterpret_cast<uv_handle_t*>(&out_)) out_open_ = false;
  if (h == reinterpret_cast<uv_handle_t*>(&process_)) process_open_ = false;
  uv_close(h, [](uv_handle_t* h) {
    auto* p = static_cast<Probe*>(h->data);
    if (--p->open_handles_ == 0) {
      auto last = std::move(p->keep_);  // may destroy *p when this goes out of scope
    }
  });
}

}  // namespace mycompose::health
