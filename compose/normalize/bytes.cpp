// Byte sizes as docker reads them (go-units RAMInBytes: binary multiples, "1g", "512m",
// "1.5GB", "100k", a bare number is bytes) and as compose prints them: a decimal string.
#include <cctype>
#include <cmath>
#include <regex>

#include "attributes.hpp"
#include "mycompose/compose/error.hpp"

namespace mycompose::compose::schema {

std::optional<std::int64_t> parse_bytes(std::string_view s) {
  static const std::regex re(R"(^(\d+(?:\.\d+)?) ?([kKmMgGtTpP])?[iI]?[bB]?$)");
  std::smatch m;
  std::string str(s);
  if (!std::regex_match(str, m, re)) return std::nullopt;
  long double v = std::stold(m[1].str());
  if (m[2].matched) {
    switch (std::tolower(static_cast<unsigned char>(m[2].str()[0]))) {
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
