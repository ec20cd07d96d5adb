// The generic walk over the schema tables: type checks, unknown keys, canonical JSON.
#include <algorithm>
#include <map>

#include "attributes.hpp"
#include "mycompose/compose/error.hpp"

namespace mycompose::compose::schema {

namespace {

bool is_extension(std::string_view key) { return key.size() > 2 && key.substr(0, 2) == "x-"; }

json any(const Node& node) {
  switch (node.kind) {
    case Node::Kind::Null:
    case Node::Kind::Scalar: return core_scalar(node);
    case Node::Kind::Sequence: {
      json a = json::array();
      for (const auto& i : node.items) a.push_back(any(i));
      return a;
    }
    case Node::Kind::Map: {
      json o = json::object();
      for (const auto& e : node.entries) o[e.key] = any(e.value);
      return o;
    }
  }
  return nullptr;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

std::string describe(const Type& type) {
  switch (type.kind) {
    case Kind::String: return "a string";
    case Kind::Integer: return "an integer";
    case Kind::Number: return "a number";
    case Kind::Boolean: return "a boolean";
    case Kind::StringOrList: return "a string or a list of strings";
    case Kind::ListOfStrings: return "a list of strings";
    case Kind::StringMap: return "a mapping of strings";
    case Kind::Object: return "a mapping";
    case Kind::MapOf: return "a mapping";
    case Kind::ListOf: return "a list";
    case Kind::Any: return "a value";
    case Kind::Custom: return "a value";
  }
  return "a value";
}

std::string closest_key(const Type& object, std::string_view key) {
  std::string best;
  std::size_t best_d = 3;  // more than two edits away is not a typo
  for (const auto& p : object.props) {
    std::size_t d = edit_distance(key, p.key);
    if (d < best_d) {
      best_d = d;
      best = std::string(p.key);
    }
  }
  return best;
}

json convert_object(const Node& node, const Type& type, Walk& w, const std::string& path) {
  if (node.is_null() && type.nullable) return json::object();
  if (!node.is_map()) type_error(node, path, "a mapping");
  for (const auto& e : node.entries) {
    if (is_extension(e.key) || type.prop(e.key)) continue;
    std::string msg = path + ": unknown key \"" + e.key + "\"";
    std::string hint = closest_key(type, e.key);
    if (!hint.empty()) msg += " (did you mean \"" + hint + "\"?)";
    throw ComposeError(e.key_mark, msg);
  }
  for (auto req : type.required)
    if (!node.find(std::string(req)))
      throw ComposeError(node.mark, path + ": missing required key \"" + std::string(req) + "\"");
  json out = json::object();
  // ordered_json copies (not moves) its entries when it grows: reserve, or nested values
  // are deep-copied.
  out.get_ref<json::object_t&>().reserve(node.entries.size());
  for (const auto& p : type.props) {
    const Node* v = node.find(std::string(p.key));
    if (!v) continue;
    json j = convert(*v, *p.type, w, path + "." + std::string(p.key));
    if (!j.is_discarded()) out[std::string(p.key)] = std::move(j);
  }
  for (const auto& e : node.entries)
    if (is_extension(e.key)) out[e.key] = any(e.value);
  return out;
}

namespace {
bool holds_variable(const Node& node) {
  if (node.is_scalar()) return node.value.find('$') != std::string::npos;
  for (const auto& i : node.items)
    if (holds_variable(i)) return true;
  for (const auto& e : node.entries)
    if (holds_variable(e.value)) return true;
  return false;
}

// The node as written, every scalar as its text (what compose-go keeps when it cannot
// parse a value it did not interpolate).
json as_written(const Node& node) {
  switch (node.kind) {
    case Node::Kind::Null: return nullptr;
    case Node::Kind::Scalar: return node.value;
    case Node::Kind::Sequence: {
      json a = json::array();
      for (const auto& i : node.items) a.push_back(as_written(i));
      return a;
    }
    case Node::Kind::Map: {
      json o = json::object();
      for (const auto& e : node.entries) o[e.key] = as_written(e.value);
      return o;
    }
  }
  return nullptr;
}

json convert_typed(const Node& node, const Type& type, Walk& w, const std::string& path);
}  // namespace

// Without interpolation, `${PORT:-8080}:80` or `cpus: ${CPUS}` cannot be parsed: like
// compose-go (transform with ignoreParseError), the value is then kept as written.
json convert(const Node& node, const Type& type, Walk& w, const std::string& path) {
  if (w.ctx.interpolate || !holds_variable(node)) return convert_typed(node, type, w, path);
  try {
    return convert_typed(node, type, w, path);
  } catch (const ComposeError&) {
    return as_written(node);
  } catch (const nlohmann::json::exception&) {  // a normalizer reading a value left as written
    return as_written(node);
  }
}

namespace {
json convert_typed(const Node& node, const Type& type, Walk& w, const std::string& path) {
  if (type.kind == Kind::Custom) return type.fn(node, type, w, path);
  if (type.kind == Kind::Object) return convert_object(node, type, w, path);
  if (node.is_null() && type.nullable) return nullptr;
  switch (type.kind) {
    case Kind::String: {
      const std::string& s = scalar_text(node, path);
      if (!type.one_of.empty()) {
        bool ok = false;
        std::string all;
        for (auto v : type.one_of) {
          ok = ok || v == s;
          all += (all.empty() ? "" : ", ") + std::string(v);
        }
        if (!ok) throw ComposeError(node.mark, path + " must be one of " + all + ", got \"" + s + "\"");
      }
      return s;
    }
    case Kind::Integer: return to_integer(node, path);
    case Kind::Number: return number_json(to_number(node, path));
    case Kind::Boolean: return to_boolean(node, path);
    case Kind::StringOrList:
      if (node.is_scalar()) return json::array({node.value});
      [[fallthrough]];
    case Kind::ListOfStrings: {
      if (!node.is_sequence()) type_error(node, path, describe(type));
      json a = json::array();
      for (std::size_t i = 0; i < node.items.size(); ++i)
        a.push_back(scalar_text(node.items[i], path + "[" + std::to_string(i) + "]"));
      return a;
    }
    case Kind::StringMap: {
      if (!node.is_map()) type_error(node, path, describe(type));
      std::map<std::string, json> sorted;
      for (const auto& e : node.entries)
        sorted[e.key] = e.value.is_null() ? json(nullptr) : json(scalar_text(e.value, path + "." + e.key));
      json o = json::object();
      for (auto& [k, v] : sorted) o[k] = std::move(v);
      return o;
    }
    case Kind::MapOf: {
      if (!node.is_map()) type_error(node, path, describe(type));
      std::map<std::string, json> sorted;
      for (const auto& e : node.entries) sorted[e.key] = convert(e.value, *type.elem, w, path + "." + e.key);
      json o = json::object();
      for (auto& [k, v] : sorted) o[k] = std::move(v);
      return o;
    }
    case Kind::ListOf: {
      if (!node.is_sequence()) type_error(node, path, describe(type));
      json a = json::array();
      for (std::size_t i = 0; i < node.items.size(); ++i)
        a.push_back(convert(node.items[i], *type.elem, w, path + "[" + std::to_string(i) + "]"));
      return a;
    }
    case Kind::Any: return any(node);
    case Kind::Object:
    case Kind::Custom: break;
  }
  return nullptr;
}
}  // namespace

}  // namespace mycompose::compose::schema
