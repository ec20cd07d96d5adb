// libFuzzer target over the front of the Compose loader: arbitrary bytes go through the
// YAML reader, interpolation, merge (with itself, as two -f files would), unicity,
// profiles, extends (same file) and normalize; and through the .env parser. Anything but
// a mycompose::Error is a bug.
#include <cstddef>
#include <cstdint>
#include <string>

#include "mycompose/compose/dotenv.hpp"
#include "mycompose/compose/error.hpp"
#include "mycompose/compose/extends.hpp"
#include "mycompose/compose/interpolation.hpp"
#include "mycompose/compose/merge.hpp"
#include "mycompose/compose/normalize.hpp"
#include "mycompose/compose/profiles.hpp"
#include "mycompose/compose/yaml.hpp"

using namespace mycompose::compose;

namespace {

std::optional<std::string> lookup(const std::string& name) {
  if (name == "SET") return std::string("value");
  if (name == "EMPTY") return std::string();
  return std::nullopt;
}

void loader_pipeline(std::string_view text) {
  YamlLimits limits;
  limits.max_nodes = 100000;
  Node tree = parse_yaml(text, "fuzz.yaml", limits);
  if (!tree.is_map()) return;
  tree = interpolate(tree, lookup, [](const std::string&) {}).tree;
  tree = resolve_extends(tree, "/fuzz/fuzz.yaml", [&](const std::string&) -> Node {
    throw ComposeError("no other files while fuzzing");
  });
  Node merged = enforce_unicity(merge_files(merge_files(Node::map(), tree), tree));
  ProfilesResult p = apply_profiles(merged, {"debug"}, {});
  NormalizeContext ctx;
  ctx.project_name = "fuzz";
  ctx.working_dir = "/fuzz";
  ctx.disabled_services = p.disabled;
  normalize(p.document, ctx);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    loader_pipeline(text);
  } catch (const mycompose::Error&) {
  }
  try {
    parse_dotenv(text, "fuzz.env", lookup);
  } catch (const mycompose::Error&) {
  }
  try {
    substitute(text, lookup);
  } catch (const mycompose::Error&) {
  }
  return 0;
}
