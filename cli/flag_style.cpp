#include "flag_style.hpp"

namespace mycompose::cli {

void use_docker_flag_style(CLI::App& app) {
  for (CLI::Option* opt : app.get_options([](CLI::Option*) { return true; }))
    if (!opt->get_positional() && opt->get_expected_max() > 1) opt->allow_extra_args(false);
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) use_docker_flag_style(*sub);
}

namespace {

// The option `name` ("--x", "-x") of `app` or, where flags fall through, of its parents.
CLI::Option* find_option(CLI::App* app, const std::string& name) {
  for (; app; app = app->get_parent()) {
    if (CLI::Option* o = app->get_option_no_throw(name)) return o;
    if (!app->get_fallthrough()) break;
  }
  return nullptr;
}

bool takes_value(const CLI::Option* o) { return o && o->get_type_size_max() > 0 && o->get_expected_max() > 0; }

CLI::App* subcommand_named(CLI::App* app, const std::string& name) {
  for (CLI::App* sub : app->get_subcommands([](CLI::App*) { return true; }))
    if (sub->check_name(name)) return sub;
  return nullptr;
}

}  // namespace

std::vector<std::string> with_empty_values(CLI::App& app, int argc, char** argv) {
  std::vector<std::string> out;
  CLI::App* at = &app;
  int i = 0;
  if (argc > 0) out.emplace_back(argv[i++]);
  for (; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--") break;
    if (arg.size() > 2 && arg.starts_with("--")) {
      const auto eq = arg.find('=');
      const std::string name = arg.substr(0, eq);
      CLI::Option* o = find_option(at, name);
      if (eq == arg.size() - 1 && takes_value(o)) {
        out.push_back(name);
        out.emplace_back();
        continue;
      }
      out.push_back(arg);
      if (eq == std::string::npos && takes_value(o) && i + 1 < argc) out.emplace_back(argv[++i]);
      continue;
    }
    if (arg.size() > 1 && arg[0] == '-') {
      out.push_back(arg);
      // `-e VALUE`; `-eVALUE` and grouped flags carry their own.
      if (arg.size() == 2 && takes_value(find_option(at, arg)) && i + 1 < argc) out.emplace_back(argv[++i]);
      continue;
    }
    out.push_back(arg);
    if (CLI::App* sub = subcommand_named(at, arg)) at = sub;
    else if (at->get_positionals_at_end() || at->get_prefix_command()) {
      ++i;
      break;  // the rest is the container's command
    }
  }
  for (; i < argc; ++i) out.emplace_back(argv[i]);
  return out;
}

}  // namespace mycompose::cli
