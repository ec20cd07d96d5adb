#include "mycompose/common/human_size.hpp"

#include <cctype>
#include <cstdio>

namespace mycompose {
namespace {

std::string custom_size(int precision, double size, double base, const char* const (&units)[9]) {
  int i = 0;
  while (size >= base && i < 8) {
    size /= base;
    ++i;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g%s", precision, size, units[i]);
  return buf;
}

}  // namespace

std::string human_size(double bytes, int precision) {
  static const char* const units[9] = {"B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};
  return custom_size(precision, bytes, 1000.0, units);
}

std::string bytes_size(double bytes) {
  static const char* const units[9] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"};
  return custom_size(4, bytes, 1024.0, units);
}

std::optional<std::int64_t> ram_in_bytes(std::string_view s) {
  // go-units: `(?i)^(\d+(\.\d+)*) ?([kmgtp])?i?b?$`, the number then read by ParseFloat (so
  // one fraction at most). A loop, not std::regex (a visible share of `config`'s time).
  auto digits = [&](std::size_t& i) {
    const std::size_t from = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i > from;
  };
  std::size_t i = 0;
  if (!digits(i)) return std::nullopt;
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (!digits(i)) return std::nullopt;
  }
  long double size = std::stold(std::string(s.substr(0, i)));
  if (i < s.size() && s[i] == ' ') ++i;
  static constexpr std::string_view kPrefixes = "kmgtp";
  if (i < s.size()) {
    const auto p = kPrefixes.find(static_cast<char>(std::tolower(static_cast<unsigned char>(s[i]))));
    if (p != std::string_view::npos) {
      for (std::size_t k = 0; k <= p; ++k) size *= 1024;
      ++i;
    }
  }
  if (i < s.size() && (s[i] == 'i' || s[i] == 'I')) ++i;
  if (i < s.size() && (s[i] == 'b' || s[i] == 'B')) ++i;
  if (i != s.size()) return std::nullopt;
  if (size >= 9223372036854775808.0L) return std::nullopt;  // more than an int64
  return static_cast<std::int64_t>(size);
}

}  // namespace mycompose
