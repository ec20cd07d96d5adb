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
    std::vector<std::pair<Mark, YAML::Node>> keep;  // the `<<` key's position and its value
    for (auto it = y.begin(); it != y.end(); ++it) {
      const YAML::Node k = it->first;
      if (!k.IsScalar()) throw ComposeError(mark_of(k.Mark()), "mapping keys must be strings");
      if (k.Scalar() == "<<" && k.Tag() != "!") {
        keep.emplace_back(mark_of(k.Mark()), it->second);
        continue;
      }
      if (out.find(k.Scalar()))
        throw ComposeError(mark_of(k.Mark()), "duplicate key \"" + k.Scalar() + "\"");
      out.entries.push_back(MapEntry{k.Scalar(), mark_of(k.Mark()), convert(it->second, depth + 1)});
    }
    // YAML merge keys (yaml-cpp 0.7 does not implement them): shallow, explicit keys win,
    // and in the list form earlier maps win over later ones.
    for (const auto& [key_mark, src] : keep) {
      if (src.IsMap()) {
        merge_from(src, out, depth);
      } else if (src.IsSequence()) {
        for (const auto& m : src) {
          if (!m.IsMap()) throw ComposeError(key_mark, "merge key << takes a mapping or a list of mappings");
          merge_from(m, out, depth);
        }
      } else {
        throw ComposeError(key_mark, "merge key << takes a mapping or a list of mappings");
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

// yaml-cpp builds its tree recursively, so a document nested a hundred thousand levels deep
// overflows the stack before we see a single node. This scan estimates the nesting depth
// (open flow brackets plus the stack of block indentations) without parsing, so such input
// is refused with a position instead of crashing. It errs on the side of counting too much
// only for pathological text; real Compose files are a few levels deep.
class NestingScanner {
 public:
  NestingScanner(std::string_view text, std::shared_ptr<const std::string> file, int max_depth)
      : s_(text), file_(std::move(file)), max_(max_depth) {}

  void run() {
    std::size_t line_start = 0;
    for (int line = 1; line_start <= s_.size(); ++line) {
      std::size_t end = s_.find('\n', line_start);
      if (end == std::string_view::npos) end = s_.size();
      scan_line(s_.substr(line_start, end - line_start), line);
      line_start = end + 1;
    }
  }

 private:
  static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

  void too_deep(int line, std::size_t col) const {
    throw ComposeError(Mark{file_, line, static_cast<int>(col) + 1},
                       "document is nested deeper than " + std::to_string(max_) + " levels");
  }

  void check(int line, std::size_t col) const {
    if (static_cast<int>(block_.size()) + flow_ > max_) too_deep(line, col);
  }

  void scan_line(std::string_view l, int line) {
    std::size_t indent = 0;
    while (indent < l.size() && l[indent] == ' ') ++indent;
    bool blank = indent >= l.size() || l[indent] == '#' || l[indent] == '\r';
    if (in_block_scalar_) {
      if (blank || indent > block_scalar_parent_) return;
      in_block_scalar_ = false;
    }
    std::size_t i = 0;
    if (!quote_ && flow_ == 0 && !blank) {
      while (!block_.empty() && block_.back() >= indent) block_.pop_back();
      block_.push_back(indent);
      i = indent;
      // compact nested collections on one line: "- - - x", "- a: b", "? x"
      while (i + 1 < l.size() && (l[i] == '-' || l[i] == '?') && l[i + 1] == ' ') {
        i += 2;
        while (i < l.size() && l[i] == ' ') ++i;
        block_.push_back(i);
        check(line, i);
      }
      check(line, i);
    }
    bool token_start = true;
    char last_significant = 0;
    std::size_t last_pos = 0;
    for (; i < l.size(); ++i) {
      char c = l[i];
      if (quote_) {
        if (quote_ == '"' && c == '\\') {
          ++i;
        } else if (c == quote_) {
          if (quote_ == '\'' && i + 1 < l.size() && l[i + 1] == '\'') {
            ++i;
          } else {
            quote_ = 0;
            token_start = false;
            last_significant = c;
            last_pos = i;
          }
        }
        continue;
      }
      if (c == '#' && (i == 0 || is_space(l[i - 1]))) break;
      if (token_start && (c == '"' || c == '\'')) {
        quote_ = c;
        continue;
      }
      bool opened = false;
      if (token_start && (c == '[' || c == '{')) {
        ++flow_;
        check(line, i);
        opened = true;
      } else if ((c == ']' || c == '}') && flow_ > 0) {
        --flow_;
      }
      // Only where a new token may start do '[', '{' and quotes mean something: "x[[" is text.
      token_start = is_space(c) || opened || (flow_ > 0 && c == ',') ||
                    (c == ':' && (i + 1 >= l.size() || is_space(l[i + 1])));
      if (!is_space(c)) {
        last_pos = i;
        last_significant = c;
      }
    }
    // "key: |" or "- >-": the lines that follow, indented deeper, are text.
    if (!quote_ && flow_ == 0 && !blank) {
      std::size_t k = last_pos;
      if (last_significant) {
        while (k > 0 && (l[k] == '-' || l[k] == '+' || (l[k] >= '0' && l[k] <= '9'))) --k;
        if ((l[k] == '|' || l[k] == '>') && (k == 0 || is_space(l[k - 1]))) {
          in_block_scalar_ = true;
          block_scalar_parent_ = indent;
        }
      }
    }
  }

  std::string_view s_;
  std::shared_ptr<const std::string> file_;
  int max_;
  std::vector<std::size_t> block_;  // indentation columns of the open block collections
  int flow_ = 0;                    // open [ and {
  char quote_ = 0;                  // inside a quoted scalar that spans lines
  bool in_block_scalar_ = false;
  std::size_t block_scalar_parent_ = 0;
};

// yaml-cpp quotes the offending byte; binary input must not put raw bytes on a terminal.
std::string printable(const std::string& s) {
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

}  // namespace

Node parse_yaml(std::string_view text, const std::string& filename, const YamlLimits& limits) {
  auto file = std::make_shared<const std::string>(filename);
  if (text.size() > limits.max_bytes)
    throw ComposeError(Mark{file, 0, 0}, "file is larger than " + std::to_string(limits.max_bytes) + " bytes");
  NestingScanner(text, file, limits.max_depth).run();
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    Mark m{file, e.mark.line + 1, e.mark.column + 1};
    if (e.mark.line < 0) m.line = 0;
    throw ComposeError(m, "invalid YAML: " + printable(e.msg));
  }
  Converter c(file, limits);
  return c.convert(root, 0);
}

Node parse_yaml_file(const std::string& path, const YamlLimits& limits) {
  std::string text = fs::read_file(path, limits.max_bytes);
  return parse_yaml(text, path, limits);
}

}  // namespace mycompose::compose
