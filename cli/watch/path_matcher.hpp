#pragma once
// Which changed host paths a watch rule ignores, with docker compose's rules (its
// pkg/watch/dockerignore.go over moby's patternmatcher): each pattern is made absolute
// against a root folder, a path matches when it or one of its parent folders matches, '!'
// re-includes, the last matching pattern decides, and a bare "*" keeps only the '!'
// patterns. The matching itself is build::DockerIgnore's, the one .dockerignore matcher.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "mycompose/build/dockerignore.hpp"

namespace mycompose::cli::watch {

class PathMatcher {
 public:
  // An empty matcher matches nothing.
  PathMatcher() = default;
  PathMatcher(const std::filesystem::path& root, const std::vector<std::string>& patterns);
  // path: absolute; a relative one is taken against the root.
  bool matches(const std::string& path) const;
  bool empty() const { return rules_.empty(); }

 private:
  std::string root_;
  build::DockerIgnore rules_;
};

// Several matchers: a path is ignored when any of them matches it.
class IgnoreSet {
 public:
  void add(PathMatcher m) {
    if (!m.empty()) parts_.push_back(std::move(m));
  }
  bool matches(const std::string& path) const;

 private:
  std::vector<PathMatcher> parts_;
};

// Editors' temporary and lock files (GoLand, Emacs, Vim), which docker compose never syncs.
const PathMatcher& ephemeral_matcher();

// The build context's ignore file: <Dockerfile>.dockerignore, else .dockerignore; an empty
// matcher without one (or without a build section).
PathMatcher dockerignore_of(const std::string& context, const std::string& dockerfile);

}  // namespace mycompose::cli::watch
