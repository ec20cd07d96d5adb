// WWW-Authenticate parsing (RFC 7235 §4.1). Hand-written because cpp-httplib only
// produces Authorization headers; it does not parse challenges.
#include <cctype>

#include "mycompose/image/registry_auth.hpp"

namespace mycompose::image::registry {
namespace {

bool is_tchar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("!#$%&'*+-.^_`|~/:=").find(c) != std::string_view::npos;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

struct Cursor {
  std::string_view s;
  size_t i = 0;
  bool done() const { return i >= s.size(); }
  char peek() const { return done() ? '\0' : s[i]; }
  void skip_ws() {
    while (!done() && (s[i] == ' ' || s[i] == '\t')) ++i;
  }
  void skip_ws_commas() {
    while (!done() && (s[i] == ' ' || s[i] == '\t' || s[i] == ',')) ++i;
  }
  // A token; '=' is allowed only as token68 padding at its end, so stop at "=" followed by
  // something that is not '=' (an auth-param) — the caller looks at what follows.
  std::string token() {
    size_t b = i;
    while (!done() && is_tchar(s[i]) && s[i] != '=') ++i;
    return std::string(s.substr(b, i - b));
  }
  std::string quoted() {  // at the opening quote
    std::string out;
    ++i;
    while (!done() && s[i] != '"') {
      if (s[i] == '\\' && i + 1 < s.size()) ++i;
      out += s[i++];
    }
    if (!done()) ++i;  // closing quote
    return out;
  }
};

}  // namespace

std::vector<Challenge> parse_www_authenticate(std::string_view header) {
  std::vector<Challenge> out;
  Cursor c{header};
  c.skip_ws_commas();
  while (!c.done()) {
    std::string scheme = c.token();
    if (scheme.empty()) {  // garbage: skip one char and resynchronise
      ++c.i;
      c.skip_ws_commas();
      continue;
    }
    Challenge ch{lower(scheme), {}};
    c.skip_ws();
    // auth-params until the next thing that is not "name = value"
    while (!c.done()) {
      size_t mark = c.i;
      c.skip_ws_commas();
      std::string name = c.token();
      c.skip_ws();
      if (name.empty() || c.peek() != '=') {  // next challenge's scheme (or token68)
        c.i = mark;
        break;
      }
      ++c.i;  // '='
      c.skip_ws();
      std::string value;
      if (c.peek() == '"') {
        value = c.quoted();
      } else {
        size_t b = c.i;
        while (!c.done() && c.peek() != ',' && c.peek() != ' ' && c.peek() != '\t') ++c.i;
        value = std::string(header.substr(b, c.i - b));
      }
      ch.params[lower(name)] = value;
      c.skip_ws();
    }
    out.push_back(std::move(ch));
    c.skip_ws_commas();
  }
  return out;
}

}  // namespace mycompose::image::registry
