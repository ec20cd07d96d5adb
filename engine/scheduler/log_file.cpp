#include "log_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <ctime>

#include "mycompose/common/error.hpp"
#include "mycompose/common/fs.hpp"
#include "mycompose/common/go_duration.hpp"
#include "mycompose/common/human_size.hpp"

namespace mycompose::scheduler {
namespace stdfs = std::filesystem;
using nlohmann::json;

namespace {

constexpr std::int64_t kSecond = 1'000'000'000;

bool all_digits(std::string_view s) { return s.find_first_not_of("0123456789") == std::string_view::npos; }

}  // namespace

std::string LogEntry::json_line() const {
  return json{{"log", text}, {"stream", stream}, {"time", format_rfc3339(time_ns, Fraction::nano_fixed)}}.dump(-1, ' ', false, json::error_handler_t::replace) +
         "\n";
}

std::optional<LogEntry> LogEntry::parse(std::string_view line) {
  try {
    json j = json::parse(line);
    LogEntry e;
    e.text = j.at("log").get<std::string>();
    e.stream = j.value("stream", "stdout");
    auto t = parse_rfc3339(j.value("time", ""));
    if (!t) return std::nullopt;
    e.time_ns = *t;
    return e;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::int64_t parse_time_filter(const std::string& value, std::int64_t now) {
  if (auto d = try_parse_go_duration(value)) return now - *d;
  if (auto t = parse_rfc3339_partial(value)) return *t;
  // Unix seconds, optionally with a fraction ("1700000000.5").
  std::size_t dot = value.find('.');
  std::string_view whole = std::string_view(value).substr(0, dot);
  if (!whole.empty() && all_digits(whole) && whole.size() <= 12) {
    std::int64_t ns = std::stoll(std::string(whole)) * kSecond;
    if (dot == std::string::npos) return ns;
    std::string_view f = std::string_view(value).substr(dot + 1);
    if (!f.empty() && f.size() <= 9 && all_digits(f)) {
      std::int64_t scale = kSecond;
      for (char c : f) {
        scale /= 10;
        ns += (c - '0') * scale;
      }
      return ns;
    }
  }
  throw Error("invalid value for \"since\"/\"until\": \"" + value +
              "\" is neither a timestamp (2013-01-02T13:23:37Z, 1357133017) nor a duration (42m)");
}

long long parse_log_size(const std::string& value) {
  // Docker reads max-size with go-units' RAMInBytes.
  auto n = ram_in_bytes(value);
  if (!n) throw Error("invalid size: '" + value + "'");
  return *n;
}

LogConfig LogConfig::from_compose(const json& logging) {
  LogConfig c;
  if (!logging.is_object()) return c;
  const std::string driver = logging.value("driver", "json-file");
  if (driver == "none") c.driver = "none";
  else if (driver != "json-file" && driver != "local")
    c.warnings.push_back("logging driver \"" + driver + "\" is not supported: the container logs to json-file");
  const json options = logging.value("options", json::object());
  if (!options.is_object()) return c;
  for (const auto& [key, v] : options.items()) {
    const std::string value = v.is_string() ? v.get<std::string>() : v.dump();
    if (key == "max-size") {
      c.max_size = parse_log_size(value);
      if (c.max_size <= 0) c.max_size = -1;
    } else if (key == "max-file") {
      try {
        c.max_file = std::stoi(value);
      } catch (const std::exception&) {
        throw Error("invalid value for max-file: \"" + value + "\"");
      }
      if (c.max_file < 1) throw Error("max-file cannot be less than 1");
    } else {
      c.warnings.push_back("logging option \"" + key + "\" is not supported and is ignored");
    }
  }
  return c;
}

json LogConfig::to_json() const { return {{"driver", driver}, {"max_size", max_size}, {"max_file", max_file}}; }

LogConfig LogConfig::from_json(const json& j) {
  LogConfig c;
  c.driver = j.value("driver", "json-file");
  c.max_size = j.value("max_size", -1LL);
  c.max_file = j.value("max_file", 1);
  return c;
}

JsonFileLog::JsonFileLog(stdfs::path path, LogConfig config) : path_(std::move(path)), config_(std::move(config)) { open(); }

void JsonFileLog::open() {
  fd_.reset(::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640));
  if (!fd_) throw SystemError("open " + path_.string(), errno);
  struct stat st {};
  check_syscall(::fstat(fd_.get(), &st), "fstat " + path_.string());
  size_ = st.st_size;
  ino_ = static_cast<std::uint64_t>(st.st_ino);
}

void JsonFileLog::rotate() {
  if (config_.max_file < 2) {
    // One file: it starts over, as Docker's. Not truncated in place but replaced by a new,
    // empty file (another inode): a reader behind (log_cursor.hpp) reads the old one to its
    // end and then the new one, where after a truncation it could not tell how much of what
    // it finds at its offset is new once the file has grown past it again.
    const stdfs::path fresh = path_.string() + ".new";
    std::error_code ec;
    stdfs::remove(fresh, ec);
    UniqueFd made(::open(fresh.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0640));
    if (!made) throw SystemError("create " + fresh.string(), errno);
    made.reset();
    stdfs::rename(fresh, path_, ec);
    if (ec) throw SystemError("rename " + fresh.string(), ec.value());
    open();
    return;
  }
  auto numbered = [&](int n) { return stdfs::path(path_.string() + "." + std::to_string(n)); };
  std::error_code ec;
  stdfs::remove(numbered(config_.max_file - 1), ec);
  for (int n = config_.max_file - 1; n > 1; --n) {
    if (stdfs::exists(numbered(n - 1), ec)) stdfs::rename(numbered(n - 1), numbered(n), ec);
  }
  stdfs::rename(path_, numbered(1), ec);
  if (ec) throw SystemError("rename " + path_.string(), ec.value());
  open();
}

void JsonFileLog::write(const LogEntry& entry) {
  if (config_.max_size > 0 && size_ >= config_.max_size) rotate();
  const std::string line = entry.json_line();
  const char* p = line.data();
  std::size_t left = line.size();
  while (left > 0) {
    ssize_t n = ::write(fd_.get(), p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw SystemError("write " + path_.string(), errno);
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  size_ += static_cast<long long>(line.size());
}

std::vector<LogEntry> read_json_log(const stdfs::path& path) {
  std::vector<stdfs::path> files;
  std::error_code ec;
  for (int n = 1; stdfs::exists(path.string() + "." + std::to_string(n), ec); ++n)
    files.insert(files.begin(), path.string() + "." + std::to_string(n));
  files.push_back(path);
  std::vector<LogEntry> out;
  for (const auto& f : files) {
    std::string text;
    try {
      text = fs::read_file(f);
    } catch (const SystemError& e) {
      if (e.error_number() == ENOENT) continue;  // rotated away while we looked
      throw;
    }
    std::size_t start = 0;
    while (start < text.size()) {
      std::size_t nl = text.find('\n', start);
      if (nl == std::string::npos) nl = text.size();
      if (auto e = LogEntry::parse(std::string_view(text).substr(start, nl - start))) out.push_back(std::move(*e));
      start = nl + 1;
    }
  }
  return out;
}

}  // namespace mycompose::scheduler
