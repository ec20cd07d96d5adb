#include "mycompose/compose/node.hpp"

#include <algorithm>

#include "mycompose/compose/error.hpp"

namespace mycompose::compose {

std::string Mark::str() const {
  std::string f = file ? *file : std::string("<input>");
  if (line <= 0) return f;
  return f + ":" + std::to_string(line) + ":" + std::to_string(column);
}

ComposeError::ComposeError(const Mark& mark, const std::string& message)
    : Error(mark.str() + ": " + message), mark_(mark) {}

Node Node::null(Mark m) {
  Node n;
  n.mark = std::move(m);
  return n;
}
Node Node::scalar(std::string value, Mark m, bool quoted) {
  Node n;
  n.kind = Kind::Scalar;
  n.value = std::move(value);
  n.quoted = quoted;
  n.mark = std::move(m);
  return n;
}
Node Node::sequence(Mark m) {
  Node n;
  n.kind = Kind::Sequence;
  n.mark = std::move(m);
  return n;
}
Node Node::map(Mark m) {
  Node n;
  n.kind = Kind::Map;
  n.mark = std::move(m);
  return n;
}

const Node* Node::find(const std::string& key) const {
  if (kind != Kind::Map) return nullptr;
  auto it = std::find_if(entries.begin(), entries.end(), [&](const MapEntry& e) { return e.key == key; });
  return it == entries.end() ? nullptr : &it->value;
}
Node* Node::find(const std::string& key) { return const_cast<Node*>(std::as_const(*this).find(key)); }

Node& Node::set(const std::string& key, Node v, Mark key_mark) {
  if (kind != Kind::Map) {
    kind = Kind::Map;
    items.clear();
    value.clear();
  }
  for (auto& e : entries)
    if (e.key == key) {
      e.value = std::move(v);
      return e.value;
    }
  entries.push_back(MapEntry{key, std::move(key_mark), std::move(v)});
  return entries.back().value;
}

bool Node::erase(const std::string& key) {
  auto it = std::find_if(entries.begin(), entries.end(), [&](const MapEntry& e) { return e.key == key; });
  if (it == entries.end()) return false;
  entries.erase(it);
  return true;
}

std::string Node::kind_name() const {
  switch (kind) {
    case Kind::Null: return "null";
    case Kind::Scalar: return "string";
    case Kind::Sequence: return "sequence";
    case Kind::Map: return "mapping";
  }
  return "?";
}

}  // namespace mycompose::compose
