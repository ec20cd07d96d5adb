#include "attach.hpp"

#include <pthread.h>
#include <signal.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <set>
#include <thread>

#include "engine_client.hpp"
#include "mycompose/common/error.hpp"
#include "mycompose/common/warning.hpp"
#include "mycompose/daemon/engine.hpp"
#include "project_request.hpp"

namespace mycompose::cli {

using nlohmann::json;

namespace {

// Streams the project's logs; on_line returns false to stop reading.
void stream_logs(const compose::Project& project, const json& options, const std::function<bool(const json&)>& on_line) {
  EngineClient client = EngineClient::connect(std::filesystem::absolute(daemon::default_root()));
  const json body = {{"project", project_json(project)}, {"options", options}};
  client.stream("POST", "/projects/" + project.name + "/logs", on_line, &body);
}

bool alive(const std::string& status) { return status == "running" || status == "paused" || status == "created"; }

// Which of the followed containers still run, from the stream's events.
struct Liveness {
  std::set<std::string> up;
  std::set<std::string> unattached;  // listed at the start, their "attach" event not read yet
  bool seen = false;  // any container at all
  void expect(const json& containers) {
    for (const auto& c : containers) unattached.insert(c.value("container", ""));
  }
  // Every container followed has stopped.
  bool finished() const { return seen && unattached.empty() && up.empty(); }
  // Returns the exit code when the line says a container stopped.
  std::optional<int> apply(const json& line, bool* stopped) {
    *stopped = false;
    const std::string event = line.value("event", ""), name = line.value("container", "");
    if (event.empty()) return std::nullopt;
    const int code = line.value("exit_code", -1);
    if (event == "attach") {
      seen = true;
      unattached.erase(name);
      if (alive(line.value("status", ""))) up.insert(name);
      else {
        if (line.value("restarting", false)) up.insert(name);
        *stopped = true;
        return code;
      }
    } else if (event == "start") {
      up.insert(name);
    } else if (event == "die" || event == "destroy") {
      *stopped = event == "die" || up.count(name);
      // Its restart policy brings it back: still followed, as compose does.
      if (!(event == "die" && line.value("restarting", false))) up.erase(name);
      return code;
    }
    return std::nullopt;
  }
};

}  // namespace

void unblock_after_wakeups(const sigset_t& blocked) {
  // A wake-up sent after the last wait is still pending: take it before unblocking, or it
  // would end the process (SIGUSR1's default action).
  sigset_t usr1;
  sigemptyset(&usr1);
  sigaddset(&usr1, SIGUSR1);
  const timespec zero{0, 0};
  while (sigtimedwait(&usr1, nullptr, &zero) == SIGUSR1) {
  }
  pthread_sigmask(SIG_UNBLOCK, &blocked, nullptr);
}

std::string since_now() {
  timespec ts;
  ::clock_gettime(CLOCK_REALTIME, &ts);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%lld.%09ld", static_cast<long long>(ts.tv_sec), ts.tv_nsec);
  return buf;
}

void print_logs(const compose::Project& project, const json& options, LogPrinter& printer) {
  const bool follow = options.value("follow", false);
  Liveness live;
  bool listed = false;
  stream_logs(project, options, [&](const json& line) {
    if (line.contains("warning")) {  // a container whose logs cannot be read (driver none)
      print_warning(line.value("warning", ""));
      return true;
    }
    if (line.contains("containers")) {
      for (const auto& c : line["containers"]) printer.add(display_name(c.value("container", ""), project.name), c.value("service", ""));
      live.expect(line["containers"]);
      listed = true;
      if (follow && line["containers"].empty()) return false;  // nothing to follow
      return true;
    }
    if (line.contains("line")) {
      printer.line(display_name(line.value("container", ""), project.name), line.value("service", ""), line.value("line", ""),
                   line.value("time", ""), line.value("stream", "stdout"));
      return true;
    }
    bool stopped;
    live.apply(line, &stopped);
    // Followed containers all stopped: the end, as docker compose's `logs -f`.
    return !(follow && live.finished());
  });
  (void)listed;
}

HookOutput hook_printer(const compose::Project& project, LogPrinter& printer) {
  return [&project, &printer](const json& hook) {
    // docker compose's source for a hook's lines: the container's name and " ->".
    const std::string name = hook.contains("source") && hook["source"].is_string()
                                 ? hook["source"].get<std::string>()
                                 : display_name(hook.value("container", ""), project.name) + " ->";
    const std::string service = hook.value("service", "");
    printer.add(name, service);
    printer.line(name, service, hook.value("line", ""));
  };
}

int attach_project(const compose::Project& project, const AttachOptions& o, LogPrinter& printer) {
  // The log stream runs on a thread; this one waits for signals (Ctrl-C) and for the
  // stream thread's news (SIGUSR1), so neither blocks the other.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  const pthread_t main_thread = pthread_self();

  std::mutex m;
  bool done = false, abort_wanted = false;
  std::atomic<bool> aborting{false};
  std::string stream_error;
  std::optional<int> exit_code;
  std::string exit_code_from = o.exit_code_from;

  // The stream covers the attached and the watched services; only the attached print.
  std::set<std::string> attached(o.services.begin(), o.services.end()), watched(o.watch.begin(), o.watch.end());
  std::vector<std::string> streamed = o.services;
  for (const auto& w : o.watch)
    if (!attached.count(w)) streamed.push_back(w);
  auto is_attached = [&](const std::string& service) { return attached.empty() || attached.count(service); };
  auto is_watched = [&](const std::string& service) { return watched.empty() || watched.count(service); };
  json options = {{"services", streamed}, {"follow", true}, {"since", o.since}, {"attach", true}};
  std::thread reader([&] {
    Liveness live;
    bool first_exit = true, first_from = true;
    try {
      stream_logs(project, options, [&](const json& line) {
        if (line.contains("containers")) {
          std::vector<std::string> names;
          json followed = json::array();
          for (const auto& c : line["containers"]) {
            const std::string service = c.value("service", "");
            if (is_watched(service)) followed.push_back(c);
            if (!is_attached(service)) continue;
            names.push_back(display_name(c.value("container", ""), project.name));
            printer.add(names.back(), service);
          }
          std::sort(names.begin(), names.end());
          std::string joined;
          for (const auto& n : names) joined += (joined.empty() ? "" : ", ") + n;
          std::cout << "Attaching to " << joined << "\n" << std::flush;
          live.expect(followed);
          return !followed.empty();
        }
        const std::string name = display_name(line.value("container", ""), project.name), service = line.value("service", "");
        if (line.contains("line")) {
          // Also while the others stop: the output of what still runs goes on (docker compose).
          if (is_attached(service))
            printer.line(name, service, line.value("line", ""), line.value("time", ""), line.value("stream", "stdout"));
          return true;
        }
        if (!is_watched(service)) return true;
        bool stopped;
        auto code = live.apply(line, &stopped);
        if (stopped) {
          const int exit = code.value_or(-1);
          if (!aborting) printer.status(name, service, "exited with code " + std::to_string(exit));
          std::lock_guard<std::mutex> l(m);
          // docker compose's listeners, in its order: the first exit that cascades sets the
          // code and stops the application; the first exit of --exit-code-from's service sets it.
          if (first_exit && (o.abort_on_exit || (o.abort_on_failure && exit != 0))) {
            first_exit = false;
            exit_code = exit;
            if (!aborting) {
              aborting = true;
              abort_wanted = true;
              pthread_kill(main_thread, SIGUSR1);
            }
          }
          if (first_from && !exit_code_from.empty() && service == exit_code_from) {
            first_from = false;
            exit_code = exit;
          }
        }
        return !live.finished();
      });
    } catch (const std::exception& e) {
      std::lock_guard<std::mutex> l(m);
      stream_error = e.what();
    }
    std::lock_guard<std::mutex> l(m);
    done = true;
    pthread_kill(main_thread, SIGUSR1);
  });

  std::thread stopper;
  bool interrupted = false;
  auto stop_project = [&] {
    json stop_options = {{"services", o.stop}};
    if (o.timeout) stop_options["timeout"] = *o.timeout;
    stopper = std::thread([&project, &printer, stop_options] {
      try {
        run_project_verb(project, "attach/stop", stop_options, hook_printer(project, printer));
      } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
      }
    });
  };
  for (;;) {
    {
      // Checked before each wait: two SIGUSR1 sent close together arrive as one.
      std::lock_guard<std::mutex> l(m);
      if (abort_wanted && !stopper.joinable()) {
        std::cerr << "Aborting on container exit...\n";
        stop_project();
      }
      abort_wanted = false;
      if (done) break;
    }
    int sig = 0;
    sigwait(&set, &sig);
    if (sig != SIGINT && sig != SIGTERM) continue;
    if (interrupted) {
      // Again: leave now; the engine goes on stopping the containers.
      std::cout << std::flush;
      std::cerr << std::flush;
      std::_Exit(130);
    }
    interrupted = true;
    aborting = true;
    std::cerr << "Gracefully stopping... (press Ctrl+C again to force)\n";
    std::lock_guard<std::mutex> l(m);
    if (!stopper.joinable()) stop_project();
  }
  reader.join();
  if (stopper.joinable()) stopper.join();
  unblock_after_wakeups(set);
  if (!stream_error.empty()) throw Error(stream_error);
  if (interrupted) return 130;
  return exit_code.value_or(0);
}

}  // namespace mycompose::cli
