#include "mycompose/common/go_duration.hpp"

#include <limits>

#include "mycompose/common/error.hpp"

namespace mycompose {
namespace {

constexpr std::uint64_t kUs = 1000, kMs = 1000 * kUs, kS = 1000 * kMs, kM = 60 * kS, kH = 60 * kM;
constexpr std::uint64_t kLimit = std::uint64_t(1) << 63;  // |min int64|

std::string quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::optional<std::uint64_t> unit_of(std::string_view u) {
  if (u == "ns") return 1;
  if (u == "us" || u == "\xC2\xB5s" || u == "\xCE\xBCs") return kUs;  // µ (micro sign), μ (Greek mu)
  if (u == "ms") return kMs;
  if (u == "s") return kS;
  if (u == "m") return kM;
  if (u == "h") return kH;
  return std::nullopt;
}

struct Parsed {
  std::int64_t ns = 0;
  std::string error;  // empty: ok
};

Parsed parse(std::string_view orig) {
  auto invalid = [&] { return Parsed{0, "time: invalid duration " + quote(orig)}; };
  auto overflow = [&] {
    return Parsed{0, "time: invalid duration " + quote(orig) + ": out of range, at most 2562047h47m16.854775807s"};
  };
  std::string_view s = orig;
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return {0, ""};
  if (s.empty()) return invalid();
  std::uint64_t d = 0;
  while (!s.empty()) {
    if (!(s[0] == '.' || (s[0] >= '0' && s[0] <= '9'))) return invalid();
    // Whole part: an overflow here is an error.
    std::uint64_t v = 0;
    std::size_t i = 0;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
      if (v > kLimit / 10) return overflow();
      v = v * 10 + static_cast<std::uint64_t>(s[i] - '0');
      if (v > kLimit) return overflow();
    }
    const bool pre = i > 0;
    s.remove_prefix(i);
    // Fraction: digits past what fits are read and dropped.
    std::uint64_t f = 0;
    double scale = 1;
    bool post = false;
    if (!s.empty() && s[0] == '.') {
      s.remove_prefix(1);
      bool full = false;
      for (i = 0; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
        if (full) continue;
        if (f > (kLimit - 1) / 10) {
          full = true;
          continue;
        }
        const std::uint64_t y = f * 10 + static_cast<std::uint64_t>(s[i] - '0');
        if (y > kLimit) {
          full = true;
          continue;
        }
        f = y;
        scale *= 10;
      }
      post = i > 0;
      s.remove_prefix(i);
    }
    if (!pre && !post) return invalid();
    std::size_t u = 0;
    while (u < s.size() && s[u] != '.' && (s[u] < '0' || s[u] > '9')) ++u;
    if (u == 0) return {0, "time: missing unit in duration " + quote(orig)};
    const std::string_view unit_text = s.substr(0, u);
    s.remove_prefix(u);
    const auto unit = unit_of(unit_text);
    if (!unit) return {0, "time: unknown unit " + quote(unit_text) + " in duration " + quote(orig)};
    if (v > kLimit / *unit) return overflow();
    v *= *unit;
    if (f > 0) {
      // As Go: in double, truncated (exact to the nanosecond for fractions of an hour).
      v += static_cast<std::uint64_t>(static_cast<double>(f) * (static_cast<double>(*unit) / scale));
      if (v > kLimit) return overflow();
    }
    d += v;
    if (d > kLimit) return overflow();
  }
  if (neg) return {static_cast<std::int64_t>(0 - d), ""};  // d == 2^63 is min int64
  if (d > kLimit - 1) return overflow();
  return {static_cast<std::int64_t>(d), ""};
}

// Digits of u / 10^prec's fractional part, without trailing zeros ("" when none).
std::string fraction(std::uint64_t u, int prec) {
  std::string digits;
  bool print = false;
  for (int i = 0; i < prec; ++i) {
    const int d = static_cast<int>(u % 10);
    print = print || d != 0;
    if (print) digits.insert(digits.begin(), static_cast<char>('0' + d));
    u /= 10;
  }
  return digits.empty() ? "" : "." + digits;
}

std::uint64_t pow10(int p) {
  std::uint64_t r = 1;
  while (p-- > 0) r *= 10;
  return r;
}

}  // namespace

std::int64_t parse_go_duration(std::string_view text) {
  Parsed p = parse(text);
  if (!p.error.empty()) throw Error(p.error);
  return p.ns;
}

std::optional<std::int64_t> try_parse_go_duration(std::string_view text) {
  Parsed p = parse(text);
  if (!p.error.empty()) return std::nullopt;
  return p.ns;
}

std::string format_go_duration(std::int64_t d) {
  const bool neg = d < 0;
  std::uint64_t u = neg ? static_cast<std::uint64_t>(-(d + 1)) + 1 : static_cast<std::uint64_t>(d);
  std::string out;
  if (u < kS) {
    if (u == 0) return "0s";
    int prec;
    std::string unit;
    if (u < kUs) prec = 0, unit = "ns";
    else if (u < kMs) prec = 3, unit = "\xC2\xB5s";
    else prec = 6, unit = "ms";
    out = std::to_string(u / pow10(prec)) + fraction(u, prec) + unit;
  } else {
    std::string secs = fraction(u, 9) + "s";
    u /= pow10(9);
    out = std::to_string(u % 60) + secs;
    u /= 60;
    if (u > 0) {
      out = std::to_string(u % 60) + "m" + out;
      u /= 60;
      if (u > 0) out = std::to_string(u) + "h" + out;
    }
  }
  return neg ? "-" + out : out;
}

}  // namespace mycompose
