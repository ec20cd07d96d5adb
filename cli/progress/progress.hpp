#pragma once
// How the CLI shows what a long operation is doing, as docker compose v2 does: one event per
// step of a resource ("Container shop-db-1" Creating → Created), drawn by a Renderer chosen by
// the global --progress and --ansi flags:
//   tty    a live frame redrawn in place: "[+] Running 2/3", a line per resource with a spinner
//          (✔ done, ✘ error) and its time
//   plain  each finished line once (" ✔ Container shop-db-1  Started")
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

// What the global flags asked for (cli/global_flags.cpp fills it while parsing).
struct Settings {
  std::string progress = "auto";  // auto|tty|plain|json|quiet
  std::string ansi = "auto";      // never|always|auto
};
Settings& settings();

// auto: a terminal (and TERM is not "dumb") gets tty, anything else plain; --ansi never
// means plain and --ansi always tty, as docker compose decides.
Mode resolve_mode(const Settings& s, bool terminal);
// Colours unless --ansi never, or --ansi auto on something that is not a terminal.
bool use_colours(const Settings& s, bool terminal);

// The header's word per command: "Running" for up, "Stopping" for stop, "Removing" for rm…
std::string title_for(const std::string& verb);

// A renderer for settings() writing to stderr (as docker compose's progress does). animate:
// a tty renderer redraws on its own every 100 ms (spinner, timers) from a thread; pass false
// while this process may fork (the builder), which a second thread makes unsafe.
std::unique_ptr<Renderer> make_renderer(const std::string& title, bool animate = true);

}  // namespace mycompose::cli::progress
