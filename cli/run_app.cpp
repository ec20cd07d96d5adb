#include "run_app.hpp"

#include <cstdio>
#include <iostream>

#include "flag_style.hpp"
#include "global_flags.hpp"
#include "mycompose/common/error.hpp"
#include "parse_dump.hpp"

namespace mycompose::cli {

int run_with(std::initializer_list<Registrar> commands, int argc, char** argv) {
  Context ctx;
  CLI::App app{"mycompose: Compose without Docker — define and run multi-container applications", "mycompose"};
  app.require_subcommand(1);
  app.fallthrough();  // global flags may also follow the subcommand name
  add_global_flags(app, ctx.global);
  const bool dump_parse = parse_dump_requested();  // test hook: parse only
  for (Registrar r : commands) r(app, ctx);
  use_docker_flag_style(app);
  if (dump_parse) disarm_callbacks(app);
  try {
    std::vector<std::string> args = with_empty_values(app, argc, argv);
    std::vector<char*> cargs;
    for (auto& a : args) cargs.push_back(a.data());
    app.parse(static_cast<int>(cargs.size()), cargs.data());
    if (dump_parse) print_parse_dump(app, std::cout);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const Error& e) {
    std::fflush(stdout);
    std::cout << std::flush;
    // No message: only the status (a cancelled build's 130, as docker compose's StatusError).
    if (*e.what()) std::cerr << "error: " << e.what() << "\n";
    return e.exit_code();
  } catch (const std::exception& e) {
    std::fflush(stdout);
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return ctx.exit_code;
}

}  // namespace mycompose::cli
