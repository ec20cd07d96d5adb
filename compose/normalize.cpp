#include "mycompose/compose/normalize.hpp"

#include "mycompose/compose/error.hpp"

namespace mycompose::compose {

// Stub until the normalize stage lands: keeps the tree as strings.
static nlohmann::ordered_json to_json(const Node& n) {
  switch (n.kind) {
    case Node::Kind::Null: return nullptr;
    case Node::Kind::Scalar: return n.value;
    case Node::Kind::Sequence: {
      auto a = nlohmann::ordered_json::array();
      for (const auto& i : n.items) a.push_back(to_json(i));
      return a;
    }
    case Node::Kind::Map: {
      auto o = nlohmann::ordered_json::object();
      for (const auto& e : n.entries) o[e.key] = to_json(e.value);
      return o;
    }
  }
  return nullptr;
}

NormalizeResult normalize(const Node& merged, const NormalizeContext& ctx) {
  NormalizeResult r;
  r.model = to_json(merged);
  r.model["name"] = ctx.project_name;
  return r;
}

}  // namespace mycompose::compose
