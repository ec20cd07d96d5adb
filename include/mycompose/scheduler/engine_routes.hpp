#pragma once
// The engine's project API (installed with daemon::add_engine_extension):
//
//   POST /projects/{name}/up    {"project": P, "options": {...}}  → NDJSON progress
//   POST /projects/{name}/down  {"project": P, "options": {...}}  → NDJSON progress
//
// P is {"name", "working_dir", "config_files", "model"} (model: what `config --format json`
// prints). Each stream ends with {"status": "done"} or {"error": message}. The Converger runs
// on a libuv worker thread, one project operation at a time; the embedded DNS server lives on
// the engine's loop and learns endpoints through the Converger's hooks.
namespace mycompose::scheduler {

// Registers the extension (once; later calls do nothing). The `engine` command calls it.
void enable_project_routes();

}  // namespace mycompose::scheduler
