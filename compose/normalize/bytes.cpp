// Byte sizes as docker reads them (go-units RAMInBytes: binary multiples, "1g", "512m",
// "1.5GB", "100k", a bare number is bytes) and as compose prints them: a decimal string.
#include <cctype>
#include <cmath>
#include <string>

#include "attributes.hpp"
#include "mycompose/compose/error.hpp"

namespace mycompose::compose::schema {

std::optional<std::int64_t> parse_bytes(std::string_view s) {
  // `(\d+(\.\d+)?) ?([kKmMgGtTpP])?[iI]?[bB]?` as a loop (std::regex was a visible share
  // of `config`'s time).
  auto digits = [&](std::size_t& i) {
    std::size_t from = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i > from;
  };
  std::size_t i = 0;
  if (!digits(i)) return std::nullopt;
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (!digits(i)) return std::nullopt;
  }
  const std::string number(s.substr(0, i));
  if (i < s.size() && s[i] == ' ') ++i;
  char unit = 0;
  if (i < s.size() && std::string_view("kKmMgGtTpP").find(s[i]) != std::string_view::npos) unit = s[i++];
  if (i < s.size() && (s[i] == 'i' || s[i] == 'I')) ++i;
  if (i < s.size() && (s[i] == 'b' || s[i] == 'B')) ++i;
  if (i != s.size()) return std::nullopt;
  long double v = std::stold(number);
  if (unit) {
    switch (std::tolower(static_cast<unsigned char>(unit))) {
      case 'p': v *= 1024;  [[fallthrough]];
      case 't': v *= 1024;  [[fallthrough]];
      case 'g': v *= 1024;  [[fallthrough]];
      case 'm': v *= 1024;  [[fallthrough]];
      case 'k': v *= 1024;
    }
  }
  if (v > 9.2e18L) return std::nullopt;
  return static_cast<std::int64_t>(v);
}

json byte_size(const Node& node, const Type&, Walk&, const std::string& path) {
  const std::string& s = scalar_text(node, path);
  if (s == "-1") return "-1";  // memswap_limit: unlimited
  auto b = parse_bytes(s);
  if (!b) throw ComposeError(node.mark, path + ": invalid byte size \"" + s + "\" (expected a number with an optional unit b, k, m, g, t, p, such as 512m or 1g)");
  return std::to_string(*b);
}

}  // namespace mycompose::compose::schema
