// label_file: a path or a list of paths (made absolute), read as KEY=VALUE files like
// env_file; their labels fill `labels` where `labels` does not set them (explicit labels win).
#include "attributes.hpp"

namespace mycompose::compose::schema {

std::map<std::string, std::string> read_key_value_files(const json& files, Walk& w, const std::string& what,
                                                        const Mark& where, std::optional<ComposeError>& missing,
                                                        const json* service_environment);

json label_file(const Node& node, const Type&, Walk& w, const std::string& path) {
  json out = json::array();
  auto add = [&](const Node& n, const std::string& p) { out.push_back(absolute_path(scalar_text(n, p), w)); };
  if (node.is_scalar()) {
    add(node, path);
  } else if (node.is_sequence()) {
    for (std::size_t i = 0; i < node.items.size(); ++i) add(node.items[i], path + "[" + std::to_string(i) + "]");
  } else {
    type_error(node, path, "a path or a list of paths");
  }
  return out;
}

void resolve_label_files(const Node& service_node, json& service, Walk& w, const std::string& path,
                         std::map<std::string, ComposeError>& missing) {
  if (!service.contains("label_file") || !service["label_file"].is_array()) return;
  json files = json::array();
  for (const auto& f : service["label_file"]) files.push_back(json{{"path", f}});
  const Node* where = service_node.find("label_file");
  std::optional<ComposeError> absent;
  auto from_files = read_key_value_files(files, w, path + ".label_file", where ? where->mark : service_node.mark, absent, nullptr);
  if (absent) missing.emplace(w.service, *absent);
  if (from_files.empty()) return;
  json labels = service.contains("labels") ? service["labels"] : json::object();
  for (const auto& [k, v] : from_files)
    if (!labels.contains(k)) labels[k] = v;
  std::map<std::string, json> sorted;
  for (auto& [k, v] : labels.items()) sorted[k] = v;
  json out = json::object();
  for (auto& [k, v] : sorted) out[k] = std::move(v);
  service["labels"] = std::move(out);
}

}  // namespace mycompose::compose::schema
