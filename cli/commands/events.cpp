// `mycompose events [--json] [--since T] [--until T]`: the project's container events (the
// engine's recent ones from --since on, then as they happen, until --until), in docker
// compose's line format ("2026-11-26 01:02:03.456789 container start <id> (name=…, …)").
#include <iostream>

#include "commands.hpp"
#include "container_table.hpp"
#include "flags/events.hpp"
#include "mycompose/common/error.hpp"
#include "mycompose/daemon/http.hpp"
#include "project_from_labels.hpp"

namespace mycompose::cli {

namespace {

// "2026-11-26T01:02:03.456789123Z" → "2026-11-26 01:02:03.456789".
std::string event_time(const std::string& rfc3339) {
  if (rfc3339.size() < 26) return rfc3339;
  std::string t = rfc3339.substr(0, 26);
  t[10] = ' ';
  return t;
}

}  // namespace

void register_events(CLI::App& app, Context& ctx) {
  static flags::EventsOptions o;
  auto* cmd = flags::add_events(app, o);
  cmd->callback([&ctx] {
    // The project's file names its services: docker compose refuses one it does not have.
    std::string name;
    if (o.services.empty() || by_name_only(ctx)) {
      name = project_name(ctx);
    } else {
      const compose::Project project = project_or_name(ctx, o.services);
      name = project.name;
      const auto defined = project.model.value("services", nlohmann::ordered_json::object());
      for (const auto& s : o.services)
        if (!defined.contains(s)) throw Error("no such service: " + s);
    }
    std::string services;
    for (const auto& s : o.services) services += (services.empty() ? "" : ",") + s;
    std::string query;
    auto add = [&query](const std::string& key, const std::string& value) {
      if (!value.empty()) query += (query.empty() ? "?" : "&") + key + "=" + daemon::http::percent_encode(value);
    };
    add("services", services);
    add("since", o.since);  // the engine reads them as `logs --since` does
    add("until", o.until);
    const std::string target = "/projects/" + name + "/events" + query;
    connect_engine().stream("GET", target, [](const nlohmann::json& e) {
      if (o.json) {
        std::cout << e.dump() << std::endl;
        return true;
      }
      std::string attrs;
      const nlohmann::json attributes = e.value("attributes", nlohmann::json::object());
      for (const auto& [k, v] : attributes.items())
        attrs += (attrs.empty() ? "" : ", ") + k + "=" + (v.is_string() ? v.get<std::string>() : v.dump());
      std::cout << event_time(e.value("time", "")) << " container " << e.value("action", "") << " " << e.value("id", "") << " (" << attrs
                << ")" << std::endl;
      return true;
    });
  });
}

}  // namespace mycompose::cli
