#pragma once
// Stage "extends": a service built on another service of the same file or of `file:`.
#include <functional>
#include <string>

#include "mycompose/compose/node.hpp"

namespace mycompose::compose {

// The parsed and interpolated document of a Compose file (the loader caches them).
using DocumentLoader = std::function<Node(const std::string& absolute_path)>;

// Resolves every `extends` in the services of `document` (read from the absolute path
// `file`), recursively: the base (itself resolved first) is merged under the service with
// the override rules, and the base's relative paths are made absolute against the folder
// of the file that declares them. A cycle is an error naming it; so is a missing service
// or file.
Node resolve_extends(const Node& document, const std::string& file, const DocumentLoader& load);

}  // namespace mycompose::compose
