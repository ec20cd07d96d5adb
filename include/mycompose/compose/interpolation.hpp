#pragma once
// Stage "interpolation": ${VAR} and friends in every scalar value (never in keys).
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "mycompose/common/error.hpp"
#include "mycompose/compose/node.hpp"

namespace mycompose::compose {

using Lookup = std::function<std::optional<std::string>(const std::string& name)>;

// A template that cannot be expanded; what() is the bare reason ("required variable X is
// missing a value: msg", "Invalid template: \"${x\""), so callers can add where it came from.
class TemplateError : public Error {
 public:
  TemplateError(const std::string& message, bool invalid_syntax) : Error(message), invalid_syntax_(invalid_syntax) {}
  bool invalid_syntax() const { return invalid_syntax_; }

 private:
  bool invalid_syntax_;
};

// One variable a file refers to, for `config --variables`.
struct VariableUse {
  std::string name;
  bool required = false;            // ${X:?…} or ${X?…}
  std::optional<std::string> default_value;    // ${X:-d} or ${X-d}
  std::optional<std::string> alternate_value;  // ${X:+a} or ${X+a}
};

// Expands one string: $VAR, ${VAR}, ${VAR:-d}, ${VAR-d}, ${VAR:?msg}, ${VAR?msg},
// ${VAR:+a}, ${VAR+a} (words nested to any depth, evaluated only when used), and $$ → $.
// `unset` is called for each variable read that has no value (it then expands to "").
std::string substitute(std::string_view text, const Lookup& lookup,
                       const std::function<void(const std::string&)>& unset = {});

// Every variable `text` refers to, including those in words that would not be evaluated.
void collect_variables(std::string_view text, std::map<std::string, VariableUse>& out);

struct InterpolationResult {
  Node tree;
  std::map<std::string, VariableUse> variables;  // every variable referred to
};

// Interpolates every scalar value of a file's tree. An unset variable warns once per name
// ("The \"X\" variable is not set. Defaulting to a blank string.") and expands to "".
// Errors are ComposeError at the scalar's file:line:col, naming the path (services.web.image).
InterpolationResult interpolate(const Node& tree, const Lookup& lookup,
                                const std::function<void(const std::string&)>& warn);

}  // namespace mycompose::compose
