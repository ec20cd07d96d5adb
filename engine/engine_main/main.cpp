// The engine as a program of its own. mycompose-cli links every module (the builder, the
// registry client, the compose loader, libarchive, cpp-httplib…) and their shared libraries;
// the engine, which stays resident, maps only what it runs. The CLI execs this program for
// `mycompose engine` and when it starts an engine on demand.
#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>

#include "mycompose/common/error.hpp"
#include "mycompose/daemon/engine.hpp"
#include "mycompose/runtime/runtime.hpp"
#include "mycompose/scheduler/engine_routes.hpp"

#include <spdlog/spdlog.h>

namespace {

// How long a stopping engine waits for work still running on its workers before it exits
// without it (a stopped engine may be killed at any moment anyway: the next one re-adopts).
constexpr auto kStopGrace = std::chrono::seconds(5);

// Every descriptor the hard limit allows: API connections, log pipes, DNS and proxy sockets
// all take one, and the engine keeps a reserve of them for its own work (see HttpServer).
void raise_fd_limit() {
  rlimit r{};
  if (::getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
    r.rlim_cur = r.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &r);
  }
}

// Once shutdown has begun the process ends within kStopGrace plus a margin, whatever blocks.
void start_exit_watchdog() {
  std::thread([] {
    std::this_thread::sleep_for(kStopGrace + std::chrono::seconds(5));
    static const char msg[] = "engine: still not stopped after the grace period: exiting\n";
    (void)!::write(STDERR_FILENO, msg, sizeof msg - 1);
    ::_exit(0);
  }).detach();
}

}  // namespace

int main(int argc, char** argv) {
  using namespace mycompose;
  // The runtime falls back to re-executing its own binary as the container init.
  if (argc > 0 && std::strcmp(argv[0], "mycompose-init") == 0) runtime::init_main();
  // glibc gives every thread that mallocs its own arena (~1.4 MB each once a container has
  // been created on it); the engine's work is syscalls, not allocation, so two arenas are
  // plenty and keep its RSS flat however many workers a parallel up used.
  mallopt(M_ARENA_MAX, 2);
  daemon::EngineOptions options;
  std::string root;
  CLI::App app{"mycompose engine: the engine of one state root, in the foreground", "mycompose-engine"};
  app.add_option("--root", root, "State root (default: $MYCOMPOSE_ROOT, else /var/lib/mycompose)")
      ->envname("MYCOMPOSE_ROOT");
  app.add_option("--log-level", options.log_level, "Log level: debug, info, warn or error")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}));
  // Started as `mycompose engine --root …` (argv[0] "mycompose", so ps shows the command
  // users typed): the "engine" word is skipped.
  std::vector<std::string> args;
  for (int i = argc - 1; i >= 1; --i) args.emplace_back(argv[i]);  // CLI11 wants them reversed
  if (!args.empty() && args.back() == "engine") args.pop_back();
  try {
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    options.root = std::filesystem::absolute(root.empty() ? daemon::default_root() : std::filesystem::path(root));
    raise_fd_limit();
    scheduler::enable_project_routes();
    daemon::Engine engine(options);
    engine.on_shutdown(start_exit_watchdog);
    engine.start();
    int rc = engine.run();
    if (!engine.workers().wait(kStopGrace)) {
      // A worker blocked for good (a syscall that never returns): the engine's state is on
      // disk, and destroying what that thread still uses would be worse than leaving now.
      auto c = engine.workers().counts();
      spdlog::warn("engine: {} operation(s) and {} query(ies) still running after {} s: exiting without them",
                   c.operations_running, c.queries_running, kStopGrace.count());
      spdlog::default_logger()->flush();
      ::_exit(rc);
    }
    return rc;
  } catch (const Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return e.exit_code();
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}
