#pragma once
// Stage "merge": several Compose files (or an `extends` base and its service) → one tree,
// with Compose's override rules.
#include "mycompose/compose/node.hpp"

namespace mycompose::compose {

// `override` laid over `base`, both whole Compose documents.
Node merge_files(const Node& base, const Node& override);

}  // namespace mycompose::compose
