#include "mycompose/cli/app.hpp"

#include <cstdio>
#include <iostream>
#include <string_view>

#include "commands/commands.hpp"
#include "context.hpp"
#include "flag_style.hpp"
#include "parse_dump.hpp"
#include "mycompose/common/error.hpp"

namespace mycompose::cli {
namespace {

void add_global_flags(CLI::App& app, GlobalOptions& g) {
  app.add_option("-f,--file", g.files, "Compose configuration files")->type_name("FILE");
  app.add_option("-p,--project-name", g.project_name, "Project name");
  app.add_option("--project-directory", g.project_directory,
                 "Specify an alternate working directory (default: the path of the first specified Compose file)");
  app.add_option("--profile", g.profiles, "Specify a profile to enable");
  app.add_option("--env-file", g.env_files, "Specify an alternate environment file");
  app.add_option("--ansi", g.ansi, "Control when to print ANSI control characters")
      ->check(CLI::IsMember({"never", "always", "auto"}));
  app.add_option("--progress", g.progress, "Set type of progress output")
      ->check(CLI::IsMember({"auto", "tty", "plain", "json", "quiet"}));
  app.add_flag("--dry-run", g.dry_run, "Execute command in dry run mode");
  app.add_option("--parallel", g.parallel, "Control max parallelism, -1 for unlimited");
  app.add_flag("--compatibility", g.compatibility, "Run compose in backward compatibility mode");
  app.add_flag("--all-resources", g.all_resources, "Include all resources, even those not used by services");
}

}  // namespace

int run(int argc, char** argv) {
  Context ctx;
  CLI::App app{"mycompose: Compose without Docker — define and run multi-container applications", "mycompose"};
  app.require_subcommand(1);
  app.fallthrough();  // global flags may also follow the subcommand name
  add_global_flags(app, ctx.global);
  const bool dump_parse = parse_dump_requested();  // test hook: parse only
  // `mycompose runtime …` starts containers (also for the engine): building the other
  // commands' hundreds of options would cost ~3 ms per container start.
  if (argc > 1 && std::string_view(argv[1]) == "runtime" && !dump_parse) {
    register_runtime(app, ctx);
  } else {
    for (Registrar r : {register_config, register_version, register_image, register_runtime, register_build, register_pull, register_push,
                          register_images, register_login, register_logout, register_engine, register_not_yet}) r(app, ctx);
  }
  use_docker_flag_style(app);
  if (dump_parse) disarm_callbacks(app);
  try {
    app.parse(argc, argv);
    if (dump_parse) print_parse_dump(app, std::cout);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const Error& e) {
    std::fflush(stdout);
    std::cerr << "error: " << e.what() << "\n";
    return e.exit_code();
  } catch (const std::exception& e) {
    std::fflush(stdout);
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return ctx.exit_code;
}

}  // namespace mycompose::cli
