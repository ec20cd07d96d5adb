// The normalize stage: the merged tree → the canonical model `config` prints. Reads like
// the list of its steps; each step lives in compose/normalize/.
#include "mycompose/compose/normalize.hpp"

#include <map>
#include <set>

#include "mycompose/compose/error.hpp"
#include "normalize/attributes.hpp"
#include "normalize/names.hpp"
#include "normalize/stages.hpp"

namespace mycompose::compose {

using schema::json;

namespace {

// Top level: known sections or x-* extensions.
void check_top_level_keys(const Node& merged) {
  for (const auto& e : merged.entries) {
    if (e.key.rfind("x-", 0) == 0 || schema::top_level().prop(e.key)) continue;
    std::string msg = "unknown top-level key \"" + e.key + "\"";
    std::string hint = schema::closest_key(schema::top_level(), e.key);
    if (!hint.empty()) msg += " (did you mean \"" + hint + "\"?)";
    throw ComposeError(e.key_mark, msg);
  }
  // `version` is warned about by the loader, per file, with the file's path (as compose-go).
}

json services(const Node* section, schema::Walk& w, std::map<std::string, ComposeError>& missing_files) {
  json out = json::object();
  if (!section || section->is_null()) return out;
  if (!section->is_map()) schema::type_error(*section, "services", "a mapping");
  std::map<std::string, json> sorted;
  for (const auto& e : section->entries) {
    if (e.key.rfind("x-", 0) == 0) continue;
    if (!schema::valid_name(e.key))
      throw ComposeError(e.key_mark, "services: invalid service name \"" + e.key +
                                         "\" (use letters, digits, '.', '_' and '-')");
    if (!e.value.is_map()) schema::type_error(e.value, "services." + e.key, "a mapping");
    w.service = e.key;
    json s = schema::convert_object(e.value, schema::service(), w, "services." + e.key);
    s.erase("extends");  // resolved by the extends stage
    if (w.ctx.resolve_env_files) schema::resolve_env_files(e.value, s, w, "services." + e.key, missing_files);
    // per_replica: false is the default, which compose-go does not print.
    if (s.contains("pre_start") && s["pre_start"].is_array())
      for (auto& hook : s["pre_start"])
        if (hook.is_object() && hook.contains("per_replica") && hook["per_replica"] == false) hook.erase("per_replica");
    // A pre_start hook's own env_file completes its own environment, as the service's does.
    if (const Node* hooks = e.value.find("pre_start"); hooks && hooks->is_sequence() && w.ctx.resolve_env_files)
      for (std::size_t i = 0; i < hooks->items.size() && i < s["pre_start"].size(); ++i)
        schema::resolve_env_files(hooks->items[i], s["pre_start"][i], w, "services." + e.key + ".pre_start[" + std::to_string(i) + "]",
                                  missing_files);
    schema::resolve_label_files(e.value, s, w, "services." + e.key, missing_files);
    sorted[e.key] = std::move(s);
  }
  w.service.clear();
  // Reserved: ordered_json's entries (pair<const string, json>) are copied, not moved, when
  // the vector grows, so growing deep-copied every service already placed.
  out.get_ref<json::object_t&>().reserve(sorted.size());
  for (auto& [k, v] : sorted) out[k] = std::move(v);
  return out;
}

// The services a command works on: those named (all when none is) and, transitively, what
// they depend on, as docker compose selects them before it checks the project.
std::vector<std::string> working_set(const json& services, const std::vector<std::string>& selected) {
  std::vector<std::string> out;
  if (selected.empty()) {
    for (const auto& [name, _] : services.items()) out.push_back(name);
    return out;
  }
  std::set<std::string> seen;
  std::vector<std::string> todo(selected.rbegin(), selected.rend());
  while (!todo.empty()) {
    std::string name = todo.back();
    todo.pop_back();
    if (!services.contains(name) || !seen.insert(name).second) continue;
    out.push_back(name);
    const json& s = services[name];
    if (s.contains("depends_on") && s["depends_on"].is_object())
      for (const auto& [dep, _] : s["depends_on"].items()) todo.push_back(dep);
  }
  return out;
}

// A missing env_file/label_file fails the load only for the services the command works on.
void report_missing_files(const std::vector<std::string>& working, const std::map<std::string, ComposeError>& missing) {
  for (const auto& name : working)
    if (auto it = missing.find(name); it != missing.end()) throw it->second;
}

}  // namespace

NormalizeResult normalize(const Node& merged, const NormalizeContext& ctx) {
  NormalizeResult result;
  if (merged.is_null()) return normalize(Node::map(merged.mark), ctx);
  if (!merged.is_map()) schema::type_error(merged, "the top level", "a mapping");
  check_top_level_keys(merged);

  schema::Walk w{ctx, "", &result.warnings};
  json model = json::object();
  // Room for every top-level key: growing would deep-copy "services" (see services()).
  model.get_ref<json::object_t&>().reserve(8 + merged.entries.size());
  model["name"] = ctx.project_name;
  std::map<std::string, ComposeError> missing_files;
  model["services"] = services(merged.find("services"), w, missing_files);
  model["networks"] = schema::top_level_resources(merged.find("networks"), schema::top_network(), "networks", w);
  model["volumes"] = schema::top_level_resources(merged.find("volumes"), schema::top_volume(), "volumes", w);
  model["secrets"] = schema::top_level_resources(merged.find("secrets"), schema::top_secret(), "secrets", w);
  model["configs"] = schema::top_level_resources(merged.find("configs"), schema::top_config(), "configs", w);
  model["models"] = schema::top_level_resources(merged.find("models"), schema::top_model(), "models", w);

  if (ctx.normalize) schema::add_implied(model, ctx);
  {
    std::vector<std::string> working = working_set(model["services"], ctx.selected_services);
    report_missing_files(working, missing_files);
  }
  if (ctx.consistency) schema::validate_references(merged, model, ctx, result.warnings);
  if (!ctx.all_resources) schema::drop_unused_resources(model);
  for (auto& [name, s] : model["services"].items()) schema::reorder(s, schema::service());

  for (const char* section : {"networks", "volumes", "secrets", "configs", "models"})
    if (model[section].empty()) model.erase(section);
  for (const auto& e : merged.entries)
    if (e.key.rfind("x-", 0) == 0) model[e.key] = schema::convert(e.value, schema::Type{}, w, e.key);

  schema::warn_swarm_only(model, result.warnings);
  result.unsupported = schema::unsupported_keys(model);
  result.model = std::move(model);
  return result;
}

}  // namespace mycompose::compose
