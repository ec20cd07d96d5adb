// `mycompose attach SERVICE`: the output of a running container of the service from now on,
// raw as docker attach prints it, until the container stops; its exit code is ours. With
// --sig-proxy (default) the signals the CLI gets are sent to the container; for a service
// with stdin_open, what we read on stdin goes to the container's stdin (unless --no-stdin);
// for a tty service too, with our terminal raw and --detach-keys (ctrl-p,ctrl-q) detaching.
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <atomic>
#include <iostream>
#include <mutex>
#include <optional>
#include <thread>

#include "attach.hpp"
#include "commands.hpp"
#include "container_table.hpp"
#include "engine_client.hpp"
#include "flags/attach.hpp"
#include "mycompose/common/error.hpp"
#include "mycompose/daemon/engine.hpp"
#include "mycompose/scheduler/container_store.hpp"
#include "project_request.hpp"
#include "service_container.hpp"

namespace mycompose::cli {
namespace {

using nlohmann::json;

// The signals --sig-proxy forwards (docker attach forwards all but a few it needs itself;
// SIGUSR1 is ours here: the stream thread's wake-up).
constexpr int kProxied[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR2};

std::string to_hex(const char* data, std::size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (std::size_t i = 0; i < n; ++i) {
    const auto b = static_cast<unsigned char>(data[i]);
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 15]);
  }
  return out;
}

// docker's --detach-keys ("ctrl-p,ctrl-q" by default): comma-separated, each a single
// character or ctrl-<a-z @ [ \ ] ^ _>. Throws Error as docker words it.
std::string detach_sequence(const std::string& keys) {
  const std::string spec = keys.empty() ? "ctrl-p,ctrl-q" : keys;
  std::string out;
  std::size_t start = 0;
  for (;;) {
    const std::size_t comma = spec.find(',', start);
    const std::string key = spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (key.size() == 1) {
      out.push_back(key[0]);
    } else if (key.size() == 6 && key.rfind("ctrl-", 0) == 0) {
      const char c = key[5];
      static const std::string specials = "@[\\]^_";
      if (c >= 'a' && c <= 'z') out.push_back(static_cast<char>(c - 'a' + 1));
      else if (specials.find(c) != std::string::npos) out.push_back(static_cast<char>(specials.find(c) == 0 ? 0 : 27 + specials.find(c) - 1));
      else throw Error("Invalid escape keys (" + keys + ") provided");
    } else {
      throw Error("Invalid escape keys (" + keys + ") provided");
    }
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

// The terminal in raw mode while attached to a tty service, as docker attach does: keys go
// to the container's terminal as typed (Ctrl-C included); restored on the way out.
class RawTerminal {
 public:
  RawTerminal() {
    if (!::isatty(STDIN_FILENO) || ::tcgetattr(STDIN_FILENO, &saved_) != 0) return;
    termios raw = saved_;
    ::cfmakeraw(&raw);
    raw.c_oflag = saved_.c_oflag;  // our output stays cooked ("\n" still returns the carriage)
    active_ = ::tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
  }
  ~RawTerminal() { restore(); }
  void restore() {
    if (active_) ::tcsetattr(STDIN_FILENO, TCSANOW, &saved_);
    active_ = false;
  }

 private:
  termios saved_{};
  bool active_ = false;
};

// Copies our stdin to the container's until EOF or `stop`. With an escape sequence (tty
// services, as docker's escape proxy), bytes that may begin it are held back until it is
// complete (returns true: detach) or broken (they are sent).
bool copy_stdin(const std::string& target, const std::string& escape, const std::atomic<bool>& stop) {
  EngineClient client = connect_engine();
  char buf[4096];
  std::string held;  // a prefix of `escape` read so far
  while (!stop) {
    pollfd p{STDIN_FILENO, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    const ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
    if (n == 0) return false;  // docker: the container's stdin stays open (no StdinOnce for services)
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return false;
    }
    std::string send;
    for (ssize_t i = 0; i < n; ++i) {
      if (escape.empty()) {
        send.push_back(buf[i]);
        continue;
      }
      held.push_back(buf[i]);
      if (held == escape) return true;
      if (escape.compare(0, held.size(), held) != 0) {
        send += held;
        held.clear();
      }
    }
    if (send.empty()) continue;
    try {
      client.call("POST", target + "/stdin", json{{"hex", to_hex(send.data(), send.size())}});
    } catch (const std::exception& e) {
      std::cerr << "error: " << e.what() << "\n";
      return false;
    }
  }
  return false;
}

}  // namespace

void register_attach(CLI::App& app, Context& ctx) {
  static flags::AttachOptions o;
  auto* cmd = flags::add_attach(app, o);
  cmd->callback([&ctx] {
    const compose::Project project = compose::load_project(ctx.load_options({o.service}));
    const auto services = project.model.value("services", nlohmann::ordered_json::object());
    if (!services.contains(o.service)) throw Error("no such service: " + o.service);
    scheduler::ContainerStore store(std::filesystem::absolute(daemon::default_root()));
    const auto rec = service_container(store, {project.name, o.service, o.index, true, false});
    const std::string target = "/projects/" + project.name + "/containers/" + rec.name;
    const bool with_stdin = !o.no_stdin && services[o.service].value("stdin_open", false);
    const bool tty = services[o.service].value("tty", false);
    const std::string escape = detach_sequence(o.detach_keys);  // checked even when unused, as docker does
    std::optional<RawTerminal> raw;
    if (with_stdin && tty) raw.emplace();

    sigset_t set;
    sigemptyset(&set);
    for (int s : kProxied) sigaddset(&set, s);
    sigaddset(&set, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    const pthread_t main_thread = pthread_self();

    std::mutex m;
    bool done = false;
    std::optional<int> exit_code;
    std::string stream_error;
    std::atomic<bool> stop_stdin{false};
    std::thread input;  // started by the reader, joined after it

    const json body = {{"project", project_json(project)},
                       {"options", {{"services", {o.service}}, {"index", rec.number}, {"follow", true}, {"tail", 0}, {"attach", true}}}};
    std::thread reader([&] {
      try {
        connect_engine().stream("POST", "/projects/" + project.name + "/logs", [&](const json& line) {
          if (line.contains("containers")) {
            // The engine follows the container from this line on: input sent now has its
            // answer in the stream.
            if (with_stdin)
              input = std::thread([&] {
                if (!copy_stdin(target, tty ? escape : std::string(), stop_stdin)) return;
                // The detach keys: leave the container running, as docker attach does.
                if (raw) raw->restore();
                std::cout.flush();
                std::cerr.flush();
                std::_Exit(0);
              });
            return true;
          }
          if (line.value("container", "") != rec.name) return true;
          if (line.contains("line")) {
            std::ostream& os = line.value("stream", "stdout") == "stderr" ? std::cerr : std::cout;
            os << line.value("line", "");
            if (!line.value("partial", false)) os << "\n";
            os.flush();
            return true;
          }
          const std::string event = line.value("event", "");
          const bool stopped = (event == "attach" && line.value("status", "") == "stopped") || event == "die" || event == "destroy";
          if (!stopped) return true;
          std::lock_guard<std::mutex> l(m);
          if (line.contains("exit_code")) exit_code = line["exit_code"].get<int>();
          return false;  // docker attach ends when the container stops
        }, &body);
      } catch (const std::exception& e) {
        std::lock_guard<std::mutex> l(m);
        stream_error = e.what();
      }
      std::lock_guard<std::mutex> l(m);
      done = true;
      pthread_kill(main_thread, SIGUSR1);
    });

    for (;;) {
      {
        std::lock_guard<std::mutex> l(m);
        if (done) break;
      }
      int sig = 0;
      sigwait(&set, &sig);
      if (sig == SIGUSR1) continue;
      if (!o.sig_proxy) {
        if (raw) raw->restore();
        // Without the proxy a signal ends the CLI as it would without us; the container runs on.
        std::cout.flush();
        std::cerr.flush();
        std::_Exit(128 + sig);
      }
      try {
        connect_engine().call("POST", target + "/kill", json{{"signal", std::to_string(sig)}});
      } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
      }
    }
    reader.join();
    stop_stdin = true;
    if (input.joinable()) input.join();
    unblock_after_wakeups(set);
    if (!stream_error.empty()) throw Error(stream_error);
    ctx.exit_code = exit_code.value_or(-1);
  });
}

}  // namespace mycompose::cli
