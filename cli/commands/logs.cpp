// `mycompose logs [SERVICE…]`: the project's container output from the engine's json-file
// logs, printed as docker compose prints it ("web-1  | hello").
#include <iostream>

#include "attach.hpp"
#include "commands.hpp"
#include "project_from_labels.hpp"
#include "flags/logs.hpp"
#include "log_printer.hpp"

namespace mycompose::cli {

void register_logs(CLI::App& app, Context& ctx) {
  static flags::LogsOptions o;
  auto* cmd = flags::add_logs(app, o);
  cmd->callback([&ctx] {
    auto project = project_or_name(ctx, o.services);
    const nlohmann::json options = {{"services", o.services}, {"index", o.index}, {"follow", o.follow},
                                    {"tail", o.tail},         {"since", o.since}, {"until", o.until}};
    LogPrinter printer(std::cout, std::cerr, {use_color(o.no_color, ctx.global.ansi), !o.no_log_prefix, o.timestamps});
    print_logs(project, options, printer);
  });
}

}  // namespace mycompose::cli
