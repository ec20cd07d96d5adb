#pragma once
// The Compose specification as a table of types (compose-spec/schema/compose-spec.json):
// every top-level element, every service key and the keys of networks, volumes, secrets,
// configs and models, each with the type the canonical model gives it. The generic walk in
// convert.cpp reads these tables; attributes with a short syntax have a Custom normalizer
// in their own file (ports.cpp, volumes.cpp, …).
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "mycompose/compose/node.hpp"
#include "mycompose/compose/normalize.hpp"

namespace mycompose::compose::schema {

using json = nlohmann::ordered_json;

enum class Kind {
  String,         // scalar, kept as text
  Integer,        // scalar → JSON integer
  Number,         // scalar → JSON number (integer when integral)
  Boolean,        // scalar → JSON boolean (YAML 1.1 spellings accepted, as compose does)
  StringOrList,   // "a" or [a, b] → [a, b]
  ListOfStrings,  // [a, b]
  StringMap,      // mapping of scalars → sorted mapping of strings (driver_opts, options)
  Object,         // known properties in this order, plus x-* extensions
  MapOf,          // free keys (sorted) → elem
  ListOf,         // sequence of elem
  Any,            // free-form: scalars typed as YAML's core schema (x-* extensions)
  Custom,         // a normalizer of its own: durations, byte sizes, ports, volumes…
};

struct Walk;
struct Type;
using CustomFn = json (*)(const Node& node, const Type& type, Walk& w, const std::string& path);

struct Prop {
  std::string_view key;
  const Type* type;
};

struct Type {
  Kind kind = Kind::Any;
  std::vector<Prop> props;          // Object: known keys, in output order
  const Type* elem = nullptr;       // MapOf / ListOf element; Custom: the long form (if any)
  CustomFn fn = nullptr;            // Custom
  bool nullable = false;            // null is a valid value and stays null
  std::vector<std::string_view> required;  // Object: keys that must be present
  std::vector<std::string_view> one_of;    // String: the allowed values (empty = any)

  const Type* prop(std::string_view key) const;
};

// Walk state shared by the normalizers.
struct Walk {
  const NormalizeContext& ctx;
  std::string service;                        // the service being normalized ("" at top level)
  std::vector<std::string>* warnings = nullptr;

  // What a bare `KEY` and an env_file's ${VAR} read: the environment of the include that
  // brought the service in (its env_file), else the project's.
  const std::map<std::string, std::string>& environment() const {
    auto it = ctx.service_environments.find(service);
    return it != ctx.service_environments.end() ? it->second : ctx.environment;
  }
};

// The tables.
const Type& top_level();
const Type& service();
const Type& top_network();
const Type& top_volume();
const Type& top_secret();
const Type& top_config();
const Type& top_model();

// The generic walk: validates `node` against `type` and returns the canonical JSON.
json convert(const Node& node, const Type& type, Walk& w, const std::string& path);
// An Object's properties (unknown keys are errors, x-* kept at the end).
json convert_object(const Node& node, const Type& type, Walk& w, const std::string& path);

// "a string", "an integer", … for messages.
std::string describe(const Type& type);
// The nearest known key, for "did you mean" hints; "" when nothing is close.
std::string closest_key(const Type& object, std::string_view key);

}  // namespace mycompose::compose::schema
