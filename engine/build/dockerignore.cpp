// Pattern matching per path component with fnmatch(3) (the same * ? [...] \ rules as Go's
// filepath.Match that Docker uses); "**" components are handled here because fnmatch has
// no notion of them.
#include "mycompose/build/dockerignore.hpp"

#include <fnmatch.h>

namespace mycompose::build {
namespace {

std::vector<std::string> split_path(std::string_view p) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= p.size()) {
    auto slash = p.find('/', start);
    auto part = p.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (!part.empty() && part != ".") {
      if (part == ".." && !out.empty()) out.pop_back();
      else if (part != "..") out.emplace_back(part);
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

bool match_parts(const std::vector<std::string>& pat, std::size_t pi, const std::vector<std::string>& path, std::size_t si) {
  while (pi < pat.size()) {
    if (pat[pi] == "**") {
      // "**" as the last component matches everything below; else try every split point.
      if (pi + 1 == pat.size()) return true;
      for (std::size_t k = si; k <= path.size(); ++k)
        if (match_parts(pat, pi + 1, path, k)) return true;
      return false;
    }
    if (si >= path.size()) return false;
    if (::fnmatch(pat[pi].c_str(), path[si].c_str(), 0) != 0) return false;
    ++pi;
    ++si;
  }
  return si == path.size();
}

}  // namespace

bool glob_match_path(std::string_view pattern, std::string_view path) {
  return match_parts(split_path(pattern), 0, split_path(path), 0);
}

DockerIgnore::DockerIgnore(std::string_view text) {
  std::size_t start = 0;
  while (start < text.size()) {
    auto nl = text.find('\n', start);
    auto line = text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    start = nl == std::string_view::npos ? text.size() : nl + 1;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (line.empty() || line.front() == '#') continue;
    Pattern p;
    if (line.front() == '!') {
      p.exclusion = true;
      line.remove_prefix(1);
      while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
      has_exceptions_ = true;
    }
    p.parts = split_path(line);
    if (p.parts.empty()) continue;  // "/" or "." alone: Docker ignores it too
    patterns_.push_back(std::move(p));
  }
}

bool DockerIgnore::excluded(std::string_view path) const {
  if (patterns_.empty()) return false;
  auto parts = split_path(path);
  bool excluded = false;
  for (const auto& p : patterns_) {
    // A pattern matches the path itself or any of its parent folders.
    bool match = false;
    std::vector<std::string> prefix;
    for (std::size_t n = 1; n <= parts.size() && !match; ++n) {
      prefix.assign(parts.begin(), parts.begin() + static_cast<std::ptrdiff_t>(n));
      match = match_parts(p.parts, 0, prefix, 0);
    }
    if (match) excluded = !p.exclusion;
  }
  return excluded;
}

}  // namespace mycompose::build
