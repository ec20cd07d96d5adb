#include "ipc_donor.hpp"

#include <nlohmann/json.hpp>

#include "mycompose/common/error.hpp"
#include "mycompose/common/fs.hpp"
#include "mycompose/common/json_limits.hpp"

namespace mycompose::scheduler {

void check_ipc_donor(const std::filesystem::path& container_dir, const std::string& donor) {
  const auto file = container_dir / "service.json";
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return;
  std::string mode;
  try {
    const auto saved = parse_json_bounded<nlohmann::ordered_json>(fs::read_file(file, 16 << 20));
    const auto def = saved.value("definition", nlohmann::ordered_json::object());
    if (def.contains("ipc") && def["ipc"].is_string()) mode = def["ipc"].get<std::string>();
  } catch (const std::exception& e) {
    throw Error("failed to join IPC namespace: container " + donor + ": " + e.what());
  }
  if (mode == "shareable" || mode == "host" || mode.rfind("service:", 0) == 0 || mode.rfind("container:", 0) == 0) return;
  throw Error("failed to join IPC namespace: container " + donor +
              ": non-shareable IPC (hint: use IpcMode:shareable for the donor container)");
}

}  // namespace mycompose::scheduler
