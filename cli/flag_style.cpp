#include "flag_style.hpp"

namespace mycompose::cli {

void use_docker_flag_style(CLI::App& app) {
  for (CLI::Option* opt : app.get_options([](CLI::Option*) { return true; }))
    if (!opt->get_positional() && opt->get_expected_max() > 1) opt->allow_extra_args(false);
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) use_docker_flag_style(*sub);
}

}  // namespace mycompose::cli
