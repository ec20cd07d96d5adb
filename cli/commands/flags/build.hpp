#pragma once
// `mycompose build`: flags as `docker compose build --help` lists them.
#include "common.hpp"

namespace mycompose::cli::flags {

struct BuildOptions {
  std::vector<std::string> build_args;  // KEY=VALUE or KEY
  std::string builder;
  bool check = false;
  std::string memory;  // byte size
  bool no_cache = false;
  bool print = false;
  std::string provenance;
  bool pull = false;
  bool push = false;
  bool quiet = false;
  std::string sbom;
  std::string ssh;
  bool ssh_given = false;
  std::vector<std::string> secrets;  // id=ID,src=FILE | id=ID,env=VAR
  bool with_dependencies = false;
  std::vector<std::string> services;
};

inline CLI::App* add_build(CLI::App& parent, BuildOptions& o) {
  auto* cmd = parent.add_subcommand("build", "Build or rebuild services");
  cmd->add_option("--build-arg", o.build_args, "Set build-time variables for services");
  cmd->add_option("--builder", o.builder, "Set builder to use");
  cmd->add_flag("--check", o.check, "Check build configuration");
  cmd->add_option("-m,--memory", o.memory, "Set memory limit for the build container. Not supported by BuildKit.")
      ->check(kByteSize);
  cmd->add_flag("--no-cache", o.no_cache, "Do not use cache when building the image");
  cmd->add_flag("--print", o.print, "Print equivalent bake file");
  cmd->add_option("--provenance", o.provenance, "Add a provenance attestation");
  cmd->add_flag("--pull", o.pull, "Always attempt to pull a newer version of the image");
  cmd->add_flag("--push", o.push, "Push service images");
  cmd->add_flag("-q,--quiet", o.quiet, "Don't print anything to STDOUT");
  cmd->add_option("--sbom", o.sbom, "Add a SBOM attestation");
  // Given as "" it still asks for the default agent (as docker compose does): remember that it was given.
  cmd->add_option("--ssh",
                  "Set SSH authentications used when building service images. "
                  "(use 'default' for using your default SSH Agent)")
      ->each([&o](const std::string& v) {
        o.ssh = v;
        o.ssh_given = true;
      });
  cmd->add_option("--secret", o.secrets,
                  "Secret to expose to the build (id=ID,src=FILE or id=ID,env=VAR), for RUN --mount=type=secret");
  cmd->add_flag("--with-dependencies", o.with_dependencies, "Also build dependencies (transitively)");
  add_services(cmd, o.services);
  return cmd;
}

}  // namespace mycompose::cli::flags
