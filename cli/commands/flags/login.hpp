#pragma once
// `mycompose login` / `logout`: flags as `docker login --help` / `docker logout --help` list them.
#include "common.hpp"

namespace mycompose::cli::flags {

struct LoginOptions {
  std::string username;
  std::string password;
  bool password_stdin = false;
  std::string server;  // default: Docker Hub
};

inline CLI::App* add_login(CLI::App& parent, LoginOptions& o) {
  auto* cmd = parent.add_subcommand("login", "Log in to a registry");
  cmd->add_option("-u,--username", o.username, "Username");
  cmd->add_option("-p,--password", o.password, "Password or Personal Access Token (PAT)");
  cmd->add_flag("--password-stdin", o.password_stdin, "Take the Password or Personal Access Token (PAT) from stdin");
  cmd->add_option("SERVER", o.server, "Registry (default: Docker Hub)");
  return cmd;
}

struct LogoutOptions {
  std::string server;
};

inline CLI::App* add_logout(CLI::App& parent, LogoutOptions& o) {
  auto* cmd = parent.add_subcommand("logout", "Log out from a registry");
  cmd->add_option("SERVER", o.server, "Registry (default: Docker Hub)");
  return cmd;
}

}  // namespace mycompose::cli::flags
