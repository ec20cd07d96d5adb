// The health state machine (moby daemon/health.go handleProbeResult and monitor's interval).
#include "mycompose/health/state.hpp"

#include <algorithm>

namespace mycompose::health {

using json = nlohmann::json;

HealthMachine::HealthMachine(Timings timings, TimePoint started_at, HealthState state)
    : timings_(timings), started_at_(started_at), state_(std::move(state)) {}

Duration HealthMachine::next_delay(TimePoint now) const {
  if (now - started_at_ >= timings_.start_period) return timings_.interval;
  return state_.status == kStarting ? timings_.start_interval : timings_.interval;
}

bool HealthMachine::record(ProbeResult result) {
  const std::string before = state_.status;
  if (result.exit_code == 0) {
    state_.failing_streak = 0;
    state_.status = kHealthy;
  } else {
    // Docker measures the start period up to the moment the probe started.
    const bool in_start_period = state_.status == kStarting && result.start - started_at_ < timings_.start_period;
    if (!in_start_period) {
      ++state_.failing_streak;
      if (state_.failing_streak >= timings_.retries) state_.status = kUnhealthy;
    }
  }
  state_.log.push_back(std::move(result));
  while (state_.log.size() > kMaxLogEntries) state_.log.pop_front();
  return state_.status != before;
}

std::string limit_output(std::string_view output, bool more_was_dropped) {
  if (output.size() <= kMaxOutputBytes) return std::string(output) + (more_was_dropped ? "..." : "");
  return std::string(output.substr(0, kMaxOutputBytes)) + "...";
}

std::string timeout_message(Duration timeout, const std::string& output) {
  std::string msg = "Health check exceeded timeout (" + format_duration(timeout) + ")";
  if (!output.empty()) msg += ": " + output;
  return msg;
}

json ProbeResult::to_json() const {
  return json{{"Start", format_time(start)}, {"End", format_time(end)}, {"ExitCode", exit_code}, {"Output", output}};
}

ProbeResult ProbeResult::from_json(const json& j) {
  ProbeResult r;
  r.start = parse_time(j.value("Start", "")).value_or(TimePoint{});
  r.end = parse_time(j.value("End", "")).value_or(TimePoint{});
  r.exit_code = j.value("ExitCode", -1);
  r.output = j.value("Output", "");
  return r;
}

json HealthState::to_json() const {
  json l = json::array();
  for (const auto& r : log) l.push_back(r.to_json());
  return json{{"Status", status}, {"FailingStreak", failing_streak}, {"Log", l}};
}

HealthState HealthState::from_json(const json& j) {
  HealthState s;
  s.status = j.value("Status", kStarting);
  if (s.status != kStarting && s.status != kHealthy && s.status != kUnhealthy) s.status = kStarting;
  s.failing_streak = std::max(0, j.value("FailingStreak", 0));
  if (j.contains("Log") && j["Log"].is_array())
    for (const auto& e : j["Log"])
      if (e.is_object()) s.log.push_back(ProbeResult::from_json(e));
  while (s.log.size() > kMaxLogEntries) s.log.pop_front();
  return s;
}

}  // namespace mycompose::health
