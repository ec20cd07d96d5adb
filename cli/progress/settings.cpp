// Apart from the renderers: the small launcher's global flags write these, and must not pull
// the renderers (and their thread) into it.
#include <cstdlib>

#include "mycompose/common/error.hpp"
#include "progress/progress.hpp"

namespace mycompose::cli::progress {

Settings& settings() {
  static Settings s;
  return s;
}

namespace {

// A flag wins over its variable (COMPOSE_PROGRESS, COMPOSE_ANSI), as docker compose has it.
std::string flag_or_env(const std::string& flag, const char* env) {
  if (!flag.empty()) return flag;
  const char* v = std::getenv(env);
  return v && *v ? v : "auto";
}

}  // namespace

std::string progress_value(const Settings& s) { return flag_or_env(s.progress, "COMPOSE_PROGRESS"); }
std::string ansi_value(const Settings& s) { return flag_or_env(s.ansi, "COMPOSE_ANSI"); }

// docker compose's choice (cmd/compose selectEventProcessor): auto is plain unless stderr is
// a terminal, and --ansi never makes it plain; --ansi always does not make it tty.
Mode resolve_mode(const Settings& s, bool terminal) {
  const std::string progress = progress_value(s), ansi = ansi_value(s);
  if (ansi != "auto" && ansi != "never" && ansi != "always")
    throw Error("invalid --ansi \"" + ansi + "\": expected \"never\", \"always\" or \"auto\"");
  if (progress == "auto") return ansi != "never" && terminal ? Mode::Tty : Mode::Plain;
  if (progress == "tty") {
    if (ansi == "never") throw Error("can't use --progress tty while ANSI support is disabled");
    return Mode::Tty;
  }
  if (progress == "plain") {
    if (ansi == "always") throw Error("can't use --progress plain while ANSI support is forced");
    return Mode::Plain;
  }
  if (progress == "quiet" || progress == "none") return Mode::Quiet;
  if (progress == "json") return Mode::Json;
  throw Error("unsupported --progress value \"" + progress + "\"");
}

bool use_colours(const Settings& s, bool terminal) {
  const std::string ansi = ansi_value(s);
  if (ansi == "never") return false;
  if (ansi == "always") return true;
  const char* no_color = std::getenv("NO_COLOR");
  return terminal && !(no_color && *no_color);
}

}  // namespace mycompose::cli::progress
