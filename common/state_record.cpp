// Moving a record no reader can use aside (state_record.hpp). No spdlog here: the lean
// programs (mycompose, the container init) link this module without it.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <ctime>
#include <mutex>

#include "mycompose/common/error.hpp"
#include "mycompose/common/fs.hpp"
#include "mycompose/common/state_record.hpp"

namespace mycompose::fs {
namespace {

std::string utc_stamp() {
  timespec ts;
  ::clock_gettime(CLOCK_REALTIME, &ts);
  tm t;
  ::gmtime_r(&ts.tv_sec, &t);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &t);
  return buf;
}

}  // namespace

bool is_moved_aside_name(std::string_view f) { return f.find(kMovedAsideMark) != std::string_view::npos; }

std::optional<std::filesystem::path> move_aside_if(const std::filesystem::path& path,
                                                   const std::function<bool(const std::string&)>& is_sound,
                                                   std::size_t max_bytes) {
  static std::mutex readers;
  std::lock_guard<std::mutex> lock(readers);
  std::string text, why;
  try {
    text = read_file(path, max_bytes);
    if (is_sound(text)) return std::nullopt;
    why = text.empty() ? "empty" : std::to_string(text.size()) + " bytes that do not parse";
  } catch (const SystemError& e) {
    if (e.error_number() == ENOENT) return std::nullopt;
    throw;
  } catch (const Error&) {
    why = "larger than " + std::to_string(max_bytes) + " bytes";
  }
  std::filesystem::path aside = path.string() + std::string(kMovedAsideMark) + utc_stamp();
  for (int n = 2; ::access(aside.c_str(), F_OK) == 0; ++n)
    aside = path.string() + std::string(kMovedAsideMark) + utc_stamp() + "-" + std::to_string(n);
  if (::rename(path.c_str(), aside.c_str()) != 0) {
    if (errno == ENOENT) return std::nullopt;
    throw SystemError("move " + path.string() + " aside to " + aside.string(), errno);
  }
  sync_dir(path.parent_path());
  std::fprintf(stderr, "warning: state record %s is corrupt (%s): moved to %s\n", path.c_str(), why.c_str(), aside.c_str());
  return aside;
}

}  // namespace mycompose::fs
