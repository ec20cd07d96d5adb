#include "mycompose/compose/dotenv.hpp"

#include <algorithm>
#include <filesystem>
#include <map>

#include "mycompose/common/fs.hpp"
#include "mycompose/compose/error.hpp"

namespace mycompose::compose {
namespace {

constexpr std::size_t kMaxEnvFileBytes = 16u << 20;

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }
bool is_key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
         c == '-' || c == '[' || c == ']' || static_cast<unsigned char>(c) >= 0x80;
}

class Parser {
 public:
  Parser(std::string_view text, const std::string& filename, const Lookup& shell, const Lookup& before)
      : s_(text), file_(std::make_shared<const std::string>(filename)), shell_(shell), before_(before) {}

  EnvPairs run() {
    EnvPairs out;
    std::map<std::string, std::size_t> index;
    Lookup chained = [&](const std::string& name) -> std::optional<std::string> {
      if (auto v = shell_ ? shell_(name) : std::nullopt) return v;
      auto it = index.find(name);
      if (it != index.end()) return out[it->second].second;
      return before_ ? before_(name) : std::nullopt;
    };
    for (;;) {
      skip_space_and_comments();
      if (at_end()) break;
      std::string key = read_key();
      skip_blanks();
      std::optional<std::string> value;
      if (at_end() || peek() == '\n' || peek() == '#') {
        skip_line();
        value = chained(key);  // `KEY` alone: inherited from the environment
        if (!value) continue;
      } else if (peek() == '=' || peek() == ':') {
        ++pos_;
        skip_blanks();
        value = read_value(key, chained);
      } else {
        throw ComposeError(mark(), std::string("unexpected character '") + peek() + "' in variable name \"" + key +
                                       "\"" + (is_blank(s_[pos_ - 1]) ? " (a key cannot contain a space)" : ""));
      }
      auto it = index.find(key);
      if (it != index.end()) {
        out[it->second].second = *value;
      } else {
        index[key] = out.size();
        out.emplace_back(key, *value);
      }
    }
    return out;
  }

 private:
  bool at_end() const { return pos_ >= s_.size(); }
  char peek() const { return s_[pos_]; }

  Mark mark() const {
    Mark m;
    m.file = file_;
    m.line = 1;
    std::size_t line_start = 0;
    for (std::size_t i = 0; i < pos_ && i < s_.size(); ++i)
      if (s_[i] == '\n') {
        ++m.line;
        line_start = i + 1;
      }
    m.column = static_cast<int>(pos_ - line_start) + 1;
    return m;
  }

  void skip_blanks() {
    while (!at_end() && is_blank(peek())) ++pos_;
  }
  void skip_line() {
    while (!at_end() && peek() != '\n') ++pos_;
  }
  void skip_space_and_comments() {
    for (;;) {
      while (!at_end() && (is_blank(peek()) || peek() == '\n')) ++pos_;
      if (!at_end() && peek() == '#') {
        skip_line();
        continue;
      }
      return;
    }
  }

  std::string read_key() {
    // `export KEY=…` as in a shell script; "exported=1" is still the key "exported".
    if (s_.substr(pos_, 6) == "export" && pos_ + 6 < s_.size() && is_blank(s_[pos_ + 6])) {
      pos_ += 6;
      skip_blanks();
    }
    std::size_t start = pos_;
    while (!at_end() && is_key_char(peek())) ++pos_;
    if (pos_ == start) {
      throw ComposeError(mark(), std::string("unexpected character '") + (at_end() ? ' ' : peek()) +
                                     "' where a variable name was expected");
    }
    return std::string(s_.substr(start, pos_ - start));
  }

  std::string read_value(const std::string& key, const Lookup& lookup) {
    if (at_end() || peek() == '\n') return {};
    char q = peek();
    if (q == '\'' || q == '"') {
      Mark open = mark();
      ++pos_;
      std::string raw;
      bool closed = false;
      while (!at_end()) {
        char c = peek();
        if (c == q) {
          closed = true;
          ++pos_;
          break;
        }
        if (q == '"' && c == '\\' && pos_ + 1 < s_.size()) {
          raw += c;
          raw += s_[pos_ + 1];
          pos_ += 2;
          continue;
        }
        raw += c;
        ++pos_;
      }
      if (!closed) throw ComposeError(open, "unterminated quoted value for " + key);
      skip_blanks();
      if (!at_end() && peek() == '#') skip_line();
      if (!at_end() && peek() != '\n')
        throw ComposeError(mark(), "unexpected text after the closing quote of " + key);
      if (q == '\'') return raw;
      return expand(unescape(raw), key, open, lookup);
    }
    Mark start_mark = mark();
    std::size_t start = pos_;
    skip_line();
    std::string_view line = s_.substr(start, pos_ - start);
    // An inline comment starts at a '#' that follows a blank: "a#b" keeps its '#'.
    for (std::size_t i = 1; i < line.size(); ++i)
      if (line[i] == '#' && is_blank(line[i - 1])) {
        line = line.substr(0, i);
        break;
      }
    while (!line.empty() && is_blank(line.back())) line.remove_suffix(1);
    return expand(std::string(line), key, start_mark, lookup);
  }

  // "\$" must survive expansion as a literal '$': it becomes "$$" for the expander.
  static std::string unescape(const std::string& raw) {
    std::string out;
    for (std::size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] != '\\' || i + 1 >= raw.size()) {
        out += raw[i];
        continue;
      }
      char n = raw[++i];
      switch (n) {
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case '\\': out += '\\'; break;
        case '"': out += '"'; break;
        case '$': out += "$$"; break;
        default: out += '\\'; out += n; break;
      }
    }
    return out;
  }

  static std::string expand(const std::string& v, const std::string& key, const Mark& m, const Lookup& lookup) {
    if (v.find('$') == std::string::npos) return v;
    try {
      return substitute(v, lookup);
    } catch (const TemplateError& e) {
      throw ComposeError(m, "in the value of " + key + ": " + e.what());
    }
  }

  std::string_view s_;
  std::size_t pos_ = 0;
  std::shared_ptr<const std::string> file_;
  const Lookup& shell_;
  const Lookup& before_;
};

}  // namespace

EnvPairs parse_dotenv(std::string_view text, const std::string& filename, const Lookup& shell, const Lookup& before) {
  return Parser(text, filename, shell, before).run();
}

EnvPairs read_env_files(const std::vector<std::string>& paths, const Lookup& shell) {
  EnvPairs all;
  std::map<std::string, std::size_t> index;
  Lookup seen = [&](const std::string& name) -> std::optional<std::string> {
    auto it = index.find(name);
    if (it != index.end()) return all[it->second].second;
    return std::nullopt;
  };
  for (const auto& p : paths) {
    std::string text;
    try {
      text = fs::read_file(p, kMaxEnvFileBytes);
    } catch (const Error& e) {
      throw ComposeError(std::string("env file ") + p + " not found or unreadable: " + e.what());
    }
    for (auto& [k, v] : parse_dotenv(text, p, shell, seen)) {
      auto it = index.find(k);
      if (it != index.end()) {
        all[it->second].second = v;
      } else {
        index[k] = all.size();
        all.emplace_back(k, v);
      }
    }
  }
  return all;
}

}  // namespace mycompose::compose

namespace mycompose::compose {

std::vector<std::string> env_files_to_read(const std::vector<std::string>& explicit_files, const std::string& dir,
                                           const std::string& cwd, const Environment& shell) {
  namespace stdfs = std::filesystem;
  std::vector<std::string> out;
  std::vector<std::string> given = explicit_files;
  // docker compose: without --env-file, COMPOSE_ENV_FILES (comma-separated) names them.
  if (auto it = shell.find("COMPOSE_ENV_FILES"); given.empty() && it != shell.end())
    for (std::size_t pos = 0; pos <= it->second.size();) {
      std::size_t comma = std::min(it->second.find(',', pos), it->second.size());
      if (comma > pos) given.push_back(it->second.substr(pos, comma - pos));
      pos = comma + 1;
    }
  if (!given.empty()) {
    for (const auto& f : given)
      out.push_back(stdfs::path(f).is_absolute() ? f : (stdfs::path(cwd) / f).lexically_normal().string());
    return out;
  }
  auto disable = shell.find("COMPOSE_DISABLE_ENV_FILE");
  if (disable != shell.end()) {
    const std::string& v = disable->second;
    if (v == "1" || v == "true" || v == "TRUE" || v == "True" || v == "t" || v == "T") return out;
  }
  std::error_code ec;
  stdfs::path dotenv = stdfs::path(dir) / ".env";
  if (stdfs::is_regular_file(dotenv, ec)) out.push_back(dotenv.string());
  return out;
}

Environment add_env_files(const Environment& base, const std::vector<std::string>& files) {
  Environment out = base;
  Lookup shell = [&](const std::string& name) -> std::optional<std::string> {
    auto it = base.find(name);
    if (it == base.end()) return std::nullopt;
    return it->second;
  };
  for (auto& [k, v] : read_env_files(files, shell)) out.emplace(k, v);  // emplace: existing keys win
  return out;
}

}  // namespace mycompose::compose

namespace mycompose::compose {

bool env_switch(const Environment& env, const std::string& name, bool fallback) {
  auto it = env.find(name);
  if (it == env.end()) return fallback;
  const std::string& v = it->second;
  return v == "1" || v == "t" || v == "T" || v == "true" || v == "TRUE" || v == "True";
}

}  // namespace mycompose::compose
