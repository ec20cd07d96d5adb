// Durations as compose reads and prints them: Go's time.ParseDuration ("1m30s", "1.5h",
// "500ms") and time.Duration.String() ("1m30s", "1h0m0s", "1.5s", "0s"). Hand-written
// because no Debian C++ library speaks Go's duration format.
#include <cstdint>
#include <limits>

#include "attributes.hpp"
#include "mycompose/compose/error.hpp"

namespace mycompose::compose::schema {

namespace {
constexpr std::int64_t kNs = 1, kUs = 1000, kMs = 1000 * kUs, kS = 1000 * kMs, kM = 60 * kS, kH = 60 * kM;

// Digits of u / 10^prec's fractional part, without trailing zeros ("" when none).
std::string fraction(std::uint64_t u, int prec) {
  std::string digits;
  bool print = false;
  for (int i = 0; i < prec; ++i) {
    int d = static_cast<int>(u % 10);
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

std::optional<std::int64_t> parse_duration(std::string_view s) {
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return 0;
  if (s.empty()) return std::nullopt;
  long double total = 0;
  while (!s.empty()) {
    std::size_t i = 0;
    long double value = 0;
    bool digits = false;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') value = value * 10 + (s[i++] - '0'), digits = true;
    if (i < s.size() && s[i] == '.') {
      ++i;
      long double scale = 0.1L;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') value += (s[i++] - '0') * scale, scale /= 10, digits = true;
    }
    if (!digits) return std::nullopt;
    s.remove_prefix(i);
    std::size_t u = 0;
    while (u < s.size() && (s[u] < '0' || s[u] > '9') && s[u] != '.') ++u;
    std::string_view unit = s.substr(0, u);
    s.remove_prefix(u);
    std::int64_t mult;
    if (unit == "ns") mult = kNs;
    else if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") mult = kUs;
    else if (unit == "ms") mult = kMs;
    else if (unit == "s") mult = kS;
    else if (unit == "m") mult = kM;
    else if (unit == "h") mult = kH;
    else return std::nullopt;  // missing or unknown unit
    total += value * mult;
    if (total > static_cast<long double>(std::numeric_limits<std::int64_t>::max())) return std::nullopt;
  }
  auto ns = static_cast<std::int64_t>(total + 0.5L);
  return neg ? -ns : ns;
}

std::string format_duration(std::int64_t d) {
  bool neg = d < 0;
  std::uint64_t u = neg ? static_cast<std::uint64_t>(-(d + 1)) + 1 : static_cast<std::uint64_t>(d);
  std::string out;
  if (u < static_cast<std::uint64_t>(kS)) {
    if (u == 0) return "0s";
    int prec;
    std::string unit;
    if (u < static_cast<std::uint64_t>(kUs)) prec = 0, unit = "ns";
    else if (u < static_cast<std::uint64_t>(kMs)) prec = 3, unit = "\xC2\xB5s";
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

json duration(const Node& node, const Type&, Walk&, const std::string& path) {
  const std::string& s = scalar_text(node, path);
  auto ns = parse_duration(s);
  if (!ns) throw ComposeError(node.mark, path + ": invalid duration \"" + s + "\" (expected a number with a unit, such as 10s, 1m30s or 500ms)");
  return format_duration(*ns);
}

}  // namespace mycompose::compose::schema
