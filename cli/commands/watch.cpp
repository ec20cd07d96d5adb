// `mycompose watch [SERVICE...]` (docker compose's cmd/compose/watch.go): up, detached, unless
// --no-up, with the services that have develop.watch built first; then the watch until
// Ctrl-C, which leaves the containers running.
#include "watch.hpp"

#include <pthread.h>
#include <signal.h>

#include <iostream>
#include <thread>

#include "commands.hpp"
#include "ensure_images.hpp"
#include "flags/watch.hpp"
#include "mycompose/common/error.hpp"
#include "project_request.hpp"

namespace mycompose::cli {
namespace {

const char* const kNoneForWatch = "none of the selected services is configured for watch, consider setting a 'develop' section";
const char* const kNoneForUpWatch = "none of the selected services is configured for watch, see https://docs.docker.com/compose/how-tos/file-watch/";

void print_line(const std::string& line) { std::cout << line << "\n" << std::flush; }

}  // namespace

std::unique_ptr<watch::Session> up_watcher(const compose::Project& project, const std::vector<std::string>& services) {
  return std::make_unique<watch::Session>(project, watch::SessionOptions{services, false, true, print_line}, kNoneForUpWatch);
}

int run_watching(watch::Session& session, LogPrinter& printer, const std::function<int(bool again)>& attached) {
  session.set_log([&printer](const std::string& line) { printer.watch_line(line); });
  std::thread watcher([&session] {
    // The foreground up takes Ctrl-C with sigwait: this thread must never receive it.
    sigset_t set;
    sigemptyset(&set);
    for (int s : {SIGINT, SIGTERM, SIGUSR1, SIGHUP}) sigaddset(&set, s);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    try {
      session.run(false);
    } catch (const std::exception& e) {
      std::cerr << "Watch disabled with errors: " << e.what() << "\n";
    }
  });
  int rc = 0;
  try {
    for (bool again = false;; again = true) {
      const unsigned before = session.disruptions();
      rc = attached(again);
      if (rc == 130) break;  // Ctrl-C
      session.wait_idle();
      if (session.disruptions() == before) break;  // the containers ended by themselves
    }
  } catch (...) {
    session.stop();
    watcher.join();
    throw;
  }
  session.stop();
  watcher.join();
  return rc;
}

void register_watch(CLI::App& app, Context& ctx) {
  static flags::WatchOptions o;
  auto* cmd = flags::add_watch(app, o);
  cmd->callback([&ctx] {
    auto project = compose::load_project(ctx.load_options(o.services));
    // Checked before anything starts, so that a project watch cannot work with is left alone.
    watch::Session session(project, watch::SessionOptions{o.services, o.quiet, o.prune, print_line}, kNoneForWatch);
    if (!o.no_up) {
      // docker compose: a service with develop and build is always built on the way up.
      for (auto& [name, s] : project.model["services"].items())
        if (s.contains("build") && (s.contains("develop") || s.contains("x-develop"))) s["pull_policy"] = "build";
      ImageOptions io;
      io.services = o.services;
      io.quiet_pull = o.quiet;
      io.quiet_build = o.quiet;  // as docker compose's watch --quiet: its up builds quietly too
      ensure_images(project, io);
      run_project_verb(project, "up", nlohmann::json{{"services", o.services}, {"remove_orphans", false}});
    }
    session.run(true);
  });
}

}  // namespace mycompose::cli
