#pragma once
#include <string>
#include <string_view>

#include "mycompose/compose/node.hpp"

namespace mycompose::compose {

struct YamlLimits {
  std::size_t max_bytes = 16u << 20;     // a Compose file is never this large; refuse, do not try
  std::size_t max_nodes = 250000;        // after alias expansion: stops billion-laughs documents (a 200-service file is ~20k)
  int max_depth = 256;                   // nesting depth
};

// Parses one YAML document into a Node tree with positions, resolving `<<` merge keys.
// Errors (syntax, limits) are ComposeError with file:line:col.
Node parse_yaml(std::string_view text, const std::string& filename, const YamlLimits& limits = {});
Node parse_yaml_file(const std::string& path, const YamlLimits& limits = {});

}  // namespace mycompose::compose
