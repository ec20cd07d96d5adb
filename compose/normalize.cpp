// The normalize stage: the merged tree → the canonical model `config` prints. Reads like
// the list of its steps; each step lives in compose/normalize/.
#include "mycompose/compose/normalize.hpp"

#include <map>

#include "mycompose/compose/error.hpp"
#include "normalize/attributes.hpp"
#include "normalize/names.hpp"
#include "normalize/stages.hpp"

namespace mycompose::compose {

using schema::json;

namespace {

// Top level: known sections or x-* extensions.
void check_top_level_keys(const Node& merged, std::vector<std::string>& warnings) {
  for (const auto& e : merged.entries) {
    if (e.key.rfind("x-", 0) == 0 || schema::top_level().prop(e.key)) continue;
    std::string msg = "unknown top-level key \"" + e.key + "\"";
    std::string hint = schema::closest_key(schema::top_level(), e.key);
    if (!hint.empty()) msg += " (did you mean \"" + hint + "\"?)";
    throw ComposeError(e.key_mark, msg);
  }
  if (merged.find("version"))
    warnings.push_back("the attribute `version` is obsolete, it will be ignored, please remove it to avoid potential confusion");
}

json services(const Node* section, schema::Walk& w) {
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
    if (w.ctx.resolve_env_files) schema::resolve_env_files(e.value, s, w, "services." + e.key);
    sorted[e.key] = std::move(s);
  }
  w.service.clear();
  // Reserved: ordered_json's entries (pair<const string, json>) are copied, not moved, when
  // the vector grows, so growing deep-copied every service already placed.
  out.get_ref<json::object_t&>().reserve(sorted.size());
  for (auto& [k, v] : sorted) out[k] = std::move(v);
  return out;
}

}  // namespace

NormalizeResult normalize(const Node& merged, const NormalizeContext& ctx) {
  NormalizeResult result;
  if (merged.is_null()) return normalize(Node::map(merged.mark), ctx);
  if (!merged.is_map()) schema::type_error(merged, "the top level", "a mapping");
  check_top_level_keys(merged, result.warnings);

  schema::Walk w{ctx, "", &result.warnings};
  json model = json::object();
  // Room for every top-level key: growing would deep-copy "services" (see services()).
  model.get_ref<json::object_t&>().reserve(8 + merged.entries.size());
  model["name"] = ctx.project_name;
  model["services"] = services(merged.find("services"), w);
  model["networks"] = schema::top_level_resources(merged.find("networks"), schema::top_network(), "networks", w);
  model["volumes"] = schema::top_level_resources(merged.find("volumes"), schema::top_volume(), "volumes", w);
  model["secrets"] = schema::top_level_resources(merged.find("secrets"), schema::top_secret(), "secrets", w);
  model["configs"] = schema::top_level_resources(merged.find("configs"), schema::top_config(), "configs", w);
  model["models"] = schema::top_level_resources(merged.find("models"), schema::top_model(), "models", w);

  if (ctx.normalize) schema::add_implied(model, ctx);
  if (ctx.consistency) schema::validate_references(merged, model, ctx, result.warnings);
  if (!ctx.all_resources) schema::drop_unused_resources(model);
  for (auto& [name, s] : model["services"].items()) schema::reorder(s, schema::service());

  for (const char* section : {"networks", "volumes", "secrets", "configs", "models"})
    if (model[section].empty()) model.erase(section);
  for (const auto& e : merged.entries)
    if (e.key.rfind("x-", 0) == 0) model[e.key] = schema::convert(e.value, schema::Type{}, w, e.key);

  result.unsupported = schema::unsupported_keys(model);
  result.model = std::move(model);
  return result;
}

}  // namespace mycompose::compose
