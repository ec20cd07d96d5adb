#pragma once
// Stage "include": top-level `include:` brings in other Compose projects' resources.
#include <string>
#include <vector>

#include "mycompose/compose/node.hpp"

namespace mycompose::compose {

struct IncludeEntry {
  std::vector<std::string> paths;      // absolute; merged like several -f files
  std::string project_directory;       // absolute; default: the folder of the first path
  std::vector<std::string> env_files;  // absolute; default: <project_directory>/.env when present
  bool env_files_given = false;        // env_file: was written (then a missing one is an error)
  Mark mark;
};

// Reads the `include:` value (a string, a list of strings or of mappings with path (string
// or list), project_directory, env_file); relative paths are resolved against `dir`, the
// folder of the including file.
std::vector<IncludeEntry> parse_include(const Node& include, const std::string& dir);

// Adds the services, networks, volumes, secrets and configs of `included` (a loaded and
// path-resolved model) to `document`. A name defined in both with different content is an
// error naming the resource and the file it came from.
Node merge_included(const Node& document, const Node& included, const IncludeEntry& from);

// "a.yaml -> b.yaml -> a.yaml" when `path` is already on the chain of including files.
std::string include_cycle(const std::vector<std::string>& chain, const std::string& path);

}  // namespace mycompose::compose
