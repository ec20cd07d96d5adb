#include "progress/renderers.hpp"

#include "mycompose/common/warning.hpp"

namespace mycompose::cli::progress {

// docker compose's plain writer prints Println(prefix, id, text, statusText): the operands
// joined by one space each, so an event without a text has two spaces before its status
// (" Container shop-db-1  Started"). Its error events carry their message as the status.
void PlainRenderer::event(const Event& e) {
  std::string status;
  if (e.state == State::Warning && e.id.empty()) {
    out_ << (warning_form_ ? warning_form_(e.text) : stderr_warning_line(e.text)) << std::flush;
    return;
  }
  if (e.state == State::Error && !e.text.empty()) status = e.text;
  else if (e.text.empty()) status = e.status;
  else status = e.status.empty() ? e.text : e.status + ": " + e.text;
  // The engine may repeat a resource's last status (a dependency seen started by two
  // dependents); docker compose reports each change once.
  auto& last = last_[e.id];
  if (last == status) return;
  last = status;
  out_ << " " << e.id << "  " << status << "\n" << std::flush;
}

}  // namespace mycompose::cli::progress
