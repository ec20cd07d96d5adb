// Docker reference grammar (distribution/reference), hand-written rather than std::regex so
// each refusal can say which part is wrong and parsing costs nothing on hot paths.
#include "mycompose/image/reference.hpp"

#include <algorithm>

#include "mycompose/common/error.hpp"

namespace mycompose::image {
namespace {

constexpr std::string_view kDefaultDomain = "docker.io";
constexpr std::string_view kLegacyDefaultDomain = "index.docker.io";
constexpr std::string_view kOfficialPrefix = "library/";

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool is_alnum(char c) { return is_lower_alnum(c) || (c >= 'A' && c <= 'Z'); }
bool is_word(char c) { return is_alnum(c) || c == '_'; }
bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// path-component := alpha-numeric [separator alpha-numeric]*, separator := [_.] | __ | [-]*
bool valid_path_component(std::string_view c) {
  if (c.empty() || !is_lower_alnum(c.front()) || !is_lower_alnum(c.back())) return false;
  for (std::size_t i = 0; i < c.size();) {
    if (is_lower_alnum(c[i])) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < c.size() && !is_lower_alnum(c[j])) ++j;
    std::string_view sep = c.substr(i, j - i);
    bool ok = sep == "." || sep == "_" || sep == "__" ||
              std::all_of(sep.begin(), sep.end(), [](char ch) { return ch == '-'; });
    if (!ok) return false;
    i = j;
  }
  return true;
}

bool valid_path(std::string_view p) {
  if (p.empty()) return false;
  std::size_t start = 0;
  for (;;) {
    std::size_t slash = p.find('/', start);
    if (!valid_path_component(p.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start)))
      return false;
    if (slash == std::string_view::npos) return true;
    start = slash + 1;
  }
}

// domain-component := [a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]; optional ":port";
// or a bracketed IPv6 address.
bool valid_domain(std::string_view d) {
  std::string_view host = d, port;
  if (!d.empty() && d.front() == '[') {
    auto close = d.find(']');
    if (close == std::string_view::npos) return false;
    auto inner = d.substr(1, close - 1);
    if (inner.empty() || !std::all_of(inner.begin(), inner.end(), [](char c) { return is_hex(c) || c == ':' || (c >= 'A' && c <= 'F'); }))
      return false;
    host = {};
    auto rest = d.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return false;
      port = rest.substr(1);
      if (port.empty()) return false;
    }
  } else if (auto colon = d.find(':'); colon != std::string_view::npos) {
    host = d.substr(0, colon);
    port = d.substr(colon + 1);
    if (port.empty()) return false;
  }
  if (!std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) return false;
  if (d.front() == '[') return true;
  if (host.empty()) return false;
  std::size_t start = 0;
  for (;;) {
    std::size_t dot = host.find('.', start);
    auto comp = host.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (comp.empty() || !is_alnum(comp.front()) || !is_alnum(comp.back())) return false;
    if (!std::all_of(comp.begin(), comp.end(), [](char c) { return is_alnum(c) || c == '-'; })) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

bool valid_tag(std::string_view t) {
  if (t.empty() || t.size() > 128 || !is_word(t.front())) return false;
  return std::all_of(t.begin(), t.end(), [](char c) { return is_word(c) || c == '.' || c == '-'; });
}

[[noreturn]] void invalid(std::string_view s) {
  throw Error("invalid reference format: \"" + std::string(s) + "\"");
}

}  // namespace

bool is_valid_digest(std::string_view s) {
  if (s.size() != 71 || s.substr(0, 7) != "sha256:") return false;
  return std::all_of(s.begin() + 7, s.end(), is_hex);
}

Reference Reference::parse(std::string_view s) {
  if (s.size() == 64 && std::all_of(s.begin(), s.end(), is_hex))
    throw Error("invalid repository name (" + std::string(s) + "), cannot specify 64-byte hexadecimal strings");
  if (s.empty()) throw Error("invalid reference format: repository name must have at least one component");

  Reference r;
  std::string_view rest = s;
  if (auto at = rest.find('@'); at != std::string_view::npos) {
    r.digest = std::string(rest.substr(at + 1));
    rest = rest.substr(0, at);
    if (!is_valid_digest(r.digest)) {
      if (r.digest.rfind("sha256:", 0) == 0)
        throw Error("invalid reference format: \"" + std::string(s) + "\": invalid checksum digest length");
      invalid(s);
    }
  }
  // A ':' after the last '/' starts the tag; any other ':' belongs to a registry port.
  std::string_view name = rest;
  auto last_slash = rest.rfind('/');
  auto colon = rest.rfind(':');
  if (colon != std::string_view::npos && (last_slash == std::string_view::npos || colon > last_slash)) {
    name = rest.substr(0, colon);
    r.tag = std::string(rest.substr(colon + 1));
    if (!valid_tag(r.tag)) invalid(s);
  }

  // splitDockerDomain: the first component is a registry only when it looks like a host.
  auto slash = name.find('/');
  std::string_view first = name.substr(0, slash);
  if (slash == std::string_view::npos ||
      (first.find_first_of(".:") == std::string_view::npos && first != "localhost" && lower(first) == first)) {
    r.domain = std::string(kDefaultDomain);
    r.path = std::string(name);
  } else {
    r.domain = std::string(first);
    r.path = std::string(name.substr(slash + 1));
  }
  if (r.domain == kLegacyDefaultDomain) r.domain = std::string(kDefaultDomain);
  if (r.domain == kDefaultDomain && r.path.find('/') == std::string::npos) r.path = std::string(kOfficialPrefix) + r.path;

  if (lower(r.path) != r.path)
    throw Error("invalid reference format: repository name (" + r.path + ") must be lowercase");
  if (!valid_domain(r.domain) || !valid_path(r.path)) invalid(s);
  if (r.domain.size() + 1 + r.path.size() > 255)
    throw Error("invalid reference format: repository name (" + r.path + ") must not be more than 255 characters");
  if (r.tag.empty() && r.digest.empty()) r.tag = "latest";
  return r;
}

std::string Reference::name() const { return domain + "/" + path; }

std::string Reference::familiar_name() const {
  if (domain != kDefaultDomain) return name();
  if (path.rfind(kOfficialPrefix, 0) == 0 && path.find('/', kOfficialPrefix.size()) == std::string::npos)
    return path.substr(kOfficialPrefix.size());
  return path;
}

static std::string with_suffix(std::string base, const Reference& r) {
  if (!r.tag.empty()) base += ":" + r.tag;
  if (!r.digest.empty()) base += "@" + r.digest;
  return base;
}

std::string Reference::str() const { return with_suffix(name(), *this); }
std::string Reference::familiar() const { return with_suffix(familiar_name(), *this); }

}  // namespace mycompose::image
