#pragma once
// Dockerfile syntax → a list of instructions (pure; no file system). The parser knows the
// grammar (directives, comments, line continuations, heredocs, JSON and shell forms, flags,
// argument counts); what an instruction means is the builder's business.
// Errors are DockerfileError: "<file>:<line>: <message>".
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mycompose/common/error.hpp"

namespace mycompose::build {

class DockerfileError : public Error {
 public:
  DockerfileError(const std::string& file, int line, const std::string& message)
      : Error(file + ":" + std::to_string(line) + ": " + message), line_(line) {}
  int line() const { return line_; }

 private:
  int line_;
};

// `RUN <<EOF` … `EOF`: the body of one here-document.
struct Heredoc {
  std::string name;     // the delimiter word ("EOF")
  std::string content;  // every line with its "\n"
  bool expand = true;   // false when the delimiter was quoted (<<"EOF"): no variable expansion
  bool chomp_tabs = false;  // <<-EOF: leading tabs were removed
};

struct Flag {
  std::string name;   // without "--"
  std::string value;  // "" when given as a bare --name
  bool has_value = false;
};

struct Instruction {
  std::string keyword;           // upper case: "RUN", "COPY", …
  int line = 0;                  // first line (1-based)
  int end_line = 0;              // last line, heredoc bodies included
  std::vector<Flag> flags;       // leading --name[=value] words (FROM, RUN, COPY, ADD, HEALTHCHECK)
  std::string rest;              // the arguments after the flags, continuations joined
  bool json_form = false;        // rest was a JSON array of strings …
  std::vector<std::string> json_args;  // … with these elements
  std::vector<Heredoc> heredocs;
  std::string original;          // "RUN apt-get install …" as written (continuations joined)
  // ONBUILD: the trigger, parsed as an instruction of its own.
  std::vector<Instruction> onbuild;

  const Flag* flag(std::string_view name) const;
};

struct Dockerfile {
  std::string file = "Dockerfile";  // the name errors use
  char escape = '\\';
  std::string syntax;               // `# syntax=` directive, recorded only
  std::vector<Instruction> instructions;
};

// file names the Dockerfile in error messages.
Dockerfile parse_dockerfile(std::string_view text, const std::string& file = "Dockerfile");

// Splits "a=1 b='x y' c" into words on unquoted blanks, keeping quotes and escapes (they are
// removed by the variable expansion that follows, as Docker does for ENV/LABEL/ARG).
std::vector<std::string> split_words_keep_quotes(std::string_view s, char escape);

}  // namespace mycompose::build
