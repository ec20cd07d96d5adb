#include "mycompose/common/time_text.hpp"

#include <cstdio>

namespace mycompose {
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

// The UTC calendar time of ns, and the nanoseconds within its second (>= 0, also before 1970).
std::tm utc_tm(std::int64_t ns, long& frac) {
  std::time_t secs = static_cast<std::time_t>(ns / kSecond);
  frac = static_cast<long>(ns % kSecond);
  if (frac < 0) {
    frac += kSecond;
    --secs;
  }
  std::tm t{};
  ::gmtime_r(&secs, &t);
  return t;
}

std::optional<std::int64_t> parse(std::string_view s, bool partial) {
  if (s.size() < 10 || !digits(s, 0, 4) || s[4] != '-' || !digits(s, 5, 2) || s[7] != '-' || !digits(s, 8, 2)) return std::nullopt;
  std::tm t{};
  t.tm_year = number(s, 0, 4) - 1900;
  t.tm_mon = number(s, 5, 2) - 1;
  t.tm_mday = number(s, 8, 2);
  std::size_t pos = 10;
  std::int64_t frac = 0;
  bool has_seconds = false;
  if (pos < s.size() && (s[pos] == 'T' || s[pos] == 't' || s[pos] == ' ')) {
    if (!digits(s, pos + 1, 2) || pos + 3 >= s.size() || s[pos + 3] != ':' || !digits(s, pos + 4, 2)) return std::nullopt;
    t.tm_hour = number(s, pos + 1, 2);
    t.tm_min = number(s, pos + 4, 2);
    pos += 6;
    if (pos < s.size() && s[pos] == ':') {
      if (!digits(s, pos + 1, 2)) return std::nullopt;
      t.tm_sec = number(s, pos + 1, 2);
      has_seconds = true;
      pos += 3;
      if (pos < s.size() && s[pos] == '.') {
        ++pos;
        std::int64_t scale = kSecond;
        std::size_t n = 0;
        for (; pos < s.size() && s[pos] >= '0' && s[pos] <= '9'; ++pos, ++n) {
          scale /= 10;
          frac += (s[pos] - '0') * scale;
        }
        if (n == 0) return std::nullopt;
      }
    }
  }
  if (t.tm_mon > 11 || t.tm_mday < 1 || t.tm_mday > 31 || t.tm_hour > 23 || t.tm_min > 59 || t.tm_sec > 60) return std::nullopt;
  if (!partial && !has_seconds) return std::nullopt;
  std::time_t secs;
  if (pos == s.size()) {
    if (!partial) return std::nullopt;
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

}  // namespace

std::int64_t unix_now_ns() {
  timespec ts;
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * kSecond + ts.tv_nsec;
}

std::string format_rfc3339(std::int64_t ns, Fraction fraction) {
  long frac;
  const std::tm t = utc_tm(ns, frac);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", t.tm_year + 1900, t.tm_mon + 1, t.tm_mday, t.tm_hour, t.tm_min,
                t.tm_sec);
  std::string out = buf;
  if (fraction != Fraction::none && (frac != 0 || fraction == Fraction::nano_fixed)) {
    std::snprintf(buf, sizeof buf, ".%09ld", frac);
    std::string f = buf;
    if (fraction == Fraction::nano)
      while (f.back() == '0') f.pop_back();
    out += f;
  }
  return out + "Z";
}

std::string now_rfc3339(Fraction fraction) { return format_rfc3339(unix_now_ns(), fraction); }

std::string format_rfc3339_local(std::time_t now) {
  std::tm t{};
  ::localtime_r(&now, &t);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &t);
  std::string out = buf;
  const long off = t.tm_gmtoff;
  if (off == 0) return out + "Z";
  const long abs = off < 0 ? -off : off;
  std::snprintf(buf, sizeof buf, "%c%02ld:%02ld", off < 0 ? '-' : '+', abs / 3600, abs % 3600 / 60);
  return out + buf;
}

std::optional<std::int64_t> parse_rfc3339(std::string_view s) { return parse(s, false); }
std::optional<std::int64_t> parse_rfc3339_partial(std::string_view s) { return parse(s, true); }

std::string format_go_time_utc(std::int64_t ns) {
  long frac;
  const std::tm u = utc_tm(ns, frac);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S +0000 UTC", &u);
  return buf;
}

std::string human_duration(double d) {
  const long long seconds = static_cast<long long>(d);
  if (seconds < 1) return "Less than a second";
  if (seconds == 1) return "1 second";
  if (seconds < 60) return std::to_string(seconds) + " seconds";
  const long long minutes = static_cast<long long>(d / 60);
  if (minutes == 1) return "About a minute";
  if (minutes < 60) return std::to_string(minutes) + " minutes";
  const long long hours = static_cast<long long>(d / 3600 + 0.5);  // go-units rounds hours here
  if (hours == 1) return "About an hour";
  if (hours < 48) return std::to_string(hours) + " hours";
  if (hours < 24 * 7 * 2) return std::to_string(hours / 24) + " days";
  if (hours < 24 * 30 * 2) return std::to_string(hours / 24 / 7) + " weeks";
  if (hours < 24 * 365 * 2) return std::to_string(hours / 24 / 30) + " months";
  return std::to_string(static_cast<long long>(d / 3600) / 24 / 365) + " years";
}

}  // namespace mycompose
