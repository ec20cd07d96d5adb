#include "global_flags.hpp"

#include <unistd.h>

#include <cstdio>

#include "mycompose/common/error.hpp"
#include "progress/progress.hpp"

namespace mycompose::cli {

void add_global_flags(CLI::App& app, GlobalOptions& g) {
  app.add_option("-f,--file", g.files, "Compose configuration files")->type_name("FILE");
  app.add_option("-p,--project-name", g.project_name, "Project name");
  app.add_option("--project-directory", g.project_directory,
                 "Specify an alternate working directory (default: the path of the first specified Compose file)");
  app.add_option("--workdir", g.workdir, "DEPRECATED! USE --project-directory INSTEAD.")->group("");
  app.add_option("--profile", g.profiles, "Specify a profile to enable");
  app.add_option("--env-file", g.env_files, "Specify an alternate environment file");
  app.add_option("--ansi", g.ansi, "Control when to print ANSI control characters")
      ->check(CLI::IsMember({"never", "always", "auto"}))
      ->each([](const std::string& v) { progress::settings().ansi = v; });
  // Checked once parsing is done (below), with --ansi and the COMPOSE_ variables, in docker
  // compose's words.
  app.add_option("--progress", g.progress, "Set type of progress output (auto, tty, plain, json, quiet)")
      ->each([](const std::string& v) { progress::settings().progress = v; });
  app.add_flag("--verbose", g.verbose, "Show more output");
  app.add_flag("--dry-run", g.dry_run, "Execute command in dry run mode");
  app.add_option("--parallel", g.parallel, "Control max parallelism, -1 for unlimited");
  app.add_flag("--compatibility", g.compatibility, "Run compose in backward compatibility mode");
  app.add_flag("--all-resources", g.all_resources, "Include all resources, even those not used by services");
  // As docker compose's PersistentPreRunE: every command refuses a bad --progress/--ansi
  // pair, but `runtime` (the engine's own entry) reads no progress settings.
  app.parse_complete_callback([&app, &g] {
    for (const CLI::App* sub : app.get_subcommands())
      if (sub->get_name() == "runtime") return;
    // Refused rather than ignored: a command asked to change nothing must not run for real
    // (`down -v --dry-run` would delete volumes).
    if (g.dry_run) throw Error("--dry-run is not supported yet: nothing was done");
    if (!g.workdir.empty()) {
      if (!g.project_directory.empty())
        throw Error("cannot specify DEPRECATED \"--workdir\" and \"--project-directory\". Please use only \"--project-directory\" instead");
      g.project_directory = g.workdir;
      std::fputs("option '--workdir' is DEPRECATED at root level! Please use '--project-directory' instead.\n", stderr);
    }
    progress::resolve_mode(progress::settings(), ::isatty(STDERR_FILENO));
  });
}

}  // namespace mycompose::cli
