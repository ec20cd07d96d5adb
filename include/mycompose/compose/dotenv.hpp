#pragma once
// Stage "dotenv": `.env` and `--env-file` files → variables for interpolation.
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mycompose/compose/interpolation.hpp"

namespace mycompose::compose {

using EnvPairs = std::vector<std::pair<std::string, std::string>>;  // in file order

// Parses one env file: `KEY=value`, `export KEY=value`, `KEY: value`, `# comments`,
// inline ` # comments` after unquoted values, 'single quotes' literal, "double quotes"
// with \n \r \t \\ \" \$ escapes (and spanning lines). Unquoted and double-quoted values
// expand ${VAR} from `shell` first, then keys defined earlier in this file, then `before`
// (earlier env files). `KEY` alone takes its value the same way (dropped when unset).
// The values are the file's own: making the shell win is the caller's business.
// Errors are ComposeError at file:line:col.
EnvPairs parse_dotenv(std::string_view text, const std::string& filename, const Lookup& shell,
                      const Lookup& before = {});

// Reads and parses the files in order; a later file overrides and sees the variables of
// earlier ones. A missing file is an error naming it.
EnvPairs read_env_files(const std::vector<std::string>& paths, const Lookup& shell);

}  // namespace mycompose::compose

namespace mycompose::compose {

using Environment = std::map<std::string, std::string>;

// The env files a project reads: `explicit_files` (--env-file, relative to `cwd`), else
// `<dir>/.env` when it exists, unless COMPOSE_DISABLE_ENV_FILE is true in `shell`;
// COMPOSE_ENV_FILES (comma-separated) stands for --env-file when that is not given.
std::vector<std::string> env_files_to_read(const std::vector<std::string>& explicit_files, const std::string& dir,
                                           const std::string& cwd, const Environment& shell);

// `base` plus the variables of `files` that `base` does not define (the shell wins).
Environment add_env_files(const Environment& base, const std::vector<std::string>& files);

}  // namespace mycompose::compose

namespace mycompose::compose {

// A COMPOSE_* switch of the project's environment (shell over .env), read the way docker
// compose reads it (Go's strconv.ParseBool; anything else is false); `fallback` when unset.
bool env_switch(const Environment& env, const std::string& name, bool fallback);

}  // namespace mycompose::compose
