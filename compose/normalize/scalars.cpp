// Typed scalars. The tree keeps every scalar as text with a `quoted` flag; the schema says
// what each one becomes. Like compose, fields typed integer/number/boolean also accept the
// quoted spelling ("3", "true"), since interpolation always produces strings.
#include <charconv>
#include <limits>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "attributes.hpp"
#include "mycompose/compose/error.hpp"

namespace mycompose::compose::schema {

namespace {
// The YAML core-schema float `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?` as a loop
// (std::regex was a visible share of `config`'s time: it runs for every plain scalar).
bool is_core_float(std::string_view s) {
  auto digits = [&](std::size_t& i) {
    std::size_t from = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i > from;
  };
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (!digits(i)) return false;
  } else {
    if (!digits(i)) return false;
    if (i < s.size() && s[i] == '.') {
      ++i;
      digits(i);
    }
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    if (!digits(i)) return false;
  }
  return i == s.size();
}

std::string what_it_is(const Node& node) {
  switch (node.kind) {
    case Node::Kind::Null: return "null";
    case Node::Kind::Scalar: return "\"" + node.value + "\"";
    case Node::Kind::Sequence: return "a list";
    case Node::Kind::Map: return "a mapping";
  }
  return "?";
}
}  // namespace

void type_error(const Node& node, const std::string& path, const std::string& expected) {
  throw ComposeError(node.mark, path + " must be " + expected + ", got " + what_it_is(node));
}

const std::string& scalar_text(const Node& node, const std::string& path) {
  if (!node.is_scalar()) type_error(node, path, "a string");
  return node.value;
}

// Decimal, and YAML 1.2's 0o (octal), 0x (hex) and Go's 0b (binary), as go-yaml reads an int.
std::optional<std::int64_t> parse_int(std::string_view s) {
  if (s.empty()) return std::nullopt;
  const bool negative = s[0] == '-';
  if (s[0] == '-' || s[0] == '+') s.remove_prefix(1);
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'x' || s[1] == 'b')) {
    base = s[1] == 'o' ? 8 : s[1] == 'x' ? 16 : 2;
    s.remove_prefix(2);
  }
  if (s.empty()) return std::nullopt;
  std::uint64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  constexpr std::uint64_t kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (v > kMax + (negative ? 1 : 0)) return std::nullopt;
  if (!negative) return static_cast<std::int64_t>(v);
  return v == kMax + 1 ? std::numeric_limits<std::int64_t>::min() : -static_cast<std::int64_t>(v);
}

std::optional<bool> parse_bool(std::string_view s) {
  std::string l;
  for (char c : s) l += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (l == "true" || l == "yes" || l == "y" || l == "on") return true;
  if (l == "false" || l == "no" || l == "n" || l == "off") return false;
  return std::nullopt;
}

std::int64_t to_integer(const Node& node, const std::string& path) {
  if (node.is_scalar())
    if (auto v = parse_int(node.value)) return *v;
  type_error(node, path, "an integer");
}

double to_number(const Node& node, const std::string& path) {
  if (node.is_scalar())
    if (auto i = parse_int(node.value)) return static_cast<double>(*i);
  if (node.is_scalar() && !node.value.empty()) {
    char* end = nullptr;
    errno = 0;
    double v = std::strtod(node.value.c_str(), &end);
    if (end && *end == '\0' && errno == 0 && std::isfinite(v)) return v;
  }
  type_error(node, path, "a number");
}

bool to_boolean(const Node& node, const std::string& path) {
  if (node.is_scalar())
    if (auto v = parse_bool(node.value)) return *v;
  type_error(node, path, "a boolean");
}

json number_json(double v) {
  if (std::floor(v) == v && std::fabs(v) < 9e15) return static_cast<std::int64_t>(v);
  return v;
}

json core_scalar(const Node& node) {
  if (node.is_null()) return nullptr;
  if (node.quoted || !node.is_scalar()) return node.value;
  const std::string& s = node.value;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  if (auto i = parse_int(s)) return *i;
  if (is_core_float(s)) return std::strtod(s.c_str(), nullptr);
  return s;
}

}  // namespace mycompose::compose::schema
