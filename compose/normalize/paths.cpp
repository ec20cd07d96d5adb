// Host paths: relative paths are resolved against the project directory and `~` against
// the user's home, so the model holds absolute, clean paths (as `docker compose config`).
#include <cstdlib>
#include <filesystem>

#include "attributes.hpp"

namespace mycompose::compose::schema {

std::string absolute_path(const std::string& p, const Walk& w) {
  if (!w.ctx.resolve_paths || p.empty()) return p;
  std::string s = p;
  if (s == "~" || s.rfind("~/", 0) == 0) {
    std::string home;
    if (auto it = w.ctx.environment.find("HOME"); it != w.ctx.environment.end()) home = it->second;
    else if (const char* h = std::getenv("HOME")) home = h;
    if (!home.empty()) s = home + s.substr(1);
  }
  std::filesystem::path path(s);
  if (path.is_relative()) path = std::filesystem::path(w.ctx.working_dir) / path;
  std::string out = path.lexically_normal().string();
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

json host_path(const Node& node, const Type&, Walk& w, const std::string& path) {
  return absolute_path(scalar_text(node, path), w);
}

}  // namespace mycompose::compose::schema
