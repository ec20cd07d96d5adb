#pragma once
// The loader's tree: a YAML document with a position on every node, so each stage can
// report `file:line:col`. Stages are pure functions from Node to Node.
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace mycompose::compose {

struct Mark {
  std::shared_ptr<const std::string> file;  // shared: every node of a document points at one string
  int line = 0;                             // 1-based; 0 = no position (a node made by a stage)
  int column = 0;                           // 1-based
  std::string str() const;                  // "file:line:col", or the file alone without a position
};

class Node;
struct MapEntry;

class Node {
 public:
  enum class Kind { Null, Scalar, Sequence, Map };

  Node() = default;
  static Node null(Mark m = {});
  static Node scalar(std::string value, Mark m = {}, bool quoted = false);
  static Node sequence(Mark m = {});
  static Node map(Mark m = {});

  Kind kind = Kind::Null;
  std::string value;   // Scalar text, exactly as written (after YAML unescaping)
  bool quoted = false;  // the scalar was quoted in YAML, so "8080" is a string, 8080 a number
  std::string tag;     // explicit YAML tag such as "!reset" or "!override"; empty when none
  Mark mark;
  std::vector<Node> items;       // Sequence
  std::vector<MapEntry> entries;  // Map, in document order

  bool is_null() const { return kind == Kind::Null; }
  bool is_scalar() const { return kind == Kind::Scalar; }
  bool is_sequence() const { return kind == Kind::Sequence; }
  bool is_map() const { return kind == Kind::Map; }

  // Map access; nullptr when absent or when this is not a map.
  const Node* find(const std::string& key) const;
  Node* find(const std::string& key);
  // Map insert-or-replace, keeping the position of an existing key.
  Node& set(const std::string& key, Node value, Mark key_mark = {});
  bool erase(const std::string& key);

  std::string kind_name() const;  // "null", "string", "sequence", "mapping" for messages
};

struct MapEntry {
  std::string key;
  Mark key_mark;
  Node value;
};

}  // namespace mycompose::compose
