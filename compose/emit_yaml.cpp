// ordered_json → YAML in the shape `docker compose config` prints: block style, 2-space
// indent, `{}`/`[]` for empty collections, literal blocks for multi-line text.
// Hand-written rather than yaml-cpp's Emitter: that emitter ran its RegEx engine over every
// scalar and cost 45% of `mycompose config`; the quoting decision is ours anyway
// (yaml_needs_quotes + plain_scalar_ok), so what remains is indentation and escaping.
#include <string_view>

#include "mycompose/compose/emit.hpp"

namespace mycompose::compose {

namespace {

bool digit(char c) { return c >= '0' && c <= '9'; }

// Reads a run of characters accepted by `ok` from s[i]; true when it was not empty.
template <class Ok>
bool run(std::string_view s, std::size_t& i, Ok ok) {
  std::size_t from = i;
  while (i < s.size() && ok(s[i])) ++i;
  return i > from;
}

// [-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?  (YAML 1.1 float / decimal int)
bool yaml_decimal(std::string_view s) {
  auto digit_ = [](char c) { return digit(c) || c == '_'; };
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (!run(s, i, digit)) return false;
  } else {
    if (i >= s.size() || !digit(s[i])) return false;
    run(s, i, digit_);
    if (i < s.size() && s[i] == '.') {
      ++i;
      run(s, i, digit_);
    }
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    if (!run(s, i, digit)) return false;
  }
  return i == s.size();
}

// [-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?  (YAML 1.1 sexagesimal, "1:30")
bool yaml_sexagesimal(std::string_view s) {
  auto digit_ = [](char c) { return digit(c) || c == '_'; };
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  if (i >= s.size() || !digit(s[i])) return false;
  run(s, i, digit_);
  int groups = 0;
  while (i < s.size() && s[i] == ':') {
    std::size_t from = ++i;
    run(s, i, digit);
    std::size_t n = i - from;
    if (n == 0 || n > 2 || (n == 2 && s[from] > '5')) return false;
    ++groups;
  }
  if (groups == 0) return false;
  if (i < s.size() && s[i] == '.') {
    ++i;
    run(s, i, digit_);
  }
  return i == s.size();
}

bool prefixed(std::string_view s, std::string_view prefix, std::string_view allowed) {
  if (s.size() <= prefix.size() || s.substr(0, prefix.size()) != prefix) return false;
  return s.find_first_not_of(allowed, prefix.size()) == std::string_view::npos;
}

bool one_of(std::string_view s, std::initializer_list<std::string_view> words) {
  for (auto w : words)
    if (s == w) return true;
  return false;
}

bool needs_quotes(std::string_view s) {
  if (s.empty()) return true;
  // Every special form starts with a digit, a sign, a dot, `~` or the first letter of a word.
  if (std::string_view("0123456789+-.~nNtTfFyYoO").find(s[0]) == std::string_view::npos) return false;
  if (one_of(s, {"~", "null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE", "y", "Y", "yes",
                 "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF"}))
    return true;
  if (prefixed(s, "0o", "01234567") || prefixed(s, "0x", "0123456789abcdefABCDEF_") || prefixed(s, "0b", "01_"))
    return true;
  if (one_of(s, {".nan", ".NaN", ".NAN"})) return true;
  std::string_view unsigned_part = (s[0] == '-' || s[0] == '+') ? s.substr(1) : s;
  if (one_of(unsigned_part, {".inf", ".Inf", ".INF"})) return true;
  // Decimal and octal integers ([-+]?(0|[1-9][0-9_]*), 0[0-7_]+) are decimals here too.
  return yaml_decimal(s) || yaml_sexagesimal(s);
}

}  // namespace

bool yaml_needs_quotes(const std::string& s) { return needs_quotes(s); }

namespace {

bool blank_or_break(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Bytes a YAML stream may not hold raw (C0 controls but \t \n, DEL, C1 controls, NBSP, BOM);
// returns the length of the offending sequence at s[i], 0 when printable.
std::size_t non_printable_at(std::string_view s, std::size_t i) {
  auto c = static_cast<unsigned char>(s[i]);
  if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f) return 1;
  if (c == 0xc2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) <= 0xa0) return 2;
  if (s.substr(i, 3) == "\xef\xbb\xbf") return 3;
  return 0;
}

// Whether the text can be written as a plain block scalar and read back unchanged, apart
// from what yaml_needs_quotes already covers (the rules yaml-cpp's emitter applied).
bool plain_scalar_ok(std::string_view s) {
  if (s.empty() || blank_or_break(s.front()) || s.back() == ' ') return false;
  if (std::string_view(",[]{}#&*!|>'\"%@`").find(s.front()) != std::string_view::npos) return false;
  if ((s.front() == '-' || s.front() == '?' || s.front() == ':') && (s.size() == 1 || blank_or_break(s[1])))
    return false;
  if (s.substr(0, 3) == "---" || s.substr(0, 3) == "...") return false;  // document markers
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\n' || c == '\r' || c == '\t') return false;
    if (c == ':' && (i + 1 == s.size() || blank_or_break(s[i + 1]))) return false;
    if (c == '#' && i > 0 && blank_or_break(s[i - 1])) return false;
    if (non_printable_at(s, i)) return false;
  }
  return true;
}

// A literal block (`|`) keeps the text exactly when its lines hold only printable characters
// and the first non-empty line does not start with a space (it fixes the indentation).
bool literal_ok(std::string_view s) {
  if (s.empty() || s.back() != '\n') return false;
  std::size_t first = s.find_first_not_of('\n');
  if (first == std::string_view::npos || s[first] == ' ') return false;
  for (std::size_t i = 0; i < s.size(); ++i)
    if (s[i] == '\t' || s[i] == '\r' || non_printable_at(s, i)) return false;
  return true;
}

// Decodes one UTF-8 sequence at s[i] (advancing i); invalid bytes give U+FFFD.
char32_t next_code_point(std::string_view s, std::size_t& i) {
  auto b = static_cast<unsigned char>(s[i++]);
  if (b < 0x80) return b;
  int extra = b >= 0xf0 && b < 0xf8 ? 3 : b >= 0xe0 ? 2 : b >= 0xc2 && b < 0xe0 ? 1 : -1;
  if (extra < 0 || b >= 0xf8) return 0xfffd;
  char32_t cp = b & (0x3f >> extra);
  for (int k = 0; k < extra; ++k) {
    if (i >= s.size() || (static_cast<unsigned char>(s[i]) & 0xc0) != 0x80) return 0xfffd;
    cp = (cp << 6) | (static_cast<unsigned char>(s[i++]) & 0x3f);
  }
  bool overlong = (extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000);
  if (overlong || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0xfffd;
  return cp;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

void append_double_quoted(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  out += '"';
  for (std::size_t i = 0; i < s.size();) {
    char32_t cp = next_code_point(s, i);
    switch (cp) {
      case '"': out += "\\\""; continue;
      case '\\': out += "\\\\"; continue;
      case '\n': out += "\\n"; continue;
      case '\t': out += "\\t"; continue;
      case '\r': out += "\\r"; continue;
      case '\b': out += "\\b"; continue;
      default: break;
    }
    if (cp < 0x20 || (cp >= 0x7f && cp <= 0xa0) || cp == 0xfeff) {
      int digits = cp <= 0xff ? 2 : 4;
      out += cp <= 0xff ? "\\x" : "\\u";
      for (int d = digits - 1; d >= 0; --d) out += hex[(cp >> (4 * d)) & 0xf];
    } else {
      append_utf8(out, cp);
    }
  }
  out += '"';
}

class Writer {
 public:
  std::string out;

  // A scalar after "key:" / "-" (or at the start of the document); `indent` is the column
  // of that key or dash, which literal blocks indent from.
  void scalar(std::string_view s, std::size_t indent) {
    if (s.find('\n') != std::string_view::npos && literal_ok(s)) {
      literal(s, indent + 2);
    } else if (needs_quotes(s) || !plain_scalar_ok(s)) {
      append_double_quoted(out, s);
      out += '\n';
    } else {
      out += s;
      out += '\n';
    }
  }

  // After "key:" or "-" (no space written yet), or at the start of the document.
  void value(const nlohmann::ordered_json& j, std::size_t indent, bool in_sequence, bool at_start) {
    using T = nlohmann::json::value_t;
    const char* sep = at_start ? "" : " ";
    switch (j.type()) {
      case T::object:
        if (j.empty()) {
          out.append(sep).append("{}\n");
        } else if (in_sequence) {
          out += ' ';
          map(j, indent + 2, true);
        } else {
          if (!at_start) out += '\n';
          map(j, at_start ? 0 : indent + 2, false);
        }
        return;
      case T::array:
        if (j.empty()) {
          out.append(sep).append("[]\n");
        } else {
          if (!at_start) out += '\n';
          sequence(j, at_start ? 0 : indent + 2);
        }
        return;
      case T::string:
        out += sep;
        scalar(j.get_ref<const std::string&>(), indent);
        return;
      case T::null: out.append(sep).append("null\n"); return;
      case T::boolean: out.append(sep).append(j.get<bool>() ? "true\n" : "false\n"); return;
      case T::number_integer: out.append(sep).append(std::to_string(j.get<std::int64_t>())).append("\n"); return;
      case T::number_unsigned: out.append(sep).append(std::to_string(j.get<std::uint64_t>())).append("\n"); return;
      default: out.append(sep).append(j.dump()).append("\n"); return;  // floats as JSON spells them
    }
  }

 private:
  void map(const nlohmann::ordered_json& j, std::size_t indent, bool first_inline) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (!first_inline || it != j.begin()) out.append(indent, ' ');
      key(it.key());
      value(it.value(), indent, false, false);
    }
  }

  void sequence(const nlohmann::ordered_json& j, std::size_t indent) {
    for (const auto& v : j) {
      out.append(indent, ' ');
      out += '-';
      value(v, indent, true, false);
    }
  }

  void key(std::string_view k) {
    if (needs_quotes(k) || !plain_scalar_ok(k))
      append_double_quoted(out, k);
    else
      out += k;
    out += ':';
  }

  // `|` keeps exactly one final newline; `|+` keeps them all.
  void literal(std::string_view s, std::size_t indent) {
    bool keep = s.size() >= 2 && s[s.size() - 2] == '\n';
    out += keep ? "|+\n" : "|\n";
    std::string_view body = s.substr(0, s.size() - 1);
    std::size_t from = 0;
    while (true) {
      std::size_t nl = body.find('\n', from);
      std::string_view line = body.substr(from, nl == std::string_view::npos ? std::string_view::npos : nl - from);
      if (!line.empty()) out.append(indent, ' ').append(line);
      out += '\n';
      if (nl == std::string_view::npos) break;
      from = nl + 1;
    }
  }
};

}  // namespace

std::string to_yaml(const nlohmann::ordered_json& document) {
  Writer w;
  w.out.reserve(4096);
  w.value(document, 0, false, true);
  return w.out;
}

}  // namespace mycompose::compose
