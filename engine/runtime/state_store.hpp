#pragma once
// The state folder of one container: <root>/<id>/{state.json,config.json,exit,exec.fifo}.
#include <sys/types.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "mycompose/common/unique_fd.hpp"
#include "mycompose/runtime/runtime.hpp"

namespace mycompose::runtime {

inline constexpr const char* kStateFile = "state.json";
inline constexpr const char* kConfigFile = "config.json";
// Made empty by the runtime at create; the init holds it open write-only (never the folder)
// and writes the record into it when the app ends.
inline constexpr const char* kExitFile = "exit";
inline constexpr std::size_t kMaxExitRecord = 256;
inline constexpr const char* kFifo = "exec.fifo";  // start writes a byte, the init wakes up

struct StoredState {
  ContainerState oci;       // status as recorded (created|running|paused)
  unsigned long long init_start_time = 0;  // /proc/<pid>/stat field 22: guards against pid reuse
  std::string cgroups_path;
  std::filesystem::path rootfs;

  nlohmann::json to_json() const;
  static StoredState from_json(const nlohmann::json& j);
};

void check_container_id(const std::string& id);  // refuses "", "..", "/" etc.
std::filesystem::path container_dir(const std::filesystem::path& root, const std::string& id);
StoredState read_state(const std::filesystem::path& dir, const std::string& id);
void write_state(const std::filesystem::path& dir, const StoredState& s);
// State files are written with fs::replace_file (no fsync): they only describe processes,
// which a power loss ends anyway (runc keeps the same kind of state in tmpfs).
// The empty exit record, opened write-only for the init.
UniqueFd create_exit_record(const std::filesystem::path& dir);
// The exit code the init recorded; none while the file is empty (still running, or killed
// before it could write) or when it is not a record the init could have written (it lives in
// a process the container may ptrace: its content is not trusted).
std::optional<int> read_exit_code(const std::filesystem::path& dir);
// 0 when the process does not exist.
unsigned long long process_start_time(pid_t pid);
// Recorded state + liveness of the init → current status (stopped when the init is gone).
ContainerState current_state(const std::filesystem::path& dir, const StoredState& s);
std::string now_rfc3339();

}  // namespace mycompose::runtime
