#pragma once
// How `ps`, `ls` and `stats` word a container's state, as Docker does (pure functions, so
// they are unit-tested without containers).
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "mycompose/common/time_text.hpp"  // human_duration

namespace mycompose::scheduler {

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

}  // namespace mycompose::scheduler
