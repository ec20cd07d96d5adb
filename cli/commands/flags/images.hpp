#pragma once
// `mycompose images`: flags as `docker compose images --help` lists them.
#include "common.hpp"

namespace mycompose::cli::flags {

struct ImagesOptions {
  std::string format = "table";
  bool quiet = false;
  std::vector<std::string> services;
};

inline CLI::App* add_images(CLI::App& parent, ImagesOptions& o) {
  auto* cmd = parent.add_subcommand("images", "List images used by the created containers");
  cmd->add_option("--format", o.format, "Format the output. Values: [table | json]")
      ->check(kTableOrJson)->capture_default_str();
  cmd->add_flag("-q,--quiet", o.quiet, "Only display IDs");
  add_services(cmd, o.services);
  return cmd;
}

}  // namespace mycompose::cli::flags
