#pragma once
// Helpers for the compose stage tests: YAML in, a compact rendering of the tree out, and
// a temporary folder that removes itself.
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "mycompose/compose/node.hpp"
#include "mycompose/compose/yaml.hpp"

namespace mycompose::compose::test {

// Flow-style rendering: {a: 1, b: [x, y]}, null as ~, quoted scalars in "".
inline std::string dump(const Node& n) {
  switch (n.kind) {
    case Node::Kind::Null: return "~";
    case Node::Kind::Scalar: return n.quoted ? "\"" + n.value + "\"" : n.value;
    case Node::Kind::Sequence: {
      std::string s = "[";
      for (std::size_t i = 0; i < n.items.size(); ++i) s += (i ? ", " : "") + dump(n.items[i]);
      return s + "]";
    }
    case Node::Kind::Map: {
      std::string s = "{";
      for (std::size_t i = 0; i < n.entries.size(); ++i)
        s += (i ? ", " : "") + n.entries[i].key + ": " + dump(n.entries[i].value);
      return s + "}";
    }
  }
  return "?";
}

inline Node yaml(const std::string& text, const std::string& file = "compose.yaml") { return parse_yaml(text, file); }

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "mycompose-test-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }
  // Writes `content` to `rel` (creating folders) and returns the absolute path.
  std::string write(const std::string& rel, const std::string& content) const {
    auto p = path_ / rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p) << content;
    return p.string();
  }

 private:
  std::filesystem::path path_;
};

}  // namespace mycompose::compose::test
