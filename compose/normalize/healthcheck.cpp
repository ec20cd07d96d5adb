// healthcheck: `test` as a string runs in a shell (["CMD-SHELL", "…"]); as a list it must
// start with NONE, CMD or CMD-SHELL. `disable: true` is the same as `test: ["NONE"]`.
// Durations in Go's canonical form, retries an integer.
#include "attributes.hpp"
#include "mycompose/compose/error.hpp"

namespace mycompose::compose::schema {

json healthcheck_test(const Node& node, const Type&, Walk&, const std::string& path) {
  if (node.is_scalar()) return json::array({"CMD-SHELL", node.value});
  if (!node.is_sequence()) type_error(node, path, "a string or a list of strings");
  json a = json::array();
  for (std::size_t i = 0; i < node.items.size(); ++i)
    a.push_back(scalar_text(node.items[i], path + "[" + std::to_string(i) + "]"));
  if (a.empty()) throw ComposeError(node.mark, path + " must not be empty (use NONE to disable the check)");
  const std::string first = a[0].get<std::string>();
  if (first != "NONE" && first != "CMD" && first != "CMD-SHELL")
    throw ComposeError(node.items[0].mark,
                       path + " must start with NONE, CMD or CMD-SHELL, got \"" + first + "\"");
  if (first != "NONE" && a.size() < 2) throw ComposeError(node.mark, path + ": " + first + " needs a command");
  return a;
}

json healthcheck(const Node& node, const Type& type, Walk& w, const std::string& path) {
  json h = convert_object(node, *type.elem, w, path);
  if (h.contains("disable") && h["disable"].is_boolean() && h["disable"].get<bool>()) return json{{"test", json::array({"NONE"})}};
  h.erase("disable");
  if (h.contains("retries") && h["retries"].is_number_integer() && h["retries"].get<std::int64_t>() < 0)
    throw ComposeError(node.find("retries")->mark, path + ".retries must not be negative");
  return h;
}

}  // namespace mycompose::compose::schema
