// ordered_json → YAML through yaml-cpp's Emitter; we only decide the quoting yaml-cpp
// cannot know about (a JSON string "8080" must stay a string) and the layout of
// empty collections and multi-line strings.
#include <regex>
#include <string_view>

#include <yaml-cpp/yaml.h>

#include "mycompose/compose/emit.hpp"

namespace mycompose::compose {

bool yaml_needs_quotes(const std::string& s) {
  if (s.empty()) return true;
  // Fast path (the regex is costly and most strings are paths, names or images): every
  // special form starts with a digit, a sign, a dot, `~` or the first letter of a word.
  if (std::string_view("0123456789+-.~nNtTfFyYoO").find(s[0]) == std::string_view::npos) return false;
  static const std::regex special(
      R"re((?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF))re"
      R"re(|[-+]?(?:0|[1-9][0-9_]*)|0[0-7_]+|0o[0-7]+|0x[0-9a-fA-F_]+|0b[01_]+)re"
      R"re(|[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?)re"
      R"re(|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?)re");
  return std::regex_match(s, special);
}

namespace {

void emit_string(YAML::Emitter& out, const std::string& s) {
  if (s.find('\n') != std::string::npos && s.back() == '\n' && s.find_first_of("\t\r") == std::string::npos &&
      s.front() != ' ')
    out << YAML::Literal << s;
  else if (yaml_needs_quotes(s) || s.find('\n') != std::string::npos)
    out << YAML::DoubleQuoted << s;
  else
    out << s;
}

void emit(YAML::Emitter& out, const nlohmann::ordered_json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::object:
      if (j.empty()) {
        out << YAML::Flow << YAML::BeginMap << YAML::EndMap;
        return;
      }
      out << YAML::BeginMap;
      for (auto it = j.begin(); it != j.end(); ++it) {
        out << YAML::Key;
        emit_string(out, it.key());
        out << YAML::Value;
        emit(out, it.value());
      }
      out << YAML::EndMap;
      return;
    case nlohmann::json::value_t::array:
      if (j.empty()) {
        out << YAML::Flow << YAML::BeginSeq << YAML::EndSeq;
        return;
      }
      out << YAML::BeginSeq;
      for (const auto& v : j) emit(out, v);
      out << YAML::EndSeq;
      return;
    case nlohmann::json::value_t::string: emit_string(out, j.get_ref<const std::string&>()); return;
    case nlohmann::json::value_t::null: out << YAML::Null; return;
    default: out << j.dump(); return;  // numbers and booleans, as JSON spells them
  }
}

}  // namespace

std::string to_yaml(const nlohmann::ordered_json& document) {
  YAML::Emitter out;
  out.SetIndent(2);
  out.SetNullFormat(YAML::LowerNull);
  emit(out, document);
  std::string s = out.c_str();
  if (s.empty() || s.back() != '\n') s += '\n';
  return s;
}

}  // namespace mycompose::compose
