#include "path_matcher.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace mycompose::cli::watch {
namespace {

namespace stdfs = std::filesystem;

std::string trim(std::string s) {
  const char* ws = " \t\r\n";
  s.erase(0, s.find_first_not_of(ws) == std::string::npos ? s.size() : s.find_first_not_of(ws));
  s.erase(s.find_last_not_of(ws) + 1);
  return s;
}

std::string clean(const std::string& p) {
  std::string out = stdfs::path(p).lexically_normal().string();
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out.empty() ? "." : out;
}

}  // namespace

PathMatcher::PathMatcher(const stdfs::path& root, const std::vector<std::string>& patterns) {
  root_ = clean(stdfs::absolute(root).string());
  std::vector<std::string> kept = patterns;
  // docker compose: a bare "*" leaves only the re-includes.
  if (std::find(kept.begin(), kept.end(), "*") != kept.end())
    std::erase_if(kept, [](const std::string& p) { return !p.empty() && p[0] != '!'; });
  std::string text;
  for (const auto& raw : kept) {
    std::string p = trim(raw);
    if (p.empty()) continue;
    const bool exclusion = p[0] == '!';
    if (exclusion) p = trim(p.substr(1));
    if (p.empty()) continue;
    p = clean(p);
    if (p[0] != '/') p = clean(root_ + "/" + p);
    // DockerIgnore takes paths relative to "/"; a '#' first would read as a comment.
    std::string rel = p.substr(1);
    if (rel.empty() || rel[0] == '#') rel = "./" + rel;
    text += (exclusion ? "!" : "") + rel + "\n";
  }
  rules_ = build::DockerIgnore(text);
}

bool PathMatcher::matches(const std::string& path) const {
  if (rules_.empty()) return false;
  std::string abs = path.empty() || path[0] != '/' ? root_ + "/" + path : path;
  return rules_.excluded(clean(abs).substr(1));
}

bool IgnoreSet::matches(const std::string& path) const {
  return std::any_of(parts_.begin(), parts_.end(), [&](const PathMatcher& m) { return m.matches(path); });
}

const PathMatcher& ephemeral_matcher() {
  static const PathMatcher m("/", {// GoLand
                                   "**/*___jb_old___", "**/*___jb_tmp___", "**/.idea/**",
                                   // Emacs
                                   "**/.#*",
                                   // Vim: its write test file, backups and the first swap names
                                   "**/4913", "**/*~", "**/.*.swp", "**/.*.swx", "**/.*.swo", "**/.*.swn"});
  return m;
}

PathMatcher dockerignore_of(const std::string& context, const std::string& dockerfile) {
  if (context.empty()) return {};
  const stdfs::path ctx(context);
  std::ifstream in;
  if (!dockerfile.empty()) in.open(ctx / (dockerfile + ".dockerignore"));
  if (!in.is_open()) in.open(ctx / ".dockerignore");
  if (!in.is_open()) return {};
  // Bounded: an ignore file is a few lines; a huge one is read up to 1 MiB.
  std::string text(1 << 20, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  std::vector<std::string> patterns;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    line = trim(line);
    if (line.empty() || line[0] == '#') continue;
    // moby's ignorefile: a leading '/' means the context's root.
    const bool exclusion = line[0] == '!';
    std::string p = exclusion ? trim(line.substr(1)) : line;
    while (!p.empty() && p[0] == '/') p.erase(0, 1);
    if (p.empty()) continue;
    patterns.push_back((exclusion ? "!" : "") + p);
  }
  return PathMatcher(ctx, patterns);
}

}  // namespace mycompose::cli::watch
