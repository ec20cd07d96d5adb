#pragma once
// How `ps`, `ls` and `stats` word a container's state, as Docker does (pure functions, so
// they are unit-tested without containers).
#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace mycompose::scheduler {

// Docker's units.HumanDuration: "Less than a second", "5 seconds", "About a minute",
// "3 hours", "2 weeks"…
std::string human_duration(double seconds);

// What the STATUS column says. state: running | paused | restarting | created | exited;
// health: "" | starting | healthy | unhealthy; ages in seconds since start / exit.
struct StatusInput {
  std::string state;
  std::string health;
  std::optional<int> exit_code;
  double since_start = 0;
  std::optional<double> since_finish;  // unknown: Docker prints an empty status
};
// "Up 5 seconds", "Up 2 minutes (healthy)", "Up 3 hours (Paused)", "Exited (0) 3 seconds ago",
// "Restarting (1) 2 seconds ago", "Created".
std::string status_text(const StatusInput& in);

// `ls`: the number of containers per state, "exited(1), running(2)" (sorted by state).
std::string combined_status(const std::map<std::string, int>& counts);

// Docker's units.BytesSize ("1.5MiB") and units.HumanSizeWithPrecision(v, 3) ("1.2kB").
std::string binary_size(double bytes);
std::string decimal_size(double bytes);

// Docker's time formats: "2026-11-26 01:02:03 +0000 UTC" from RFC 3339, and seconds since
// the epoch from RFC 3339 ("…Z", fractional seconds optional); nullopt if unparsable.
std::string docker_created_at(const std::string& rfc3339);
std::optional<double> parse_rfc3339(const std::string& rfc3339);

}  // namespace mycompose::scheduler
