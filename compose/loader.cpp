// The loader pipeline. Each step is a pure stage in its own file; this file only wires them:
//   dotenv → discovery → per file: yaml → interpolation → include → extends
//   → merge (+ unicity) → project name → profiles → normalize (validate + canonical model).
#include "mycompose/compose/loader.hpp"

#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <iterator>
#include <map>
#include <optional>
#include <set>

#include "mycompose/compose/discovery.hpp"
#include "mycompose/compose/dotenv.hpp"
#include "mycompose/compose/error.hpp"
#include "mycompose/compose/extends.hpp"
#include "mycompose/compose/include.hpp"
#include "mycompose/compose/interpolation.hpp"
#include "mycompose/compose/merge.hpp"
#include "mycompose/compose/normalize.hpp"
#include "mycompose/compose/paths.hpp"
#include "mycompose/compose/profiles.hpp"
#include "mycompose/compose/project_name.hpp"
#include "mycompose/compose/yaml.hpp"
#include "mycompose/common/warning.hpp"

namespace mycompose::compose {
namespace stdfs = std::filesystem;
namespace {

using Warn = std::function<void(const std::string&)>;

// Each distinct warning once per load (an unset variable is met in many places).
Warn once(const LoadOptions& o) {
  auto seen = std::make_shared<std::set<std::string>>();
  Warn sink = o.warn ? o.warn : Warn([](const std::string& m) { print_warning(m); });
  return [seen, sink](const std::string& m) {
    if (seen->insert(m).second) sink(m);
  };
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
    for (const auto& f : o.files) files.push_back(f == "-" ? f : absolute_from(f, cwd));
    return files;
  }
  if (auto v = get(env, "COMPOSE_FILE"); v && !v->empty())
    return split_compose_file_variable(*v, get(env, "COMPOSE_PATH_SEPARATOR").value_or(":"), cwd);
  Discovered d = find_default_files(o.project_directory ? absolute_from(*o.project_directory, cwd) : cwd);
  for (const auto& w : d.warnings) warn(w);
  if (d.files.empty())
    throw ComposeError("no configuration file provided: not found (looked for compose.yaml, compose.yml, "
                       "docker-compose.yml or docker-compose.yaml in " +
                       cwd + " and its parent folders)");
  return d.files;
}

// --project-directory, else the folder of the first file that is not stdin, else cwd.
std::string project_directory(const LoadOptions& o, const std::vector<std::string>& files, const std::string& cwd) {
  if (o.project_directory) return absolute_from(*o.project_directory, cwd);
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

// An included file's secrets and configs with `environment: X` where X comes from the
// include's own env files (not the project's environment): the value becomes `content`,
// as compose-go resolves them, since the project's environment will not have it.
void inline_environment_sources(Node& tree, const Environment& included_env, const Environment& project_env) {
  for (const char* section : {"secrets", "configs"}) {
    Node* defs = tree.find(section);
    if (!defs || !defs->is_map()) continue;
    for (auto& e : defs->entries) {
      Node* var = e.value.is_map() ? e.value.find("environment") : nullptr;
      if (!var || !var->is_scalar() || project_env.count(var->value)) continue;
      auto it = included_env.find(var->value);
      if (it == included_env.end()) continue;
      Mark at = var->mark;
      e.value.erase("environment");
      e.value.set("content", Node::scalar(it->second, at, true), at);
    }
  }
}

// The per-file stages: yaml → interpolation → include → extends.
class FileStages {
 public:
  FileStages(const LoadOptions& o, const Warn& warn, Project& project) : o_(o), warn_(warn), project_(project) {}

  // The top-level files, parsed before interpolation: their `name:` gives the project name,
  // which interpolation sees as COMPOSE_PROJECT_NAME (as compose-go sets it).
  const Node& raw(const std::string& path) {
    auto it = raw_.find(path);
    if (it == raw_.end()) it = raw_.emplace(path, parse(path)).first;
    return it->second;
  }

  Node load(const std::string& path, const Environment& env, std::vector<std::string>& chain) {
    Node tree = parsed(path, env);
    chain.push_back(path);
    tree = includes(tree, path, env, chain);
    tree = resolve_extends(tree, path, [&](const std::string& p) { return parsed(p, env); });
    chain.pop_back();
    return tree;
  }

  // Services an include brought in, with that include's environment.
  const std::map<std::string, Environment>& service_environments() const { return service_environments_; }

 private:
  Node parse(const std::string& path) {
    Node tree = path == "-" ? parse_yaml(read_config_file(path, o_), "-") : parse_yaml_file(path);
    if (tree.is_null()) tree = Node::map(tree.mark);
    if (!tree.is_map()) throw ComposeError(tree.mark, "top-level object must be a mapping, not a " + tree.kind_name());
    // As compose-go: once per file that has it, named by the file's path.
    if (tree.find("version"))
      warn_(path + ": the attribute `version` is obsolete, it will be ignored, please remove it to avoid potential confusion");
    return tree;
  }

  Node parsed(const std::string& path, const Environment& env) {
    auto cached = raw_.find(path);
    Node tree = cached != raw_.end() ? cached->second : parse(path);
    if (!o_.interpolate) return tree;
    InterpolationResult r = interpolate(tree, lookup_in(env), warn_);
    project_.variables.insert(r.variables.begin(), r.variables.end());
    return std::move(r.tree);
  }

  Node includes(Node tree, const std::string& path, const Environment& env, std::vector<std::string>& chain) {
    const Node* inc = tree.find("include");
    if (!inc) return tree;
    std::string dir = path == "-" ? project_.working_dir : stdfs::path(path).parent_path().string();
    for (const IncludeEntry& entry : parse_include(*inc, dir)) {
      std::vector<std::string> env_files = entry.env_files_given
                                               ? entry.env_files
                                               : env_files_to_read({}, entry.project_directory, dir, o_.environment);
      Environment included_env = add_env_files(env, env_files);
      Node merged = Node::map(entry.mark);
      for (const auto& p : entry.paths) {
        if (std::string cycle = include_cycle(chain, p); !cycle.empty())
          throw ComposeError(entry.mark, "include cycle: " + cycle);
        merged = merge_files(merged, load(p, included_env, chain));
      }
      merged = resolve_document_paths(merged, entry.project_directory);
      inline_environment_sources(merged, included_env, env);
      // The innermost include of a service wins: it was recorded first.
      if (const Node* services = merged.find("services"); services && services->is_map())
        for (const auto& s : services->entries) service_environments_.emplace(s.key, included_env);
      tree = merge_included(tree, merged, entry);
    }
    tree.erase("include");
    return tree;
  }

  const LoadOptions& o_;
  const Warn& warn_;
  Project& project_;
  std::map<std::string, Node> raw_;
  std::map<std::string, Environment> service_environments_;
};

// The top-level `name:` of the last file that has one, interpolated.
std::optional<Node> file_name_key(FileStages& stages, const std::vector<std::string>& files, const Environment& env,
                                  bool interpolate) {
  std::optional<Node> name;
  for (const auto& path : files)
    if (const Node* n = stages.raw(path).find("name"); n && !n->is_null()) {
      name = *n;
      if (interpolate && n->is_scalar()) name->value = substitute(n->value, lookup_in(env));
    }
  return name;
}

}  // namespace

Project load_project(const LoadOptions& o) {
  const std::string cwd = o.working_dir.empty() ? stdfs::current_path().string() : absolute_from(o.working_dir, "/");
  const Warn warn = once(o);
  Project project;

  // The .env of --project-directory (or cwd) may itself set COMPOSE_FILE, COMPOSE_PROFILES…
  std::string first_dir = o.project_directory ? absolute_from(*o.project_directory, cwd) : cwd;
  Environment env = add_env_files(o.environment, env_files_to_read(o.env_files, first_dir, cwd, o.environment));

  std::vector<std::string> files = config_files(o, env, cwd, warn);
  project.working_dir = project_directory(o, files, cwd);
  if (project.working_dir != first_dir)
    env = add_env_files(env, env_files_to_read(o.env_files, project.working_dir, cwd, o.environment));

  FileStages stages(o, warn, project);
  std::optional<Node> name_key = file_name_key(stages, files, env, o.interpolate);
  project.name = resolve_project_name({o.project_name, get(env, "COMPOSE_PROJECT_NAME"),
                                       name_key ? &*name_key : nullptr, project.working_dir});
  env["COMPOSE_PROJECT_NAME"] = project.name;
  project.environment = env;

  Node merged = Node::map();
  for (const auto& path : files) {
    std::vector<std::string> chain;
    merged = merge_files(merged, stages.load(path, env, chain));
    project.config_files.push_back(path);
  }
  merged = enforce_unicity(merged);

  std::vector<std::string> profiles = o.profiles;
  if (profiles.empty()) profiles = split_profiles(get(env, "COMPOSE_PROFILES").value_or(""));
  ProfilesResult enabled = apply_profiles(merged, profiles, o.services);
  project.profiles = enabled.active;

  NormalizeContext ctx;
  ctx.project_name = project.name;
  ctx.working_dir = project.working_dir;
  ctx.environment = env;
  ctx.service_environments = stages.service_environments();
  ctx.resolve_paths = o.resolve_paths;
  ctx.disabled_services = std::move(enabled.disabled);
  ctx.normalize = o.normalize;
  ctx.consistency = o.consistency;
  ctx.all_resources = o.all_resources;
  ctx.interpolate = o.interpolate;
  ctx.resolve_env_files = o.resolve_environment;
  ctx.selected_services = o.services;
  NormalizeResult result = normalize(enabled.document, ctx);
  for (const auto& w : result.warnings) warn(w);
  project.model = std::move(result.model);
  project.unsupported = std::move(result.unsupported);
  return project;
}

}  // namespace mycompose::compose
