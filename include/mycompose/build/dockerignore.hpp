#pragma once
// .dockerignore rules as Docker applies them: one pattern a line, '#' comments, '!' re-includes,
// '**' spans folders, a pattern also matches everything under a matching folder, and the last
// matching pattern decides.
#include <string>
#include <string_view>
#include <vector>

namespace mycompose::build {

class DockerIgnore {
 public:
  DockerIgnore() = default;
  explicit DockerIgnore(std::string_view file_text);

  // path: relative to the context, '/'-separated, no leading "./".
  bool excluded(std::string_view path) const;
  // True when some '!' pattern could re-include something under an excluded folder, so the
  // folder must still be walked.
  bool has_exceptions() const { return has_exceptions_; }
  bool empty() const { return patterns_.empty(); }

 private:
  struct Pattern {
    std::vector<std::string> parts;  // split on '/'
    bool exclusion = false;          // '!' prefix
  };
  std::vector<Pattern> patterns_;
  bool has_exceptions_ = false;
};

// Docker's filepath.Match-style glob of one full relative path against a pattern where '*'
// and '?' do not cross '/' and a "**" component spans any number of folders.
bool glob_match_path(std::string_view pattern, std::string_view path);

}  // namespace mycompose::build
