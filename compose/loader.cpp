// The loader pipeline. Each step is a pure stage in its own file; this file only wires them:
//   dotenv → discovery → (per file: yaml → interpolation → include → extends) → merge
//   → project name → profiles → normalize (validate + canonical model).
#include "mycompose/compose/loader.hpp"

#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <iterator>
#include <set>

#include "mycompose/compose/discovery.hpp"
#include "mycompose/compose/dotenv.hpp"
#include "mycompose/compose/error.hpp"
#include "mycompose/compose/interpolation.hpp"
#include "mycompose/compose/merge.hpp"
#include "mycompose/compose/normalize.hpp"
#include "mycompose/compose/project_name.hpp"
#include "mycompose/compose/yaml.hpp"

namespace mycompose::compose {
namespace stdfs = std::filesystem;
namespace {

using Warn = std::function<void(const std::string&)>;

// Each distinct warning once per load (an unset variable is met in many places).
Warn once(const LoadOptions& o) {
  auto seen = std::make_shared<std::set<std::string>>();
  Warn sink = o.warn ? o.warn : Warn([](const std::string& m) { std::cerr << "WARN[0000] " << m << "\n"; });
  return [seen, sink](const std::string& m) {
    if (seen->insert(m).second) sink(m);
  };
}

std::string absolute(const std::string& path, const std::string& cwd) {
  stdfs::path p(path);
  return (p.is_absolute() ? p : stdfs::path(cwd) / p).lexically_normal().string();
}

std::optional<std::string> get(const Environment& env, const std::string& key) {
  auto it = env.find(key);
  if (it == env.end()) return std::nullopt;
  return it->second;
}

// -f, else COMPOSE_FILE, else the default names in the folder or a parent.
std::vector<std::string> config_files(const LoadOptions& o, const Environment& env, const std::string& cwd,
                                      const Warn& warn) {
  std::vector<std::string> files;
  if (!o.files.empty()) {
    for (const auto& f : o.files) files.push_back(f == "-" ? f : absolute(f, cwd));
    return files;
  }
  if (auto v = get(env, "COMPOSE_FILE"); v && !v->empty())
    return split_compose_file_variable(*v, get(env, "COMPOSE_PATH_SEPARATOR").value_or(":"), cwd);
  Discovered d = find_default_files(o.project_directory ? absolute(*o.project_directory, cwd) : cwd);
  for (const auto& w : d.warnings) warn(w);
  if (d.files.empty())
    throw ComposeError("no configuration file provided: not found (looked for compose.yaml, compose.yml, "
                       "docker-compose.yml or docker-compose.yaml in " +
                       cwd + " and its parent folders)");
  return d.files;
}

// --project-directory, else the folder of the first file that is not stdin, else cwd.
std::string project_directory(const LoadOptions& o, const std::vector<std::string>& files, const std::string& cwd) {
  if (o.project_directory) return absolute(*o.project_directory, cwd);
  for (const auto& f : files)
    if (f != "-") return stdfs::path(f).parent_path().string();
  return cwd;
}

std::string read_config_file(const std::string& path, const LoadOptions& o) {
  if (path != "-") return {};  // parse_yaml_file reads it
  if (o.stdin_content) return *o.stdin_content;
  std::string text;
  constexpr std::size_t kMax = YamlLimits{}.max_bytes;
  char buf[65536];
  while (std::cin.read(buf, sizeof buf) || std::cin.gcount() > 0) {
    text.append(buf, static_cast<std::size_t>(std::cin.gcount()));
    if (text.size() > kMax) throw ComposeError("-: standard input is larger than " + std::to_string(kMax) + " bytes");
  }
  return text;
}

Lookup lookup_in(const Environment& env) {
  return [&env](const std::string& name) { return get(env, name); };
}

}  // namespace

Project load_project(const LoadOptions& o) {
  const std::string cwd = o.working_dir.empty() ? stdfs::current_path().string() : absolute(o.working_dir, "/");
  const Warn warn = once(o);
  Project project;

  // The .env of --project-directory (or cwd) may itself set COMPOSE_FILE, COMPOSE_PROFILES…
  std::string first_dir = o.project_directory ? absolute(*o.project_directory, cwd) : cwd;
  Environment env = add_env_files(o.environment, env_files_to_read(o.env_files, first_dir, cwd, o.environment));

  std::vector<std::string> files = config_files(o, env, cwd, warn);
  project.working_dir = project_directory(o, files, cwd);
  if (project.working_dir != first_dir)
    env = add_env_files(env, env_files_to_read(o.env_files, project.working_dir, cwd, o.environment));
  project.environment = env;

  Node merged = Node::map();
  for (const auto& path : files) {
    Node tree = path == "-" ? parse_yaml(read_config_file(path, o), "-") : parse_yaml_file(path);
    if (tree.is_null()) tree = Node::map(tree.mark);
    if (!tree.is_map()) throw ComposeError(tree.mark, "top-level object must be a mapping, not a " + tree.kind_name());
    if (o.interpolate) {
      InterpolationResult r = interpolate(tree, lookup_in(env), warn);
      project.variables.insert(r.variables.begin(), r.variables.end());
      tree = std::move(r.tree);
    }
    merged = merge_files(merged, tree);
    project.config_files.push_back(path);
  }

  project.name = resolve_project_name({o.project_name, get(env, "COMPOSE_PROJECT_NAME"), merged.find("name"),
                                       project.working_dir});

  NormalizeContext ctx;
  ctx.project_name = project.name;
  ctx.working_dir = project.working_dir;
  ctx.environment = env;
  ctx.resolve_paths = o.resolve_paths;
  NormalizeResult result = normalize(merged, ctx);
  project.model = std::move(result.model);
  project.unsupported = std::move(result.unsupported);
  return project;
}

}  // namespace mycompose::compose
