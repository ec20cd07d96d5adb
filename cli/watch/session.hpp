#pragma once
// `watch` and `up --watch` after the project is up (docker compose's pkg/compose/watch.go):
// the rules of every selected service's develop.watch, the batches of changed paths the
// Notifier reports matched against them, and the actions they call for, in upstream's order:
// rebuild, then sync, then restart, then the sync+exec commands.
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <uv.h>

#include "mycompose/compose/loader.hpp"
#include "path_matcher.hpp"
#include "sync.hpp"

namespace mycompose::cli::watch {

struct Rule {
  std::string service;
  std::string action;  // sync | rebuild | restart | sync+restart | sync+exec
  std::string path;    // absolute host path
  std::string target;  // in the container ("" for rebuild/restart)
  nlohmann::ordered_json exec;  // sync+exec: the hook
  bool initial_sync = false;  // sync the path's files before watching
  bool include_all = true;
  PathMatcher include;
  IgnoreSet ignore;
};

struct SessionOptions {
  std::vector<std::string> services;  // as named on the command line; empty = all
  bool quiet = false;                 // --quiet: no build output
  // --prune (docker compose's default): after a rebuild, the images the rebuilt services ran
  // before, left untagged and used by no container, are removed.
  bool prune = true;
  std::function<void(const std::string&)> log;  // docker compose's "#watch" lines
};

class Session {
 public:
  // Throws Error with docker compose's message when no selected service has develop.watch
  // (`none_message`) or a rule cannot work (rebuild without build, sync+exec without command).
  Session(compose::Project project, SessionOptions options, const std::string& none_message);

  const std::vector<std::string>& paths() const { return paths_; }
  const std::vector<Rule>& rules() const { return rules_; }
  // One batch of changed host paths. Errors are reported as docker compose's warning and the
  // watch goes on.
  void handle(const std::vector<std::string>& batch);
  // Runs the notifier until stop() (any thread) or, with signals, SIGINT/SIGTERM.
  void run(bool signals);
  void stop();
  void set_log(std::function<void(const std::string&)> log) { o_.log = std::move(log); }
  // How many batches so far stopped containers on purpose (rebuild, restart): a foreground
  // up whose containers all stopped for that attaches again.
  unsigned disruptions() const { return disruptions_; }
  // Returns once no batch is being handled.
  void wait_idle();

 private:
  void handle_or_throw(const std::vector<std::string>& batch);
  void initial_sync(const Rule& rule);
  void rebuild(const std::vector<std::string>& services);
  std::string service_image(const std::string& service) const;
  static void prune_replaced(const std::filesystem::path& root, const std::set<std::string>& replaced);
  void exec(const std::string& service, const Rule& rule);

  compose::Project project_;
  SessionOptions o_;
  std::vector<Rule> rules_;
  std::vector<std::string> paths_;
  uv_async_t* stop_ = nullptr;
  std::atomic<bool> stop_requested_{false};
  std::atomic<unsigned> disruptions_{0};
  std::mutex busy_m_;
  std::condition_variable idle_;
  bool busy_ = false;
};

// Whether the rule takes the changed path, and where it goes in the container (docker
// compose's watchRule.Matches). Exposed for the unit test.
bool rule_matches(const Rule& rule, const std::string& host_path, PathMapping* out);

// Go's %q of a list of strings: ["a" "b"].
std::string quoted_list(const std::vector<std::string>& items);

}  // namespace mycompose::cli::watch
