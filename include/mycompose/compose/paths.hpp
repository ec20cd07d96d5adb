#pragma once
// Relative paths in a service (build context, env_file, bind sources, extends.file…) or
// in top-level secrets/configs `file:` made absolute against the folder of the file that
// declares them — needed when `extends` or `include` moves a definition into another file.
#include <string>

#include "mycompose/compose/node.hpp"

namespace mycompose::compose {

// `path` made absolute against `dir` and normalized, without a trailing slash ("/p/q/.." is "/p").
std::string absolute_from(const std::string& path, const std::string& dir);

Node resolve_service_paths(const Node& service, const std::string& dir);
Node resolve_document_paths(const Node& document, const std::string& dir);

}  // namespace mycompose::compose
