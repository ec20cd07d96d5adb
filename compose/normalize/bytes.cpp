// Byte sizes as docker reads them (go-units RAMInBytes, common/human_size) and as compose
// prints them: a decimal string.
#include "attributes.hpp"
#include "mycompose/common/human_size.hpp"
#include "mycompose/compose/error.hpp"

namespace mycompose::compose::schema {

json byte_size(const Node& node, const Type&, Walk&, const std::string& path) {
  const std::string& s = scalar_text(node, path);
  if (s == "-1") return "-1";  // memswap_limit: unlimited
  auto b = ram_in_bytes(s);
  if (!b) throw ComposeError(node.mark, path + ": invalid byte size \"" + s + "\" (expected a number with an optional unit b, k, m, g, t, p, such as 512m or 1g)");
  return std::to_string(*b);
}

}  // namespace mycompose::compose::schema
