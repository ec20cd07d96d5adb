#include "mycompose/compose/project_name.hpp"

#include <filesystem>

#include "mycompose/compose/error.hpp"

namespace mycompose::compose {

std::string normalize_project_name(std::string_view name) {
  std::string out;
  for (char c : name) {
    char l = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    if ((l >= 'a' && l <= 'z') || (l >= '0' && l <= '9') || l == '_' || l == '-') out += l;
  }
  std::size_t start = out.find_first_not_of("_-");
  return start == std::string::npos ? std::string() : out.substr(start);
}

namespace {

std::string invalid_name_message(const std::string& name, const std::string& source) {
  return "invalid project name \"" + name + "\" (from " + source +
         "): must consist only of lowercase alphanumeric characters, hyphens, and underscores "
         "as well as start with a letter or number";
}

std::string checked(const std::string& name, const std::string& source) {
  if (name.empty() || normalize_project_name(name) != name) throw ComposeError(invalid_name_message(name, source));
  return name;
}

}  // namespace

std::string resolve_project_name(const ProjectNameSources& s) {
  if (s.flag) return checked(*s.flag, "--project-name");
  if (s.environment && !s.environment->empty()) return checked(*s.environment, "COMPOSE_PROJECT_NAME");
  if (s.name_key && !s.name_key->is_null()) {
    const Node& n = *s.name_key;
    if (!n.is_scalar()) throw ComposeError(n.mark, "name must be a string, not a " + n.kind_name());
    if (!n.value.empty()) {
      if (normalize_project_name(n.value) != n.value)
        throw ComposeError(n.mark, invalid_name_message(n.value, "the top-level name: key"));
      return n.value;
    }
  }
  std::string base = std::filesystem::path(s.project_dir).lexically_normal().filename().string();
  if (base.empty()) base = std::filesystem::path(s.project_dir).lexically_normal().parent_path().filename().string();
  std::string name = normalize_project_name(base);
  if (name.empty())
    throw ComposeError("project name must not be empty: the folder name \"" + base +
                       "\" has no letter or digit; use -p or a top-level name: key");
  return name;
}

}  // namespace mycompose::compose
