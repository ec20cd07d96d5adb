// env_file: a path, a list of paths or long forms, to a list of {path (absolute), format,
// required (default true)}; then the files' variables are merged into `environment`.
#include <filesystem>
#include <map>
#include <optional>

#include "attributes.hpp"
#include "mycompose/common/fs.hpp"
#include "mycompose/compose/dotenv.hpp"
#include "mycompose/compose/error.hpp"

namespace mycompose::compose::schema {

namespace {
json entry(const Node& node, const Type& type, Walk& w, const std::string& path) {
  json out = json::object();
  if (node.is_scalar()) {
    out["path"] = absolute_path(node.value, w);
    out["required"] = true;
    return out;
  }
  if (!node.is_map()) type_error(node, path, "a path or a mapping with \"path\"");
  json e = convert_object(node, *type.elem, w, path);
  out["path"] = absolute_path(e["path"].get<std::string>(), w);
  if (e.contains("format")) out["format"] = e["format"];
  out["required"] = e.contains("required") ? e["required"] : json(true);
  return out;
}
}  // namespace

json env_file(const Node& node, const Type& type, Walk& w, const std::string& path) {
  json out = json::array();
  if (node.is_scalar()) {
    out.push_back(entry(node, type, w, path));
  } else if (node.is_sequence()) {
    for (std::size_t i = 0; i < node.items.size(); ++i)
      out.push_back(entry(node.items[i], type, w, path + "[" + std::to_string(i) + "]"));
  } else {
    type_error(node, path, "a path or a list of paths");
  }
  return out;
}

}  // namespace mycompose::compose::schema

namespace mycompose::compose::schema {

// `format: raw`: KEY=VALUE lines taken literally (quotes, `#`, `$` kept), as compose's raw
// format; blank lines and lines without `=` are skipped.
EnvPairs parse_raw_env(std::string_view text) {
  EnvPairs out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = end + 1;
    auto eq = line.find('=');
    if (eq == std::string_view::npos || eq == 0) continue;
    out.emplace_back(std::string(line.substr(0, eq)), std::string(line.substr(eq + 1)));
  }
  return out;
}

// `service_environment`: the service's own `environment:`, which an env file's ${VAR} sees
// after the files read before it (as docker compose resolves them).
std::map<std::string, std::string> read_key_value_files(const json& files, Walk& w, const std::string& what,
                                                        const Mark& where, std::optional<ComposeError>& missing,
                                                        const json* service_environment) {
  std::map<std::string, std::string> from_files;
  Lookup shell = [&w](const std::string& k) -> std::optional<std::string> {
    const auto& env = w.environment();
    auto it = env.find(k);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  for (const auto& f : files) {
    std::string file = f["path"].get<std::string>();
    if (!std::filesystem::path(file).is_absolute()) file = (std::filesystem::path(w.ctx.working_dir) / file).string();
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) {
      if (f.contains("required") && !f["required"].get<bool>()) continue;
      if (!missing) missing.emplace(where, what + ": " + (what.ends_with("label_file") ? "label" : "env") + " file " + file + " not found");
      continue;
    }
    std::string text = fs::read_file(file, 16u << 20);
    if (f.value("format", "") == "raw") {
      for (auto& [k, v] : parse_raw_env(text)) from_files[k] = v;
      continue;
    }
    Lookup before = [&from_files, service_environment](const std::string& k) -> std::optional<std::string> {
      if (auto it = from_files.find(k); it != from_files.end()) return it->second;
      if (service_environment && service_environment->is_object())
        if (auto it = service_environment->find(k); it != service_environment->end() && it->is_string()) return it->get<std::string>();
      return std::nullopt;
    };
    for (auto& [k, v] : parse_dotenv(text, file, shell, before)) from_files[k] = v;
  }
  return from_files;
}

void resolve_env_files(const Node& service_node, json& service, Walk& w, const std::string& path,
                       std::map<std::string, ComposeError>& missing) {
  if (!service.contains("env_file")) return;
  const Node* where = service_node.find("env_file");
  std::optional<ComposeError> absent;
  const json* own = service.contains("environment") ? &service["environment"] : nullptr;
  auto from_files = read_key_value_files(service["env_file"], w, path + ".env_file", where ? where->mark : service_node.mark, absent, own);
  if (absent) missing.emplace(w.service, *absent);
  if (from_files.empty()) return;
  json env = service.contains("environment") ? service["environment"] : json::object();
  for (const auto& [k, v] : from_files)
    if (!env.contains(k) || env[k].is_null()) env[k] = v;
  std::map<std::string, json> sorted;
  for (auto& [k, v] : env.items()) sorted[k] = v;
  json out = json::object();
  for (auto& [k, v] : sorted) out[k] = std::move(v);
  service["environment"] = std::move(out);
}

}  // namespace mycompose::compose::schema
