#include "exec_project.hpp"

#include <cstdlib>
#include <filesystem>

#include "mycompose/common/error.hpp"
#include "mycompose/compose/dotenv.hpp"
#include "mycompose/compose/project_name.hpp"
#include "project_from_labels.hpp"

namespace mycompose::cli {
namespace {

// Without compose files: the shell, then --env-file or the .env of --project-directory (or
// of the current folder), as docker compose's project options read them.
std::map<std::string, std::string> environment_without_files(const Context& ctx) {
  const auto shell = ctx.load_options().environment;
  const std::string cwd = std::filesystem::current_path().string();
  std::string dir = cwd;
  if (!ctx.global.project_directory.empty()) dir = std::filesystem::absolute(ctx.global.project_directory).string();
  return compose::add_env_files(shell, compose::env_files_to_read(ctx.global.env_files, dir, cwd, shell));
}

std::string checked_name(const std::string& raw, bool from_flag) {
  compose::ProjectNameSources sources;
  if (from_flag) sources.flag = raw;
  else sources.environment = raw;
  return compose::resolve_project_name(sources);
}

}  // namespace

ExecProject exec_project(const Context& ctx) {
  if (by_name_only(ctx)) return {checked_name(ctx.global.project_name, true), environment_without_files(ctx)};
  try {
    auto project = compose::load_project(ctx.load_options());
    return {project.name, project.environment};
  } catch (const Error&) {
    const char* env = std::getenv("COMPOSE_PROJECT_NAME");
    if (!env || !*env) throw;
    return {checked_name(env, false), environment_without_files(ctx)};
  }
}

}  // namespace mycompose::cli
