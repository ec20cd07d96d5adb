// build: a string is the context; the long form gets an absolute context (unless it is a
// URL such as a git repository) and the default `dockerfile: Dockerfile`.
#include "attributes.hpp"
#include "mycompose/compose/error.hpp"

namespace mycompose::compose::schema {

namespace {
bool is_remote(const std::string& s) {
  return s.find("://") != std::string::npos || s.rfind("git@", 0) == 0 || s.rfind("github.com/", 0) == 0;
}
std::string context_path(const std::string& s, const Walk& w) { return is_remote(s) ? s : absolute_path(s, w); }
}  // namespace

json build(const Node& node, const Type& type, Walk& w, const std::string& path) {
  json b;
  if (node.is_scalar()) {
    b = json::object();
    b["context"] = node.value;
  } else if (node.is_map()) {
    b = convert_object(node, *type.elem, w, path);
  } else {
    type_error(node, path, "a path or a mapping");
  }
  if (!b.contains("context")) b["context"] = ".";
  b["context"] = context_path(b["context"].get<std::string>(), w);
  if (w.ctx.normalize && !b.contains("dockerfile") && !b.contains("dockerfile_inline")) b["dockerfile"] = "Dockerfile";
  if (b.contains("additional_contexts"))
    for (auto& [name, value] : b["additional_contexts"].items()) {
      std::string v = value.get<std::string>();
      if (!is_remote(v) && v.rfind("service:", 0) != 0 && v.rfind("docker-image:", 0) != 0) value = absolute_path(v, w);
    }
  json out = json::object();  // canonical key order
  for (const auto& p : type.elem->props)
    if (b.contains(std::string(p.key))) out[std::string(p.key)] = b[std::string(p.key)];
  for (auto it = b.begin(); it != b.end(); ++it)
    if (!out.contains(it.key())) out[it.key()] = it.value();
  return out;
}

}  // namespace mycompose::compose::schema
