#include "progress/progress.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <map>

#include "progress/renderers.hpp"

namespace mycompose::cli::progress {

Event Event::from_json(const nlohmann::json& j) {
  Event e;
  e.id = j.value("id", "");
  e.status = j.value("status", "");
  e.text = j.value("text", "");
  const std::string state = j.value("state", "done");
  e.state = state == "working" ? State::Working : state == "error" ? State::Error : state == "warning" ? State::Warning : State::Done;
  return e;
}

std::string title_for(const std::string& verb) {
  static const std::map<std::string, std::string> titles = {
      {"create", "Creating"}, {"start", "Starting"},     {"stop", "Stopping"}, {"restart", "Restarting"},
      {"kill", "Killing"},    {"rm", "Removing"},        {"pause", "Pausing"}, {"unpause", "Unpausing"},
      {"pull", "Pulling"},    {"push", "Pushing"},       {"build", "Building"}};
  auto it = titles.find(verb);
  return it == titles.end() ? "Running" : it->second;  // up, down, run… say Running as docker compose does
}

namespace {

int terminal_width() {
  winsize ws{};
  if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  if (const char* c = std::getenv("COLUMNS")) {
    int n = std::atoi(c);
    if (n > 0) return n;
  }
  return 80;
}

}  // namespace

std::unique_ptr<Renderer> make_renderer(const std::string& title, bool animate) {
  const Settings& s = settings();
  const bool terminal = ::isatty(STDERR_FILENO);
  switch (resolve_mode(s, terminal)) {
    case Mode::Quiet:
      return std::make_unique<QuietRenderer>();
    case Mode::Json:
      return std::make_unique<JsonRenderer>(std::cerr);
    case Mode::Plain:
      return std::make_unique<PlainRenderer>(std::cerr);
    case Mode::Tty:
      break;
  }
  TtyRenderer::Options o;
  o.title = title;
  o.width = terminal_width();
  o.colours = use_colours(s, terminal);
  auto r = std::make_unique<TtyRenderer>(std::cerr, o);
  if (animate) r->start_ticking();
  return r;
}

}  // namespace mycompose::cli::progress
