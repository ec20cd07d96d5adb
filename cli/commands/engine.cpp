// `mycompose engine`: run the engine in the foreground (the CLI otherwise starts it on
// demand); `engine ping` and `engine stop` talk to the one of a root.
#include <fcntl.h>
#include <sys/file.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <thread>
#include <vector>

#include "commands.hpp"
#include "engine_client.hpp"
#include "flags/engine.hpp"
#include "mycompose/common/error.hpp"
#include "mycompose/common/unique_fd.hpp"
#include "mycompose/daemon/engine.hpp"
#include "mycompose/daemon/http.hpp"

namespace mycompose::cli {
namespace {

struct EngineCommand {
  flags::EngineOptions options;
  int count = 1;
  std::string type;  // engine events --type
};

std::filesystem::path root_of(const flags::EngineOptions& o) {
  return std::filesystem::absolute(o.root.empty() ? daemon::default_root() : std::filesystem::path(o.root));
}

// The engine is its own program (mycompose-engine), which maps far less than this one.
void run_foreground(const flags::EngineOptions& o, Context& ctx) {
  exec_engine(root_of(o), o.log_level);
  ctx.exit_code = 127;
}

// One request on a connection that is kept open: the engine's round trip, not connect().
void ping(const flags::EngineOptions& o, int count) {
  auto t_connect = std::chrono::steady_clock::now();
  EngineClient c = EngineClient::connect(root_of(o));
  double connect_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t_connect).count();
  std::vector<double> micros;
  micros.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    EngineResponse r = c.request("GET", "/_ping");
    auto t1 = std::chrono::steady_clock::now();
    if (r.status != 200) throw Error("engine: /_ping answered " + std::to_string(r.status));
    micros.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
  }
  if (count == 1) {
    std::cout << "OK\n";
    return;
  }
  std::sort(micros.begin(), micros.end());
  auto pct = [&](double p) { return micros[std::min(micros.size() - 1, static_cast<std::size_t>(p * micros.size()))]; };
  if (c.started_engine()) std::printf("engine started on demand, answering in %.1f ms\n", connect_ms);
  std::printf("%d requests: p50 %.1f us, p99 %.1f us, max %.1f us\n", count, pct(0.50), pct(0.99), micros.back());
}

void stop(const flags::EngineOptions& o) {
  auto root = root_of(o);
  if (!EngineClient::answers(root)) {
    std::cerr << "no engine runs for " << root.string() << "\n";
    return;
  }
  EngineClient c = EngineClient::connect(root, {.start_if_needed = false});
  c.call("POST", "/shutdown");
  // Return once the process has ended (it lets go of engine.pid's lock as it exits, within
  // its grace period even with work stuck), so a next command does not find it still there.
  const auto pid_file = root / daemon::kPidFile;
  for (int i = 0; i < 1500; ++i) {
    UniqueFd fd(::open(pid_file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd || ::flock(fd.get(), LOCK_SH | LOCK_NB) == 0) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::cerr << "the engine of " << root.string() << " has not exited yet\n";
}

// The engine's event stream, one JSON document per line, until the engine ends it.
void events(const flags::EngineOptions& o, const std::string& type) {
  EngineClient c = EngineClient::connect(root_of(o));
  std::string target = "/events";
  if (!type.empty()) target += "?type=" + daemon::http::percent_encode(type);
  c.stream("GET", target, [](const nlohmann::json& ev) {
    std::cout << ev.dump() << std::endl;  // flushed: readers follow it live
    return true;
  });
}

}  // namespace

void register_engine(CLI::App& app, Context& ctx) {
  auto cmd_state = std::make_shared<EngineCommand>();
  CLI::App* cmd = flags::add_engine(app, cmd_state->options);
  cmd->require_subcommand(0, 1);
  auto* ping_cmd = cmd->add_subcommand("ping", "Ask the engine of the root whether it answers (starts it if needed)");
  ping_cmd->add_option("-n,--count", cmd_state->count, "Number of requests; above 1, print round-trip percentiles")
      ->check(CLI::PositiveNumber);
  auto* stop_cmd = cmd->add_subcommand("stop", "Stop the engine of the root (its containers keep running)");
  auto* events_cmd = cmd->add_subcommand("events", "Print the engine's events as JSON lines until it stops");
  events_cmd->add_option("--type", cmd_state->type, "Only events of this type (container, engine, ...)");
  events_cmd->callback([cmd_state] { events(cmd_state->options, cmd_state->type); });
  ping_cmd->callback([cmd_state] { ping(cmd_state->options, cmd_state->count); });
  stop_cmd->callback([cmd_state] { stop(cmd_state->options); });
  cmd->callback([cmd, cmd_state, &ctx] {
    if (cmd->get_subcommands().empty()) run_foreground(cmd_state->options, ctx);
  });
}

}  // namespace mycompose::cli
