#pragma once
// Shared by the lifecycle commands (ps, ls, top, stats, port, wait, events, rm…): the
// project a command is about, the engine's JSON answers, and tables laid out as Go's
// text/tabwriter lays out docker's.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "context.hpp"
#include "engine_client.hpp"

namespace mycompose::cli {

// The whole project from the compose files (services are selected by the engine, which
// needs every service to order them). Commands docker compose runs by name alone use
// project_or_name (project_from_labels.hpp) instead.
compose::Project load_whole_project(const Context& ctx);
// Only the project's name, as docker compose's projectOrName finds it (-p alone is enough).
std::string project_name(const Context& ctx);

// The engine of MYCOMPOSE_ROOT (started on demand).
EngineClient connect_engine();
// GET on the engine; an error status throws Error with the engine's message.
nlohmann::json engine_get(const std::string& target);

// Columns as tabwriter.NewWriter(out, min_width, 1, padding, ' ', 0): each cell but the
// last of a row padded to max(min_width, widest + padding); widths count characters (UTF-8).
std::string render_table(const std::vector<std::vector<std::string>>& rows, std::size_t min_width = 10, std::size_t padding = 3);

// docker's Ellipsis: at most `max` characters, the last one "…" when cut.
std::string ellipsis(const std::string& s, std::size_t max);
// Go's strconv.Quote for printable text.
std::string go_quote(const std::string& s);

// Asks on the terminal; true only for y/yes. No terminal or EOF: false.
bool confirm(const std::string& question);

}  // namespace mycompose::cli
