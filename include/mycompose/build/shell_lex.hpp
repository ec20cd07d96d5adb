#pragma once
// Docker's word processing for Dockerfile arguments: quotes, the escape character and
// variable substitution ($VAR, ${VAR}, ${VAR:-word}, ${VAR-word}, ${VAR:+word}, ${VAR+word},
// ${VAR:?message}). Pure functions; errors are mycompose::Error without a location (the
// builder adds "Dockerfile:line").
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mycompose::build {

// Value of a variable, nullopt when unset.
using VarLookup = std::function<std::optional<std::string>(std::string_view)>;

// One word: quotes removed, escapes applied, variables expanded (no splitting).
std::string expand_word(std::string_view text, const VarLookup& vars, char escape = '\\');

// Several words: split on unquoted blanks, then as expand_word. Blanks that come from a
// variable's value do not split (Docker's ProcessWords behaves the same for COPY/ADD).
std::vector<std::string> expand_words(std::string_view text, const VarLookup& vars, char escape = '\\');

}  // namespace mycompose::build
