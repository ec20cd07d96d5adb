#pragma once
// Docker's json-file log of one container: containers/<id>/<id>-json.log, one JSON object a
// line ({"log":"hello\n","stream":"stdout","time":"2026-11-26T01:11:38.123456789Z"}),
// rotated as Docker rotates it (max-size, max-file: <log>.1 is the newest old file).
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "mycompose/common/time_text.hpp"  // the times in the file: format_rfc3339, Fraction::nano_fixed
#include "mycompose/common/unique_fd.hpp"

namespace mycompose::scheduler {

struct LogEntry {
  std::string stream;        // stdout | stderr
  std::int64_t time_ns = 0;  // since the epoch, UTC
  std::string text;          // ends with '\n' unless it is a partial line (longer than 16 KiB)

  std::string json_line() const;  // the json-file line, with its '\n'
  static std::optional<LogEntry> parse(std::string_view json_line);  // nullopt: not an entry
};

// --since / --until as Docker takes them: RFC 3339 (also without seconds or time), Unix
// seconds with an optional fraction, or a Go duration before `now_ns` ("10m", "1h30m").
// Throws Error naming the value.
std::int64_t parse_time_filter(const std::string& value, std::int64_t now_ns);

// logging: of a service, as the json-file driver reads it.
struct LogConfig {
  std::string driver = "json-file";  // json-file | none
  long long max_size = -1;           // bytes; -1: unbounded
  int max_file = 1;
  std::vector<std::string> warnings;  // options or drivers we do not honour

  static LogConfig from_compose(const nlohmann::json& logging);
  nlohmann::json to_json() const;
  static LogConfig from_json(const nlohmann::json& j);
};

// "10m", "1k", "1.5g", "100" (bytes): Docker's RAMInBytes (binary units). Throws Error.
long long parse_log_size(const std::string& value);

class JsonFileLog {
 public:
  JsonFileLog(std::filesystem::path path, LogConfig config);
  // Appends; rotates first when the file has reached max-size (a file holds at most
  // max-size - 1 bytes plus one entry, as Docker's).
  void write(const LogEntry& entry);
  const std::filesystem::path& path() const { return path_; }
  // The file being written (its inode) and its size: where the next entry goes.
  std::uint64_t ino() const { return ino_; }
  long long size() const { return size_; }

 private:
  void open();
  void rotate();
  std::filesystem::path path_;
  LogConfig config_;
  UniqueFd fd_;
  long long size_ = 0;
  std::uint64_t ino_ = 0;
};

// Every entry of a json-file log, oldest first (<log>.N … <log>.1, then <log>).
std::vector<LogEntry> read_json_log(const std::filesystem::path& path);

}  // namespace mycompose::scheduler
