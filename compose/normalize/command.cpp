// command / entrypoint / healthcheck test: a string is split into words the way compose
// does it (go-shellwords: blanks separate, '…' is literal, "…" keeps blanks and honours
// backslash escapes of " \ $ `, a backslash outside quotes escapes the next character).
// No variable expansion: that is the container shell's business.
#include "attributes.hpp"
#include "mycompose/compose/error.hpp"

namespace mycompose::compose::schema {

std::vector<std::string> shell_split(std::string_view s, bool* ok) {
  std::vector<std::string> words;
  std::string cur;
  bool in_word = false;
  *ok = true;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      if (in_word) words.push_back(std::move(cur)), cur.clear(), in_word = false;
      continue;
    }
    in_word = true;
    if (c == '\\') {
      if (i + 1 < s.size()) cur += s[++i];
      continue;
    }
    if (c == '\'') {
      auto end = s.find('\'', i + 1);
      if (end == std::string_view::npos) return *ok = false, words;
      cur.append(s.substr(i + 1, end - i - 1));
      i = end;
      continue;
    }
    if (c == '"') {
      std::size_t j = i + 1;
      for (; j < s.size() && s[j] != '"'; ++j) {
        if (s[j] == '\\' && j + 1 < s.size() &&
            (s[j + 1] == '"' || s[j + 1] == '\\' || s[j + 1] == '$' || s[j + 1] == '`' || s[j + 1] == '\n'))
          ++j;
        cur += s[j];
      }
      if (j >= s.size()) return *ok = false, words;
      i = j;
      continue;
    }
    cur += c;
  }
  if (in_word) words.push_back(std::move(cur));
  return words;
}

json command(const Node& node, const Type&, Walk&, const std::string& path) {
  if (node.is_null()) return nullptr;
  if (node.is_scalar()) {
    bool ok;
    auto words = shell_split(node.value, &ok);
    if (!ok) throw ComposeError(node.mark, path + ": unterminated quote in \"" + node.value + "\"");
    return words;
  }
  if (!node.is_sequence()) type_error(node, path, "a string or a list of strings");
  json a = json::array();
  for (std::size_t i = 0; i < node.items.size(); ++i)
    a.push_back(scalar_text(node.items[i], path + "[" + std::to_string(i) + "]"));
  return a;
}

}  // namespace mycompose::compose::schema
