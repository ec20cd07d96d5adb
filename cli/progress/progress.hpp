#pragma once
// How the CLI shows what a long operation is doing, as docker compose v2 does: one event per
// step of a resource ("Container shop-db-1" Creating → Created), drawn by a Renderer chosen by
// the global --progress and --ansi flags:
//   tty    a live frame redrawn in place: "[+] Running 2/3", a line per resource with a spinner
//          (✔ done, ✘ error) and its time
//   plain  every event as a line of docker compose's plain mode (" Container shop-db-1  Started"):
//          no symbols, no colours, nothing redrawn
//   json   one JSON object per event ({"id", "text", "status"} as docker compose's)
//   quiet  nothing
#include <iosfwd>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

namespace mycompose::cli::progress {

enum class State { Working, Done, Error, Warning };

struct Event {
  std::string id;      // "Container shop-db-1", "Service web"; "" for a warning about nothing in particular
  std::string status;  // Creating Created Starting Started Pulling Pulled Built Error …
  State state = State::Done;
  std::string text;    // a warning's or an error's message

  // The engine's stream line {"id", "status", "state": "working|done|error|warning", "text"}.
  static Event from_json(const nlohmann::json& j);
};

class Renderer {
 public:
  virtual ~Renderer() = default;
  virtual void event(const Event& e) = 0;
  // The operation is over (whether or not it worked): the last frame is drawn, nothing moves
  // any more. Idempotent.
  virtual void finish() {}
};

enum class Mode { Tty, Plain, Json, Quiet };

// What the global flags asked for (cli/global_flags.cpp fills it while parsing); "" = not
// given: COMPOSE_PROGRESS / COMPOSE_ANSI, else auto.
struct Settings {
  std::string progress;  // auto|tty|plain|json|quiet|none
  std::string ansi;      // never|always|auto
};
Settings& settings();
// The value in force: the flag, else its variable, else "auto".
std::string progress_value(const Settings& s);
std::string ansi_value(const Settings& s);

// As docker compose decides: auto is tty on a terminal (stderr) unless --ansi never, plain
// otherwise. Throws Error for what docker compose refuses (--progress tty with --ansi never,
// plain with --ansi always, an unknown value).
Mode resolve_mode(const Settings& s, bool terminal);
// Colours unless --ansi never or NO_COLOR, or --ansi auto on something that is not a terminal.
bool use_colours(const Settings& s, bool terminal);

// The header's word per command: "Running" for up, "Stopping" for stop, "Removing" for rm…
std::string title_for(const std::string& verb);

// A renderer for settings() writing to stderr (as docker compose's progress does). animate:
// a tty renderer redraws on its own every 100 ms (spinner, timers) from a thread; pass false
// while this process may fork (the builder), which a second thread makes unsafe.
std::unique_ptr<Renderer> make_renderer(const std::string& title, bool animate = true);

}  // namespace mycompose::cli::progress
