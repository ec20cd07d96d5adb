#include "mycompose/compose/yaml.hpp"

#include <yaml-cpp/yaml.h>

#include "mycompose/common/fs.hpp"
#include "mycompose/compose/error.hpp"

namespace mycompose::compose {
namespace {

class Converter {
 public:
  Converter(std::shared_ptr<const std::string> file, const YamlLimits& limits) : file_(std::move(file)), limits_(limits) {}

  Node convert(const YAML::Node& y, int depth) {
    Mark m = mark_of(y.Mark());
    if (++count_ > limits_.max_nodes)
      throw ComposeError(m, "document expands to more than " + std::to_string(limits_.max_nodes) +
                                " nodes (recursive or exponential anchors?)");
    if (depth > limits_.max_depth)
      throw ComposeError(m, "document is nested deeper than " + std::to_string(limits_.max_depth) + " levels");
    Node out;
    out.mark = m;
    const std::string& tag = y.Tag();
    if (!tag.empty() && tag != "?" && tag != "!") out.tag = tag;
    switch (y.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        out.kind = Node::Kind::Null;
        break;
      case YAML::NodeType::Scalar:
        out.kind = Node::Kind::Scalar;
        out.value = y.Scalar();
        out.quoted = (tag == "!");
        break;
      case YAML::NodeType::Sequence:
        out.kind = Node::Kind::Sequence;
        for (const auto& item : y) out.items.push_back(convert(item, depth + 1));
        break;
      case YAML::NodeType::Map:
        out.kind = Node::Kind::Map;
        convert_map(y, out, depth);
        break;
    }
    return out;
  }

 private:
  Mark mark_of(const YAML::Mark& ym) const {
    Mark m;
    m.file = file_;
    if (ym.line >= 0) {
      m.line = ym.line + 1;
      m.column = ym.column + 1;
    }
    return m;
  }

  void convert_map(const YAML::Node& y, Node& out, int depth) {
    std::vector<const YAML::Node*> merges;
    std::vector<YAML::Node> keep;  // yaml-cpp iterators yield temporaries
    for (auto it = y.begin(); it != y.end(); ++it) {
      const YAML::Node k = it->first;
      if (!k.IsScalar()) throw ComposeError(mark_of(k.Mark()), "mapping keys must be strings");
      if (k.Scalar() == "<<" && k.Tag() != "!") {
        keep.push_back(it->second);
        continue;
      }
      if (out.find(k.Scalar()))
        throw ComposeError(mark_of(k.Mark()), "duplicate key \"" + k.Scalar() + "\"");
      out.entries.push_back(MapEntry{k.Scalar(), mark_of(k.Mark()), convert(it->second, depth + 1)});
    }
    // YAML merge keys (yaml-cpp 0.7 does not implement them): shallow, explicit keys win,
    // and in the list form earlier maps win over later ones.
    for (const YAML::Node& src : keep) {
      if (src.IsMap()) {
        merge_from(src, out, depth);
      } else if (src.IsSequence()) {
        for (const auto& m : src) {
          if (!m.IsMap()) throw ComposeError(mark_of(m.Mark()), "merge key << takes a mapping or a list of mappings");
          merge_from(m, out, depth);
        }
      } else {
        throw ComposeError(mark_of(src.Mark()), "merge key << takes a mapping or a list of mappings");
      }
    }
  }

  void merge_from(const YAML::Node& src, Node& out, int depth) {
    Node converted = convert(src, depth + 1);
    for (auto& e : converted.entries)
      if (!out.find(e.key)) out.entries.push_back(std::move(e));
  }

  std::shared_ptr<const std::string> file_;
  YamlLimits limits_;
  std::size_t count_ = 0;
};

}  // namespace

Node parse_yaml(std::string_view text, const std::string& filename, const YamlLimits& limits) {
  auto file = std::make_shared<const std::string>(filename);
  if (text.size() > limits.max_bytes)
    throw ComposeError(Mark{file, 0, 0}, "file is larger than " + std::to_string(limits.max_bytes) + " bytes");
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    Mark m{file, e.mark.line + 1, e.mark.column + 1};
    if (e.mark.line < 0) m.line = 0;
    throw ComposeError(m, "invalid YAML: " + e.msg);
  }
  Converter c(file, limits);
  return c.convert(root, 0);
}

Node parse_yaml_file(const std::string& path, const YamlLimits& limits) {
  std::string text = fs::read_file(path, limits.max_bytes);
  return parse_yaml(text, path, limits);
}

}  // namespace mycompose::compose
