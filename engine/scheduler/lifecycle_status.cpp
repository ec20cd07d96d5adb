#include "lifecycle_status.hpp"

#include <cstdio>
#include <ctime>

namespace mycompose::scheduler {

std::string human_duration(double d) {
  const long long seconds = static_cast<long long>(d);
  if (seconds < 1) return "Less than a second";
  if (seconds == 1) return "1 second";
  if (seconds < 60) return std::to_string(seconds) + " seconds";
  const long long minutes = static_cast<long long>(d / 60);
  if (minutes == 1) return "About a minute";
  if (minutes < 60) return std::to_string(minutes) + " minutes";
  const long long hours = static_cast<long long>(d / 3600 + 0.5);
  if (hours == 1) return "About an hour";
  if (hours < 48) return std::to_string(hours) + " hours";
  if (hours < 24 * 7 * 2) return std::to_string(hours / 24) + " days";
  if (hours < 24 * 30 * 2) return std::to_string(hours / 24 / 7) + " weeks";
  if (hours < 24 * 365 * 2) return std::to_string(hours / 24 / 30) + " months";
  return std::to_string(static_cast<long long>(d / 3600) / 24 / 365) + " years";
}

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

namespace {

std::string custom_size(const char* format, int precision, double size, double base, const char* const* units, int n) {
  int i = 0;
  while (size >= base && i < n - 1) {
    size /= base;
    ++i;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, format, precision, size);
  return std::string(buf) + units[i];
}

}  // namespace

std::string binary_size(double bytes) {
  static const char* const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"};
  return custom_size("%.*g", 4, bytes, 1024.0, units, 9);
}

std::string decimal_size(double bytes) {
  static const char* const units[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};
  return custom_size("%.*g", 3, bytes, 1000.0, units, 9);
}

std::optional<double> parse_rfc3339(const std::string& s) {
  tm t{};
  int consumed = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &t.tm_year, &t.tm_mon, &t.tm_mday, &t.tm_hour, &t.tm_min, &t.tm_sec,
                  &consumed) != 6)
    return std::nullopt;
  t.tm_year -= 1900;
  t.tm_mon -= 1;
  double frac = 0;
  std::size_t i = static_cast<std::size_t>(consumed);
  if (i < s.size() && s[i] == '.') {
    double scale = 0.1;
    for (++i; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, scale /= 10) frac += (s[i] - '0') * scale;
  }
  long offset = 0;  // seconds east of UTC
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    int hh = 0, mm = 0;
    if (std::sscanf(s.c_str() + i + 1, "%2d:%2d", &hh, &mm) == 2) offset = (s[i] == '+' ? 1 : -1) * (hh * 3600L + mm * 60L);
  }
  return static_cast<double>(::timegm(&t) - offset) + frac;
}

std::string docker_created_at(const std::string& rfc3339) {
  auto t = parse_rfc3339(rfc3339);
  if (!t) return rfc3339;
  const time_t secs = static_cast<time_t>(*t);
  tm u;
  ::gmtime_r(&secs, &u);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S +0000 UTC", &u);
  return buf;
}

}  // namespace mycompose::scheduler
