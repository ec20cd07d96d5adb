// health.json beside the container's record, and the times it is written with.
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "mycompose/common/error.hpp"
#include "mycompose/common/fs.hpp"
#include "mycompose/common/state_record.hpp"
#include "mycompose/common/time_text.hpp"
#include "mycompose/health/state.hpp"

namespace mycompose::health {

namespace stdfs = std::filesystem;

std::string format_time(TimePoint t) {
  return format_rfc3339(std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count(), Fraction::nano);
}

std::optional<TimePoint> parse_time(const std::string& s) {
  auto ns = parse_rfc3339(s);
  if (!ns) return std::nullopt;
  return TimePoint(std::chrono::duration_cast<Clock::duration>(std::chrono::nanoseconds(*ns)));
}

stdfs::path state_path(const stdfs::path& root, const std::string& id) { return root / "containers" / id / kStateFile; }

std::optional<HealthState> load_state(const stdfs::path& root, const std::string& id) {
  return fs::read_record(state_path(root, id), 1 << 20, [](const nlohmann::json& j) {
    if (!j.is_object()) throw std::runtime_error("not an object");
    return HealthState::from_json(j);
  });
}

void save_state(const stdfs::path& root, const std::string& id, const HealthState& state) {
  std::error_code ec;
  if (!stdfs::is_directory(root / "containers" / id, ec)) return;
  try {
    fs::write_file_replace(state_path(root, id), state.to_json().dump(), 0644);
  } catch (const SystemError& e) {
    if (e.error_number() != ENOENT) throw;  // the container was removed meanwhile
  }
}

std::optional<TimePoint> process_started_at(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return std::nullopt;
  auto close = line.rfind(')');  // the command name may hold spaces and parentheses
  if (close == std::string::npos) return std::nullopt;
  std::istringstream rest(line.substr(close + 2));
  std::string field;
  unsigned long long start_ticks = 0;
  // Field 3 (state) is the first after the name; starttime is field 22.
  for (int n = 3; n <= 22 && rest >> field; ++n)
    if (n == 22) start_ticks = std::stoull(field);
  if (!start_ticks) return std::nullopt;
  std::ifstream proc_stat("/proc/stat");
  long long btime = -1;
  while (std::getline(proc_stat, line))
    if (line.rfind("btime ", 0) == 0) btime = std::stoll(line.substr(6));
  if (btime < 0) return std::nullopt;
  long hz = ::sysconf(_SC_CLK_TCK);
  auto since_boot = std::chrono::nanoseconds(static_cast<std::int64_t>(start_ticks) * (1000000000LL / hz));
  return TimePoint(std::chrono::duration_cast<Clock::duration>(std::chrono::seconds(btime) + since_boot));
}

}  // namespace mycompose::health
