#pragma once
// JSON someone else wrote (request bodies, the engine's answers as the CLI reads them, records
// a request shaped, image configs, manifests and indexes from tarballs and registries, OCI
// bundles) is parsed with a bound on its nesting. nlohmann's parser is
// iterative, but copying, comparing and dump() of a document recurse once per level: a
// 200 KB body of 100,000 '[' would overflow the stack of whichever thread touches it.
#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "mycompose/common/error.hpp"

namespace mycompose {

// Far above any Compose model (a service's deepest key is about 6 levels down) and far
// below what recursion over a document can take on an 8 MB (or a worker's) stack.
inline constexpr int kMaxJsonDepth = 512;

// The document nests deeper than allowed.
class JsonTooDeep : public Error {
 public:
  explicit JsonTooDeep(int limit)
      : Error("JSON nests deeper than " + std::to_string(limit) + " levels (the engine's limit)"), limit_(limit) {}
  int limit() const { return limit_; }

 private:
  int limit_;
};

// json::parse with a depth bound: throws JsonTooDeep past max_depth levels of objects and
// arrays, and json::parse_error for text that is not JSON.
template <class Json = nlohmann::json>
Json parse_json_bounded(std::string_view text, int max_depth = kMaxJsonDepth) {
  // The callback sees each object/array start with the depth of its parent (0 at the top),
  // before the parser goes deeper: throwing there stops the parse at the limit.
  return Json::parse(text, [max_depth](int depth, typename Json::parse_event_t event, Json&) {
    if ((event == Json::parse_event_t::object_start || event == Json::parse_event_t::array_start) && depth >= max_depth)
      throw JsonTooDeep(max_depth);
    return true;
  });
}

}  // namespace mycompose
