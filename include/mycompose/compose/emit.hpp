#pragma once
// The canonical model as YAML, in the shape `docker compose config` prints: block style,
// 2-space indent, `{}`/`[]` for empty collections, and strings that YAML would read as
// something else ("8080", "true", "null", "") double-quoted.
#include <string>

#include <nlohmann/json.hpp>

namespace mycompose::compose {

std::string to_yaml(const nlohmann::ordered_json& document);

// True when a plain (unquoted) YAML scalar with this text would not read back as the
// same string: booleans and nulls of YAML 1.1 and 1.2, numbers, the empty string.
bool yaml_needs_quotes(const std::string& s);

}  // namespace mycompose::compose
