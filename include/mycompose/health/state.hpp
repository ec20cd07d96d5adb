#pragma once
// Docker's health state machine, as a pure object driven by probe results and the time a
// caller gives it (the monitor gives the real clock, tests a fake one):
//
//   starting ──one success──▶ healthy ──`retries` failures in a row──▶ unhealthy
//      │                         ▲                                       │
//      └──`retries` failures─────┼───────────────────────────────────────┘ (a success: healthy)
//
// A failure while the container is still starting and inside start_period does not count;
// a success ends the start period (the status is no longer "starting"). Probes come every
// start_interval during the start period while starting, every interval otherwise. The last
// five results are kept, and the state is stored as Docker's inspect shows State.Health.
#include <chrono>
#include <deque>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "mycompose/health/config.hpp"

namespace mycompose::health {

using Clock = std::chrono::system_clock;
using TimePoint = Clock::time_point;

inline constexpr const char* kStarting = "starting";
inline constexpr const char* kHealthy = "healthy";
inline constexpr const char* kUnhealthy = "unhealthy";
inline constexpr std::size_t kMaxLogEntries = 5;    // Docker's maxLogEntries
inline constexpr std::size_t kMaxOutputBytes = 4096;  // Docker's maxOutputLen
inline constexpr const char* kStateFile = "health.json";

struct ProbeResult {
  TimePoint start, end;
  int exit_code = -1;  // 0 healthy; anything else (-1: timed out or could not run) a failure
  std::string output;  // stdout and stderr together, see limit_output
  nlohmann::json to_json() const;  // {"Start","End","ExitCode","Output"} with RFC 3339 nano times
  static ProbeResult from_json(const nlohmann::json& j);
};

struct HealthState {
  std::string status = kStarting;
  int failing_streak = 0;
  std::deque<ProbeResult> log;  // oldest first, at most kMaxLogEntries
  nlohmann::json to_json() const;  // {"Status","FailingStreak","Log":[…]}
  static HealthState from_json(const nlohmann::json& j);
};

class HealthMachine {
 public:
  // started_at: when the container (last) started; the start period counts from there.
  HealthMachine(Timings timings, TimePoint started_at, HealthState state = {});

  // How long after the last probe ended (now) the next one starts.
  Duration next_delay(TimePoint now) const;
  // Takes a probe's result; true when the status changed.
  bool record(ProbeResult result);

  const HealthState& state() const { return state_; }
  const Timings& timings() const { return timings_; }
  TimePoint started_at() const { return started_at_; }

 private:
  Timings timings_;
  TimePoint started_at_;
  HealthState state_;
};

// Docker's limitedBuffer: the first kMaxOutputBytes bytes, with "..." appended when more came.
std::string limit_output(std::string_view output, bool more_was_dropped = false);
// "Health check exceeded timeout (30s)", plus ": <output>" when the probe wrote something.
std::string timeout_message(Duration timeout, const std::string& output);
// RFC 3339 with nanoseconds in UTC ("2024-05-01T10:00:00.123456789Z"), as Docker's JSON.
std::string format_time(TimePoint t);
std::optional<TimePoint> parse_time(const std::string& s);

// <MYCOMPOSE_ROOT>/containers/<id>/health.json, written atomically; the CLI's ps and inspect
// read it. save_state does nothing when the container's folder is gone (removed meanwhile).
std::filesystem::path state_path(const std::filesystem::path& root, const std::string& id);
std::optional<HealthState> load_state(const std::filesystem::path& root, const std::string& id);
void save_state(const std::filesystem::path& root, const std::string& id, const HealthState& state);

// When a process started (wall clock), from /proc/<pid>/stat and the boot time: the start
// period of a container re-adopted by a restarted engine counts from its init's start.
std::optional<TimePoint> process_started_at(pid_t pid);

}  // namespace mycompose::health
