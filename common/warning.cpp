#include "mycompose/common/warning.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>

#include "mycompose/common/time_text.hpp"

namespace mycompose {

namespace {

// logrus' baseTimestamp: when the program started.
const auto kStart = std::chrono::steady_clock::now();

// logrus quotes a value unless every byte is a letter, digit or one of -._/@^+
bool needs_quoting(std::string_view s) {
  for (unsigned char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
          c == '/' || c == '@' || c == '^' || c == '+'))
      return true;
  return false;
}

// Length of the valid UTF-8 sequence at s[i] (0: invalid).
std::size_t utf8_length(std::string_view s, std::size_t i) {
  const unsigned char c = static_cast<unsigned char>(s[i]);
  std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k)
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 0;
  return n;
}

}  // namespace

std::string go_quote(std::string_view s) {
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const std::size_t n = utf8_length(s, i);
    char hex[8];
    if (n == 0) {  // not UTF-8: the byte as \x
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
      ++i;
      continue;
    }
    if (n > 1) {
      out.append(s.substr(i, n));
      i += n;
      continue;
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\a': out += "\\a"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\v': out += "\\v"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          std::snprintf(hex, sizeof hex, "\\x%02x", c);
          out += hex;
        } else {
          out += static_cast<char>(c);
        }
    }
    ++i;
  }
  return out + "\"";
}

std::string warning_line(std::string_view message, bool terminal, std::time_t now, long seconds, bool colours) {
  if (!terminal) {
    const std::string msg = needs_quoting(message) ? go_quote(message) : std::string(message);
    return "time=\"" + format_rfc3339_local(now) + "\" level=warning msg=" + msg + "\n";
  }
  // logrus' coloured form: fmt's %-44s pads by characters, not bytes.
  std::string_view text = message;
  if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  std::size_t chars = 0;
  for (unsigned char c : text) chars += (c & 0xC0) != 0x80;
  char prefix[48];
  std::snprintf(prefix, sizeof prefix, colours ? "\033[33mWARN\033[0m[%04ld] " : "WARN[%04ld] ", seconds);
  std::string out = prefix;
  out += text;
  if (chars < 44) out.append(44 - chars, ' ');
  return out + " \n";
}

std::string stderr_warning_line(std::string_view message, bool colours) {
  const long seconds = static_cast<long>(std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - kStart).count());
  return warning_line(message, ::isatty(STDERR_FILENO) != 0, std::time(nullptr), seconds, colours);
}

void print_warning(std::string_view message) { std::cerr << stderr_warning_line(message) << std::flush; }

}  // namespace mycompose
