// Durations as compose reads and prints them: Go's time.ParseDuration and
// time.Duration.String (common/go_duration).
#include "attributes.hpp"
#include "mycompose/common/go_duration.hpp"
#include "mycompose/compose/error.hpp"

namespace mycompose::compose::schema {

json duration(const Node& node, const Type&, Walk&, const std::string& path) {
  const std::string& s = scalar_text(node, path);
  auto ns = try_parse_go_duration(s);
  if (!ns) throw ComposeError(node.mark, path + ": invalid duration \"" + s + "\" (expected a number with a unit, such as 10s, 1m30s or 500ms)");
  return format_go_duration(*ns);
}

}  // namespace mycompose::compose::schema
