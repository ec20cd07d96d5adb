// Word processing as Docker's Dockerfile shell lexer does it (buildkit frontend/dockerfile/
// shell): single quotes are literal, double quotes allow $ expansion, the escape character
// protects the next character.
#include "mycompose/build/shell_lex.hpp"

#include <cctype>

#include "mycompose/common/error.hpp"

namespace mycompose::build {
namespace {

bool is_name_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

class Lexer {
 public:
  Lexer(std::string_view s, const VarLookup& vars, char escape) : s_(s), vars_(vars), esc_(escape) {}

  std::string word() {
    std::string out;
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (c == '\'') {
        out += single_quoted();
      } else if (c == '"') {
        out += double_quoted();
      } else if (c == esc_) {
        ++i_;
        if (i_ < s_.size()) out += s_[i_++];
        // a trailing escape is kept, as Docker does
        else out += esc_;
      } else if (c == '$') {
        out += dollar();
      } else {
        out += c;
        ++i_;
      }
    }
    return out;
  }

 private:
  std::string single_quoted() {
    ++i_;
    auto end = s_.find('\'', i_);
    if (end == std::string_view::npos) throw Error("unexpected end of statement while looking for matching single-quote");
    std::string out(s_.substr(i_, end - i_));
    i_ = end + 1;
    return out;
  }

  std::string double_quoted() {
    ++i_;
    std::string out;
    while (true) {
      if (i_ >= s_.size()) throw Error("unexpected end of statement while looking for matching double-quote");
      char c = s_[i_];
      if (c == '"') {
        ++i_;
        return out;
      }
      if (c == '$') {
        out += dollar();
      } else if (c == esc_ && i_ + 1 < s_.size() && (s_[i_ + 1] == '"' || s_[i_ + 1] == '$' || s_[i_ + 1] == esc_)) {
        out += s_[i_ + 1];
        i_ += 2;
      } else {
        out += c;
        ++i_;
      }
    }
  }

  std::optional<std::string> lookup(std::string_view name) { return vars_ ? vars_(name) : std::nullopt; }

  // The text of a ${…} modifier word, itself expanded, up to the closing brace.
  std::string modifier_word() {
    std::string out;
    while (true) {
      if (i_ >= s_.size()) throw Error("missing '}' in variable substitution");
      char c = s_[i_];
      if (c == '}') return out;
      if (c == '\'') out += single_quoted();
      else if (c == '"') out += double_quoted();
      else if (c == '$') out += dollar();
      else if (c == esc_ && i_ + 1 < s_.size()) {
        out += s_[i_ + 1];
        i_ += 2;
      } else {
        out += c;
        ++i_;
      }
    }
  }

  std::string dollar() {
    ++i_;  // '$'
    if (i_ >= s_.size()) return "$";
    char c = s_[i_];
    if (c != '{') {
      if (!is_name_start(c) && !std::isdigit(static_cast<unsigned char>(c))) return "$";
      auto start = i_;
      while (i_ < s_.size() && is_name_char(s_[i_])) ++i_;
      return lookup(s_.substr(start, i_ - start)).value_or("");
    }
    ++i_;  // '{'
    auto start = i_;
    while (i_ < s_.size() && is_name_char(s_[i_])) ++i_;
    std::string name(s_.substr(start, i_ - start));
    if (name.empty()) throw Error("bad substitution: missing variable name after '${'");
    if (i_ >= s_.size()) throw Error("missing '}' in variable substitution of " + name);
    if (s_[i_] == '}') {
      ++i_;
      return lookup(name).value_or("");
    }
    bool colon = false;
    if (s_[i_] == ':') {
      colon = true;
      ++i_;
      if (i_ >= s_.size()) throw Error("missing '}' in variable substitution of " + name);
    }
    char op = s_[i_];
    if (op != '-' && op != '+' && op != '?')
      throw Error(std::string("unsupported modifier (") + (colon ? ":" : "") + op + ") in substitution of " + name);
    ++i_;
    std::string word = modifier_word();
    ++i_;  // '}'
    auto value = lookup(name);
    bool set = value.has_value() && (!colon || !value->empty());
    switch (op) {
      case '-':
        return set ? *value : word;
      case '+':
        return set ? word : "";
      default:  // '?'
        if (!set) throw Error(name + ": " + (word.empty() ? "is not allowed to be unset" : word));
        return *value;
    }
  }

  std::string_view s_;
  const VarLookup& vars_;
  char esc_;
  std::size_t i_ = 0;
};

}  // namespace

std::string expand_word(std::string_view text, const VarLookup& vars, char escape) {
  return Lexer(text, vars, escape).word();
}

std::vector<std::string> expand_words(std::string_view text, const VarLookup& vars, char escape) {
  std::vector<std::string> raw;
  std::string cur;
  bool in_word = false;
  char quote = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quote) {
      cur += c;
      if (c == escape && quote == '"' && i + 1 < text.size()) cur += text[++i];
      else if (c == quote) quote = 0;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      if (in_word) raw.push_back(std::move(cur));
      cur.clear();
      in_word = false;
      continue;
    }
    in_word = true;
    cur += c;
    if (c == escape && i + 1 < text.size()) cur += text[++i];
    else if (c == '"' || c == '\'') quote = c;
  }
  if (quote) throw Error(std::string("unexpected end of statement while looking for matching ") + (quote == '"' ? "double" : "single") + "-quote");
  if (in_word) raw.push_back(std::move(cur));
  std::vector<std::string> out;
  for (const auto& w : raw) out.push_back(expand_word(w, vars, escape));
  return out;
}

}  // namespace mycompose::build
