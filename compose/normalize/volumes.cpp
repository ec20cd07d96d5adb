// service volumes: the short syntax `[SOURCE:]TARGET[:MODE]` and the long form, both to
// compose's long form {type, source, target, read_only, bind/volume/tmpfs}. A source that
// starts with `.`, `/` or `~` is a bind mount (made absolute; the short syntax creates a
// missing host path), any other source names a volume, no source is an anonymous volume.
#include "attributes.hpp"
#include "mycompose/compose/error.hpp"

namespace mycompose::compose::schema {

namespace {

bool is_host_path(const std::string& s) {
  return !s.empty() && (s[0] == '.' || s[0] == '/' || s[0] == '~');
}

json short_syntax(const Node& node, Walk& w, const std::string& path) {
  const std::string& spec = node.value;
  auto fail = [&](const std::string& why) -> void {
    throw ComposeError(node.mark, path + ": invalid volume \"" + spec + "\": " + why);
  };
  std::vector<std::string> parts;
  for (std::size_t start = 0;;) {
    auto colon = spec.find(':', start);
    parts.push_back(spec.substr(start, colon - start));
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  if (parts.size() > 3) fail("too many colons (expected [SOURCE:]TARGET[:MODE])");
  std::string source, target, mode;
  if (parts.size() == 1) target = parts[0];
  else source = parts[0], target = parts[1];
  if (parts.size() == 3) mode = parts[2];
  if (parts.size() > 1 && source.empty()) fail("empty source");
  if (target.empty() || target[0] != '/') fail("the target \"" + target + "\" is not an absolute path");

  json bind = json::object(), volume = json::object();
  bool read_only = false;
  std::string consistency;
  for (std::size_t start = 0; !mode.empty();) {
    auto comma = mode.find(',', start);
    std::string opt = mode.substr(start, comma - start);
    if (opt == "ro") read_only = true;
    else if (opt == "rw") {}
    else if (opt == "z" || opt == "Z") bind["selinux"] = opt;
    else if (opt == "nocopy") volume["nocopy"] = true;
    else if (opt == "shared" || opt == "rshared" || opt == "slave" || opt == "rslave" || opt == "private" || opt == "rprivate")
      bind["propagation"] = opt;
    else if (opt == "consistent" || opt == "cached" || opt == "delegated") consistency = opt;
    else fail("unknown mode \"" + opt + "\"");
    if (comma == std::string::npos) break;
    start = comma + 1;
  }

  json v = json::object();
  bool is_bind = is_host_path(source);
  v["type"] = is_bind ? "bind" : "volume";
  if (!source.empty()) v["source"] = is_bind ? absolute_path(source, w) : source;
  v["target"] = target;
  if (read_only) v["read_only"] = true;
  if (!consistency.empty()) v["consistency"] = consistency;
  if (is_bind) {
    if (volume.contains("nocopy")) fail("nocopy applies to volumes, not bind mounts");
    bind["create_host_path"] = true;
    json ordered = json::object();
    for (const char* k : {"selinux", "propagation", "create_host_path"})
      if (bind.contains(k)) ordered[k] = bind[k];
    v["bind"] = ordered;
  } else {
    // As compose-go: z, Z and propagation on a volume are kept as its `bind` options (the
    // engine relabels nothing: no SELinux here, as Docker where SELinux is off).
    if (!bind.empty()) {
      json ordered = json::object();
      for (const char* k : {"selinux", "propagation"})
        if (bind.contains(k)) ordered[k] = bind[k];
      v["bind"] = ordered;
    }
    v["volume"] = volume;
  }
  return v;
}

json long_syntax(const Node& node, const Type& type, Walk& w, const std::string& path) {
  json v = convert_object(node, *type.elem, w, path);
  const std::string t = v["type"].get<std::string>();
  if (!v.contains("target") && t != "npipe")
    throw ComposeError(node.mark, path + ": missing required key \"target\"");
  if (t == "bind") {
    if (!v.contains("source")) throw ComposeError(node.mark, path + ": a bind mount needs a \"source\"");
    v["source"] = absolute_path(v["source"].get<std::string>(), w);
  }
  if (v.contains("target")) {
    std::string target = v["target"].get<std::string>();
    if (target.empty() || target[0] != '/')
      throw ComposeError(node.find("target")->mark, path + ".target: \"" + target + "\" is not an absolute path");
  }
  if (t == "tmpfs" && v.contains("source"))
    throw ComposeError(node.find("source")->mark, path + ": a tmpfs mount takes no \"source\"");
  return v;
}

}  // namespace

json volumes(const Node& node, const Type& type, Walk& w, const std::string& path) {
  if (!node.is_sequence()) type_error(node, path, "a list");
  json out = json::array();
  for (std::size_t i = 0; i < node.items.size(); ++i) {
    const Node& item = node.items[i];
    std::string p = path + "[" + std::to_string(i) + "]";
    if (item.is_map()) out.push_back(long_syntax(item, type, w, p));
    else if (item.is_scalar()) out.push_back(short_syntax(item, w, p));
    else type_error(item, p, "a string or a mapping");
  }
  return out;
}

}  // namespace mycompose::compose::schema
