#include "parse_dump.hpp"

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <ostream>

namespace mycompose::cli {
namespace {

// get_name() is empty for hidden options, so name them ourselves: long name, else short.
std::string option_key(const CLI::Option* opt) {
  if (!opt->get_lnames().empty()) return "--" + opt->get_lnames().front();
  if (!opt->get_snames().empty()) return "-" + opt->get_snames().front();
  return opt->get_single_name();
}

void add_given(const CLI::App& cmd, nlohmann::json& options, nlohmann::json& positionals) {
  for (const CLI::Option* opt : cmd.get_options()) {
    if (opt->count() == 0) continue;
    (opt->get_positional() ? positionals : options)[option_key(opt)] = opt->results();
  }
}

}  // namespace

bool parse_dump_requested() {
  const char* v = std::getenv("MYCOMPOSE_DEBUG_PARSE");
  return v && *v && std::string(v) != "0";
}

void disarm_callbacks(CLI::App& app) {
  app.callback(nullptr);
  app.parse_complete_callback(nullptr);
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) disarm_callbacks(*sub);
}

void print_parse_dump(const CLI::App& app, std::ostream& out) {
  nlohmann::json dump = {{"command", nlohmann::json::array()},
                         {"global", nlohmann::json::object()},
                         {"options", nlohmann::json::object()},
                         {"positionals", nlohmann::json::object()}};
  nlohmann::json unused;
  add_given(app, dump["global"], unused);
  const CLI::App* cmd = &app;
  for (;;) {
    auto parsed = cmd->get_subcommands();
    if (parsed.empty()) break;
    cmd = parsed.front();
    dump["command"].push_back(cmd->get_name());
  }
  if (cmd != &app) add_given(*cmd, dump["options"], dump["positionals"]);
  out << dump.dump() << "\n";
}

}  // namespace mycompose::cli
