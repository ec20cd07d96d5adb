#pragma once
// Which containers' IPC namespace another may join (`ipc: service:NAME` / `container:NAME`).
#include <filesystem>
#include <string>

namespace mycompose::scheduler {

// Docker's rule (moby getIPCContainer): only a donor whose IPC is meant to be shared — its
// `ipc` is `shareable` or `host`, or it joined such a donor itself — may be joined; a
// private one (no `ipc`, `private`, `none`) is refused. `donor` names it in the error (the
// container id for `service:`, the name as written for `container:`); `container_dir` is
// its folder, whose service.json holds the definition it was made from. A container without
// one (made before service.json existed) counts as shareable, as Docker's containers from
// before IPC modes.
void check_ipc_donor(const std::filesystem::path& container_dir, const std::string& donor);

}  // namespace mycompose::scheduler
