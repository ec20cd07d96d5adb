// Apart from the renderers: the small launcher's global flags write these, and must not pull
// the renderers (and their thread) into it.
#include <cstdlib>

#include "progress/progress.hpp"

namespace mycompose::cli::progress {

Settings& settings() {
  static Settings s;
  return s;
}

Mode resolve_mode(const Settings& s, bool terminal) {
  if (s.progress == "quiet") return Mode::Quiet;
  if (s.progress == "json") return Mode::Json;
  if (s.progress == "plain") return Mode::Plain;
  if (s.progress == "tty") return Mode::Tty;
  if (s.ansi == "never") return Mode::Plain;
  if (s.ansi == "always") return Mode::Tty;
  const char* term = std::getenv("TERM");
  return terminal && !(term && std::string(term) == "dumb") ? Mode::Tty : Mode::Plain;
}

bool use_colours(const Settings& s, bool terminal) {
  if (s.ansi == "never") return false;
  if (s.ansi == "always") return true;
  return terminal && !std::getenv("NO_COLOR");
}

}  // namespace mycompose::cli::progress
