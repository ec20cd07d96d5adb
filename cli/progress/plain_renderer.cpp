#include "progress/renderers.hpp"

namespace mycompose::cli::progress {

void PlainRenderer::event(const Event& e) {
  std::string line;
  switch (e.state) {
    case State::Working:
      return;  // only what is finished: a log file reads as a list of results
    case State::Done:
      line = " \u2714 " + e.id + "  " + e.status;
      break;
    case State::Error:
      line = " \u2718 " + e.id + "  " + e.status + (e.text.empty() ? "" : ": " + e.text);
      break;
    case State::Warning:
      if (e.id.empty()) {
        out_ << "WARN[0000] " << e.text << "\n" << std::flush;
        return;
      }
      line = " ! " + e.id + "  " + e.status + (e.text.empty() ? "" : ": " + e.text);
      break;
  }
  if (!printed_.insert({e.id, e.status}).second) return;
  out_ << line << "\n" << std::flush;
}

}  // namespace mycompose::cli::progress
