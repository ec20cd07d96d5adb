// develop.watch (compose-go's Trigger): the watched path made absolute against the project
// folder with its symlinks resolved when it exists (compose-go's absSymbolicLink), and the
// consistency rule compose-go applies: the actions that copy files need a target.
#include <filesystem>
#include <system_error>

#include "attributes.hpp"

namespace mycompose::compose::schema {

json watch_path(const Node& node, const Type&, Walk& w, const std::string& path) {
  const std::string& raw = scalar_text(node, path);
  if (raw.empty()) throw ComposeError(node.mark, path + ": value can't be blank");
  std::string abs = absolute_path(raw, w);
  if (!w.ctx.resolve_paths) return abs;
  std::error_code ec;
  auto real = std::filesystem::canonical(abs, ec);  // a path that does not exist yet stays as written
  return ec ? abs : real.string();
}

void check_develop(const std::string& service, const json& develop, const Mark& where) {
  if (!develop.is_object() || !develop.contains("watch")) return;
  for (const auto& t : develop["watch"]) {
    const std::string action = t.value("action", "");
    const bool copies = action == "sync" || action == "sync+restart" || action == "sync+exec";
    if (copies && t.value("target", "").empty())
      throw ComposeError(where, "services." + service + ".develop.watch: target is required for non-rebuild actions");
  }
}

}  // namespace mycompose::compose::schema
