// The Dockerfile grammar as Docker's parser (buildkit frontend/dockerfile/parser) reads it:
// directives only before anything else, comment and blank lines dropped even inside a
// continuation, heredocs after the line that opens them.
#include <algorithm>
#include <cctype>
#include <set>

#include <nlohmann/json.hpp>

#include "mycompose/build/dockerfile.hpp"

namespace mycompose::build {
namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim_left(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}
std::string_view trim_right(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}
std::string_view trim(std::string_view s) { return trim_right(trim_left(s)); }

bool is_comment(std::string_view line) {
  auto t = trim_left(line);
  return !t.empty() && t.front() == '#';
}
bool is_blank(std::string_view line) { return trim(line).empty(); }

// docker/dockerfile[-upstream][:tag][@digest], with or without docker.io/ (or its long form).
bool is_dockerfile_frontend(std::string_view v) {
  for (std::string_view prefix : {"docker.io/", "index.docker.io/", "registry-1.docker.io/"})
    if (v.substr(0, prefix.size()) == prefix) v.remove_prefix(prefix.size());
  if (auto at = v.find('@'); at != std::string_view::npos) v = v.substr(0, at);
  if (auto colon = v.find(':'); colon != std::string_view::npos) v = v.substr(0, colon);
  return v == "docker/dockerfile" || v == "docker/dockerfile-upstream";
}

const std::set<std::string>& known_instructions() {
  static const std::set<std::string> k = {"FROM", "RUN", "CMD", "ENTRYPOINT", "ENV", "ARG", "LABEL", "EXPOSE",
                                          "WORKDIR", "USER", "COPY", "ADD", "VOLUME", "HEALTHCHECK", "SHELL",
                                          "STOPSIGNAL", "ONBUILD", "MAINTAINER"};
  return k;
}

const std::set<std::string>& allowed_flags(const std::string& kw) {
  static const std::set<std::string> none;
  static const std::set<std::string> from = {"platform"};
  static const std::set<std::string> run = {"mount", "network", "security"};
  static const std::set<std::string> copy = {"from", "chown", "chmod", "link", "parents", "exclude"};
  static const std::set<std::string> add = {"chown", "chmod", "link", "checksum", "keep-git-dir", "exclude"};
  static const std::set<std::string> hc = {"interval", "timeout", "start-period", "start-interval", "retries"};
  if (kw == "FROM") return from;
  if (kw == "RUN") return run;
  if (kw == "COPY") return copy;
  if (kw == "ADD") return add;
  if (kw == "HEALTHCHECK") return hc;
  return none;
}

struct Lines {
  std::vector<std::string_view> v;
  explicit Lines(std::string_view text) {
    std::size_t start = 0;
    while (start <= text.size()) {
      auto nl = text.find('\n', start);
      if (nl == std::string_view::npos) {
        if (start < text.size()) v.push_back(trim_right_cr(text.substr(start)));
        break;
      }
      v.push_back(trim_right_cr(text.substr(start, nl - start)));
      start = nl + 1;
    }
  }
  static std::string_view trim_right_cr(std::string_view s) {
    if (!s.empty() && s.back() == '\r') s.remove_suffix(1);
    return s;
  }
};

// `# key=value` before anything else.
std::size_t parse_directives(const Lines& lines, Dockerfile& df) {
  std::set<std::string> seen;
  std::size_t i = 0;
  for (; i < lines.v.size(); ++i) {
    auto t = trim(lines.v[i]);
    if (t.empty() || t.front() != '#') break;
    auto body = trim(t.substr(1));
    auto eq = body.find('=');
    if (eq == std::string_view::npos) break;
    auto key = std::string(trim(body.substr(0, eq)));
    auto value = std::string(trim(body.substr(eq + 1)));
    if (key.empty() || !std::all_of(key.begin(), key.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)); }))
      break;
    for (auto& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!seen.insert(key).second) throw DockerfileError(df.file, static_cast<int>(i + 1), "only one " + key + " parser directive can be used");
    if (key == "escape") {
      if (value != "\\" && value != "`")
        throw DockerfileError(df.file, static_cast<int>(i + 1), "invalid escape token '" + value + "' does not match ^[\\\\`]$");
      df.escape = value[0];
    } else if (key == "syntax") {
      // This builder is the Dockerfile frontend: another frontend image would run other code
      // on the build, which we cannot do, so naming one is refused rather than ignored.
      if (!is_dockerfile_frontend(value))
        throw DockerfileError(df.file, static_cast<int>(i + 1),
                              "syntax \"" + value + "\" names another frontend; this builder only runs docker/dockerfile");
      df.syntax = value;
    }
  }
  return i;
}

// Opens of here-documents in the instruction line: <<EOF, <<-EOF, <<"EOF", <<'EOF'.
std::vector<Heredoc> heredoc_openers(std::string_view line) {
  std::vector<Heredoc> out;
  for (std::size_t p = line.find("<<"); p != std::string_view::npos; p = line.find("<<", p + 2)) {
    std::size_t i = p + 2;
    if (i < line.size() && line[i] == '<') {  // <<< here-string: not a heredoc
      p = i;
      continue;
    }
    Heredoc h;
    if (i < line.size() && line[i] == '-') {
      h.chomp_tabs = true;
      ++i;
    }
    char quote = 0;
    if (i < line.size() && (line[i] == '"' || line[i] == '\'')) quote = line[i++];
    auto start = i;
    while (i < line.size() && (std::isalnum(static_cast<unsigned char>(line[i])) || line[i] == '_' || line[i] == '-' || line[i] == '.'))
      ++i;
    if (i == start) continue;
    if (quote) {
      if (i >= line.size() || line[i] != quote) continue;
      h.expand = false;
    }
    h.name = std::string(line.substr(start, i - start));
    out.push_back(std::move(h));
  }
  return out;
}

// First word of rest as a flag "--name[=value]"; returns false when rest has no more flags.
bool take_flag(std::string& rest, Flag& f) {
  if (rest.size() < 3 || rest.compare(0, 2, "--") != 0) return false;
  auto end = rest.find_first_of(" \t");
  std::string word = rest.substr(2, end == std::string::npos ? std::string::npos : end - 2);
  rest = end == std::string::npos ? "" : std::string(trim_left(std::string_view(rest).substr(end)));
  auto eq = word.find('=');
  f.name = word.substr(0, eq);
  f.has_value = eq != std::string::npos;
  f.value = f.has_value ? word.substr(eq + 1) : "";
  return true;
}

bool parse_json_array(const std::string& rest, std::vector<std::string>& out) {
  if (rest.empty() || rest.front() != '[') return false;
  auto j = nlohmann::json::parse(rest, nullptr, false);
  if (j.is_discarded() || !j.is_array()) return false;
  std::vector<std::string> v;
  for (const auto& e : j) {
    if (!e.is_string()) return false;
    v.push_back(e.get<std::string>());
  }
  out = std::move(v);
  return true;
}

void check_key_values(const Dockerfile& df, const Instruction& ins) {
  auto words = split_words_keep_quotes(ins.rest, df.escape);
  if (words.empty()) throw DockerfileError(df.file, ins.line, ins.keyword + " requires at least one argument");
  if (ins.keyword == "ENV" && words[0].find('=') == std::string::npos) {
    if (words.size() < 2) throw DockerfileError(df.file, ins.line, "ENV must have two arguments");
    return;  // legacy `ENV name value…`
  }
  for (const auto& w : words) {
    auto eq = w.find('=');
    if (ins.keyword == "ARG") {
      if (eq == 0) throw DockerfileError(df.file, ins.line, "ARG names can not be blank");
      continue;
    }
    if (eq == std::string::npos)
      throw DockerfileError(df.file, ins.line,
                            "Syntax error - can't find = in \"" + w + "\". Must be of the form: name=value");
    if (eq == 0) throw DockerfileError(df.file, ins.line, ins.keyword + " names can not be blank");
  }
}

void validate(const Dockerfile& df, const Instruction& ins) {
  const auto& kw = ins.keyword;
  const auto& allowed = allowed_flags(kw);
  for (const auto& f : ins.flags)
    if (!allowed.count(f.name)) throw DockerfileError(df.file, ins.line, "unknown flag: --" + f.name + " (" + kw + ")");
  auto words = split_words_keep_quotes(ins.rest, df.escape);
  auto nargs = ins.json_form ? ins.json_args.size() : words.size();
  auto need = [&](bool ok, const std::string& msg) {
    if (!ok) throw DockerfileError(df.file, ins.line, msg);
  };
  if (kw == "FROM") {
    need(words.size() == 1 || (words.size() == 3 && upper(words[1]) == "AS"),
         "FROM requires either one or three arguments (FROM <image> [AS <name>])");
  } else if (kw == "RUN") {
    need(nargs > 0, "RUN requires at least one argument");
  } else if (kw == "ENV" || kw == "LABEL" || kw == "ARG") {
    check_key_values(df, ins);
  } else if (kw == "EXPOSE" || kw == "VOLUME") {
    need(nargs > 0, kw + " requires at least one argument");
  } else if (kw == "WORKDIR") {
    need(!trim(ins.rest).empty(), "WORKDIR requires exactly one argument");
  } else if (kw == "USER" || kw == "STOPSIGNAL" || kw == "MAINTAINER") {
    need(words.size() == 1 || (kw == "MAINTAINER" && !words.empty()), kw + " requires exactly one argument");
  } else if (kw == "COPY" || kw == "ADD") {
    need(nargs >= 2, kw + " requires at least two arguments, but only " + std::to_string(nargs) + " provided");
  } else if (kw == "SHELL") {
    need(ins.json_form, "SHELL requires the arguments to be in JSON form");
    need(!ins.json_args.empty(), "SHELL requires at least one argument");
  } else if (kw == "HEALTHCHECK") {
    need(!words.empty(), "HEALTHCHECK requires an argument");
    auto type = upper(words[0]);
    need(type == "NONE" || type == "CMD", "Unknown type \"" + words[0] + "\" in HEALTHCHECK (try CMD)");
    need(type != "NONE" || words.size() == 1, "HEALTHCHECK NONE takes no arguments");
    need(type != "CMD" || words.size() > 1, "Missing command after HEALTHCHECK CMD");
  }
}

Instruction parse_logical_line(const Dockerfile& df, std::string_view text, int line, bool in_onbuild = false) {
  Instruction ins;
  ins.line = ins.end_line = line;
  text = trim(text);
  auto sp = text.find_first_of(" \t");
  std::string word(text.substr(0, sp));
  ins.keyword = upper(word);
  std::string rest(sp == std::string_view::npos ? "" : trim(text.substr(sp)));
  if (!known_instructions().count(ins.keyword)) throw DockerfileError(df.file, line, "unknown instruction: " + word);
  ins.original = ins.keyword + (rest.empty() ? "" : " " + rest);
  if (ins.keyword == "ONBUILD") {
    if (rest.empty()) throw DockerfileError(df.file, line, "ONBUILD requires at least one argument");
    if (in_onbuild) throw DockerfileError(df.file, line, "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
    auto trig = parse_logical_line(df, rest, line, true);
    if (trig.keyword == "FROM" || trig.keyword == "MAINTAINER")
      throw DockerfileError(df.file, line, trig.keyword + " isn't allowed as an ONBUILD trigger");
    ins.rest = rest;
    ins.onbuild.push_back(std::move(trig));
    return ins;
  }
  Flag f;
  while (take_flag(rest, f)) ins.flags.push_back(f);
  ins.rest = rest;
  if (ins.keyword != "ENV" && ins.keyword != "LABEL" && ins.keyword != "ARG")
    ins.json_form = parse_json_array(rest, ins.json_args);
  return ins;
}

}  // namespace

const Flag* Instruction::flag(std::string_view name) const {
  for (const auto& f : flags)
    if (f.name == name) return &f;
  return nullptr;
}

std::vector<std::string> split_words_keep_quotes(std::string_view s, char escape) {
  std::vector<std::string> out;
  std::string cur;
  bool in_word = false;
  char quote = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (!quote && (c == ' ' || c == '\t' || c == '\n')) {
      if (in_word) out.push_back(std::move(cur));
      cur.clear();
      in_word = false;
      continue;
    }
    in_word = true;
    cur += c;
    if (c == escape && quote != '\'' && i + 1 < s.size()) cur += s[++i];
    else if (!quote && (c == '"' || c == '\'')) quote = c;
    else if (quote && c == quote) quote = 0;
  }
  if (in_word) out.push_back(std::move(cur));
  return out;
}

Dockerfile parse_dockerfile(std::string_view text, const std::string& file) {
  Dockerfile df;
  df.file = file;
  Lines lines(text);
  std::size_t i = parse_directives(lines, df);
  const char esc = df.escape;
  auto continues = [esc](std::string_view l) {
    auto t = trim_right(l);
    return !t.empty() && t.back() == esc;
  };
  bool seen_from = false;
  while (i < lines.v.size()) {
    if (is_blank(lines.v[i]) || is_comment(lines.v[i])) {
      ++i;
      continue;
    }
    int start_line = static_cast<int>(i + 1);
    std::string logical;
    std::string_view cur = lines.v[i];
    while (true) {
      if (!continues(cur)) {
        logical += cur;
        break;
      }
      auto t = trim_right(cur);
      logical += t.substr(0, t.size() - 1);
      // Comment and blank lines inside a continuation are dropped.
      do {
        ++i;
      } while (i < lines.v.size() && (is_comment(lines.v[i]) || is_blank(lines.v[i])));
      if (i >= lines.v.size()) break;
      cur = lines.v[i];
    }
    ++i;
    Instruction ins = parse_logical_line(df, logical, start_line);
    ins.end_line = static_cast<int>(i);
    if (ins.keyword == "RUN" || ins.keyword == "COPY" || ins.keyword == "ADD") {
      ins.heredocs = heredoc_openers(ins.rest);
      for (auto& h : ins.heredocs) {
        bool closed = false;
        while (i < lines.v.size()) {
          std::string_view l = lines.v[i++];
          if (h.chomp_tabs)
            while (!l.empty() && l.front() == '\t') l.remove_prefix(1);
          if (l == h.name) {
            closed = true;
            break;
          }
          h.content += l;
          h.content += '\n';
        }
        if (!closed) throw DockerfileError(df.file, start_line, "unterminated heredoc " + h.name);
        ins.end_line = static_cast<int>(i);
      }
    }
    if (ins.keyword == "FROM") seen_from = true;
    else if (!seen_from && ins.keyword != "ARG")
      throw DockerfileError(df.file, start_line, ins.keyword + " before the first FROM: only ARG may come before FROM");
    validate(df, ins);
    for (const auto& t : ins.onbuild) validate(df, t);
    df.instructions.push_back(std::move(ins));
  }
  if (df.instructions.empty()) throw DockerfileError(df.file, 1, "the Dockerfile has no instructions");
  if (!seen_from) throw DockerfileError(df.file, df.instructions.back().line, "no FROM instruction: nothing to build");
  return df;
}

}  // namespace mycompose::build
