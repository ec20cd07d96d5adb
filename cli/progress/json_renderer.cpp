#include "progress/renderers.hpp"

namespace mycompose::cli::progress {

void JsonRenderer::event(const Event& e) {
  // docker compose's field names: "text" is its event text, "status" its status text.
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  if (e.state == State::Warning && e.id.empty()) {
    j["text"] = e.text;
    j["status"] = "Warning";
  } else {
    j["id"] = e.id;
    if (!e.text.empty()) j["text"] = e.text;
    if (!e.status.empty()) j["status"] = e.status;
  }
  out_ << j.dump() << "\n" << std::flush;
}

}  // namespace mycompose::cli::progress
