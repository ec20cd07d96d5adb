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

namespace mycompose::scheduler {
namespace stdfs = std::filesystem;
using nlohmann::json;

namespace {

constexpr std::int64_t kSecond = 1'000'000'000;

bool digits(std::string_view s, std::size_t pos, std::size_t n) {
  if (pos + n > s.size()) return false;
  for (std::size_t i = pos; i < pos + n; ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

int number(std::string_view s, std::size_t pos, std::size_t n) {
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) v = v * 10 + (s[i] - '0');
  return v;
}

// A Go duration ("1h30m", "10m", "1.5s", "300ms"); nullopt if it is not one.
std::optional<std::int64_t> parse_go_duration(std::string_view s) {
  if (s.empty()) return std::nullopt;
  bool negative = false;
  if (s[0] == '-' || s[0] == '+') {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return 0;
  if (s.empty()) return std::nullopt;
  long double total = 0;
  while (!s.empty()) {
    std::size_t i = 0;
    while (i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.')) ++i;
    if (i == 0) return std::nullopt;
    long double value;
    try {
      value = std::stold(std::string(s.substr(0, i)));
    } catch (const std::exception&) {
      return std::nullopt;
    }
    s.remove_prefix(i);
    std::size_t u = 0;
    while (u < s.size() && !((s[u] >= '0' && s[u] <= '9') || s[u] == '.')) ++u;
    const std::string_view unit = s.substr(0, u);
    s.remove_prefix(u);
    long double scale;
    if (unit == "ns") scale = 1;
    else if (unit == "us" || unit == "\u00b5s") scale = 1e3;
    else if (unit == "ms") scale = 1e6;
    else if (unit == "s") scale = 1e9;
    else if (unit == "m") scale = 60e9;
    else if (unit == "h") scale = 3600e9;
    else return std::nullopt;
    total += value * scale;
  }
  return static_cast<std::int64_t>(negative ? -total : total);
}

}  // namespace

std::string LogEntry::json_line() const {
  return json{{"log", text}, {"stream", stream}, {"time", format_log_time(time_ns)}}.dump(-1, ' ', false, json::error_handler_t::replace) +
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

std::int64_t now_ns() {
  timespec ts;
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * kSecond + ts.tv_nsec;
}

std::string format_log_time(std::int64_t ns) {
  std::time_t secs = static_cast<std::time_t>(ns / kSecond);
  long frac = static_cast<long>(ns % kSecond);
  if (frac < 0) {
    frac += kSecond;
    --secs;
  }
  std::tm t{};
  ::gmtime_r(&secs, &t);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", t.tm_year + 1900, t.tm_mon + 1, t.tm_mday, t.tm_hour, t.tm_min,
                t.tm_sec, frac);
  return buf;
}

std::optional<std::int64_t> parse_rfc3339(std::string_view s) {
  // YYYY-MM-DD[THH:MM[:SS[.frac]]][Z|±HH:MM]; without a zone it is local time, as Docker reads it.
  if (!digits(s, 0, 4) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2) || s[7] != '-' || !digits(s, 8, 2)) return std::nullopt;
  std::tm t{};
  t.tm_year = number(s, 0, 4) - 1900;
  t.tm_mon = number(s, 5, 2) - 1;
  t.tm_mday = number(s, 8, 2);
  std::size_t pos = 10;
  std::int64_t frac = 0;
  if (pos < s.size() && (s[pos] == 'T' || s[pos] == 't' || s[pos] == ' ')) {
    if (!digits(s, pos + 1, 2) || pos + 3 >= s.size() || s[pos + 3] != ':' || !digits(s, pos + 4, 2)) return std::nullopt;
    t.tm_hour = number(s, pos + 1, 2);
    t.tm_min = number(s, pos + 4, 2);
    pos += 6;
    if (pos < s.size() && s[pos] == ':') {
      if (!digits(s, pos + 1, 2)) return std::nullopt;
      t.tm_sec = number(s, pos + 1, 2);
      pos += 3;
      if (pos < s.size() && s[pos] == '.') {
        ++pos;
        std::int64_t scale = kSecond;
        std::size_t n = 0;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
          scale /= 10;
          frac += (s[pos] - '0') * scale;
          ++pos;
          ++n;
        }
        if (n == 0) return std::nullopt;
      }
    }
  }
  std::time_t secs;
  if (pos == s.size()) {
    t.tm_isdst = -1;
    secs = std::mktime(&t);
  } else if ((s[pos] == 'Z' || s[pos] == 'z') && pos + 1 == s.size()) {
    secs = ::timegm(&t);
  } else if ((s[pos] == '+' || s[pos] == '-') && pos + 6 == s.size() && digits(s, pos + 1, 2) && s[pos + 3] == ':' && digits(s, pos + 4, 2)) {
    const int offset = (number(s, pos + 1, 2) * 60 + number(s, pos + 4, 2)) * 60;
    secs = ::timegm(&t) - (s[pos] == '+' ? offset : -offset);
  } else {
    return std::nullopt;
  }
  return static_cast<std::int64_t>(secs) * kSecond + frac;
}

std::int64_t parse_time_filter(const std::string& value, std::int64_t now) {
  if (auto d = parse_go_duration(value)) return now - *d;
  if (auto t = parse_rfc3339(value)) return *t;
  // Unix seconds, optionally with a fraction ("1700000000.5").
  std::size_t dot = value.find('.');
  std::string_view whole = std::string_view(value).substr(0, dot);
  if (!whole.empty() && digits(whole, 0, whole.size()) && whole.size() <= 12) {
    std::int64_t ns = std::stoll(std::string(whole)) * kSecond;
    if (dot == std::string::npos) return ns;
    std::string_view f = std::string_view(value).substr(dot + 1);
    if (!f.empty() && f.size() <= 9 && digits(f, 0, f.size())) {
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
  // Docker reads max-size with go-units' RAMInBytes: a number, then k/m/g/t/p (1024-based),
  // an optional i and an optional b, case-insensitive.
  std::size_t i = 0;
  while (i < value.size() && ((value[i] >= '0' && value[i] <= '9') || value[i] == '.')) ++i;
  if (i == 0) throw Error("invalid size: '" + value + "'");
  long double n;
  try {
    n = std::stold(value.substr(0, i));
  } catch (const std::exception&) {
    throw Error("invalid size: '" + value + "'");
  }
  std::string unit;
  for (char c : value.substr(i))
    if (c != ' ') unit += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!unit.empty() && unit.back() == 'b') unit.pop_back();
  if (unit.size() == 2 && unit[1] == 'i') unit.pop_back();
  static const std::string units = "kmgtp";
  long double scale = 1;
  if (!unit.empty()) {
    auto p = units.find(unit);
    if (unit.size() != 1 || p == std::string::npos) throw Error("invalid size: '" + value + "'");
    scale = std::pow(1024.0L, static_cast<long double>(p + 1));
  }
  return static_cast<long long>(n * scale);
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
