// `mycompose stats [--no-stream]`: CPU %, memory, network and block I/O and PIDs of the
// project's containers, as docker stats shows them. CPU % is the container's share of the
// host's CPU time between two samples, times the number of CPUs (docker's formula).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <thread>

#include "commands.hpp"
#include "container_table.hpp"
#include "flags/stats.hpp"
#include "mycompose/common/error.hpp"

namespace mycompose::cli {

namespace {

std::string cpu_percent(const nlohmann::json& now, const nlohmann::json* before) {
  double perc = 0;
  if (before) {
    const double cpu = now.value("cpu_ns", 0.0) - before->value("cpu_ns", 0.0);
    const double system = now.value("system_ns", 0.0) - before->value("system_ns", 0.0);
    if (cpu > 0 && system > 0) perc = cpu / system * now.value("online_cpus", 1.0) * 100.0;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f%%", perc);
  return buf;
}

}  // namespace

void register_stats(CLI::App& app, Context& ctx) {
  static flags::StatsOptions o;
  auto* cmd = flags::add_stats(app, o);
  cmd->callback([&ctx] {
    const std::string format = o.format.empty() ? "table" : o.format;
    if (format != "table" && format != "json") throw Error("mycompose stats --format " + format + ": only table and json are supported");
    const std::string target = "/projects/" + project_name(ctx) + "/stats";
    std::map<std::string, nlohmann::json> previous;
    auto sample = [&] {
      std::vector<nlohmann::json> out;
      for (const auto& s : engine_get(target)) {
        if (!o.service.empty() && s.value("Service", "") != o.service) continue;
        if (!o.all && s.value("State", "") != "running" && s.value("State", "") != "paused") continue;
        out.push_back(s);
      }
      return out;
    };
    // The first figures need a sample before them.
    for (const auto& s : sample()) previous[s.value("ID", "")] = s;
    const bool tty = ::isatty(STDOUT_FILENO);
    for (;;) {
      std::this_thread::sleep_for(std::chrono::milliseconds(o.no_stream ? 500 : 1000));
      std::vector<std::vector<std::string>> rows = {{"CONTAINER ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %", "NET I/O", "BLOCK I/O", "PIDS"}};
      std::string json_lines;
      for (const auto& s : sample()) {
        const std::string id = s.value("ID", "");
        auto before = previous.find(id);
        const std::string cpu = cpu_percent(s, before == previous.end() ? nullptr : &before->second);
        previous[id] = s;
        const std::string shown_id = o.no_trunc ? id : id.substr(0, 12);
        rows.push_back({shown_id, s.value("Name", ""), cpu, s.value("MemUsage", ""), s.value("MemPerc", ""), s.value("NetIO", ""),
                        s.value("BlockIO", ""), s.value("PIDs", "")});
        json_lines += nlohmann::json{{"BlockIO", s.value("BlockIO", "")}, {"CPUPerc", cpu}, {"Container", shown_id},
                                     {"ID", shown_id}, {"MemPerc", s.value("MemPerc", "")}, {"MemUsage", s.value("MemUsage", "")},
                                     {"Name", s.value("Name", "")}, {"NetIO", s.value("NetIO", "")}, {"PIDs", s.value("PIDs", "")}}
                          .dump() +
                      "\n";
      }
      if (!o.no_stream && tty) std::cout << "\033[2J\033[H";  // redraw in place, as docker stats does
      std::cout << (format == "json" ? json_lines : render_table(rows)) << std::flush;
      if (o.no_stream) return;
    }
  });
}

}  // namespace mycompose::cli
