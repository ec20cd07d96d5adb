#include "lifecycle_status.hpp"

#include <cstdio>
#include <ctime>

namespace mycompose::scheduler {

std::string status_text(const StatusInput& in) {
  const std::string code = std::to_string(in.exit_code.value_or(0));
  if (in.state == "paused") return "Up " + human_duration(in.since_start) + " (Paused)";
  if (in.state == "restarting")
    return "Restarting (" + code + ") " + (in.since_finish ? human_duration(*in.since_finish) : human_duration(0)) + " ago";
  if (in.state == "running") {
    if (in.health.empty()) return "Up " + human_duration(in.since_start);
    return "Up " + human_duration(in.since_start) + " (" + (in.health == "starting" ? "health: starting" : in.health) + ")";
  }
  if (in.state == "created") return "Created";
  if (!in.since_finish) return "Exited (" + code + ")";  // when it ended is unknown (Docker would print "")
  return "Exited (" + code + ") " + human_duration(*in.since_finish) + " ago";
}

std::string combined_status(const std::map<std::string, int>& counts) {
  std::string out;
  for (const auto& [state, n] : counts) {
    if (n <= 0) continue;
    if (!out.empty()) out += ", ";
    out += state + "(" + std::to_string(n) + ")";
  }
  return out;
}

}  // namespace mycompose::scheduler
