// A service's secrets and configs: a name, or {source, target, uid, gid, mode}. A mode
// written with a leading 0 is octal (0440), as in YAML 1.1 and compose.
#include <cctype>

#include "attributes.hpp"
#include "mycompose/compose/error.hpp"

namespace mycompose::compose::schema {

json service_file_refs(const Node& node, const Type& type, Walk& w, const std::string& path) {
  if (!node.is_sequence()) type_error(node, path, "a list");
  // compose-go's normalization: a secret without a target goes to /run/secrets/<source>
  // (configs keep none: the engine puts them at /<source>).
  // build.secrets keep none: their target is the id RUN --mount=type=secret asks for.
  const bool secrets = path.size() >= 7 && path.compare(path.size() - 7, 7, "secrets") == 0 &&
                       path.find(".build.") == std::string::npos;
  auto default_target = [&](json& r) {
    if (secrets && w.ctx.normalize && !r.contains("target") && r["source"].is_string())
      r["target"] = "/run/secrets/" + r["source"].get<std::string>();
  };
  json out = json::array();
  for (std::size_t i = 0; i < node.items.size(); ++i) {
    const Node& item = node.items[i];
    std::string p = path + "[" + std::to_string(i) + "]";
    if (item.is_scalar()) {
      out.push_back(json{{"source", item.value}});
      default_target(out.back());
      continue;
    }
    if (!item.is_map()) type_error(item, p, "a name or a mapping");
    json r = convert_object(item, *type.elem, w, p);
    if (!r.contains("source")) throw ComposeError(item.mark, p + ": missing required key \"source\"");
    // 0440 as YAML 1.1 reads it (0o440 and 0x120 are read as numbers already).
    if (const Node* mode = item.find("mode"); mode && mode->is_scalar() && mode->value.size() > 1 &&
                                              mode->value[0] == '0' && std::isdigit(static_cast<unsigned char>(mode->value[1])) &&
                                              !mode->quoted) {
      std::size_t end = 0;
      long v = -1;
      try {
        v = std::stol(mode->value, &end, 8);
      } catch (...) {
      }
      if (end != mode->value.size() || v < 0)
        throw ComposeError(mode->mark, p + ".mode: \"" + mode->value + "\" is not an octal file mode");
      r["mode"] = v;
    }
    default_target(r);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace mycompose::compose::schema
