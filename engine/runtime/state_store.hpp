#pragma once
// The state folder of one container: <root>/<id>/{state.json,config.json,exit,exec.fifo}.
#include <sys/types.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "mycompose/common/unique_fd.hpp"
#include "mycompose/runtime/runtime.hpp"
#include "mycompose/runtime/state_folder.hpp"

namespace mycompose::runtime {

inline constexpr const char* kStateFile = "state.json";
inline constexpr const char* kConfigFile = "config.json";
// Made empty by the runtime at create; the init holds it open write-only (never the folder)
// and writes the record into it when the app ends.
inline constexpr const char* kExitFile = "exit";
inline constexpr std::size_t kMaxExitRecord = 256;
inline constexpr const char* kFifo = "exec.fifo";  // start writes a byte, the init wakes up

struct StoredState {
  // status as recorded: creating (written before the cgroup and the init exist, so a create
  // killed half-way leaves a record naming them), created, running, paused.
  ContainerState oci;
  unsigned long long init_start_time = 0;  // /proc/<pid>/stat field 22: guards against pid reuse
  std::string cgroups_path;
  std::filesystem::path rootfs;

  nlohmann::json to_json() const;
  static StoredState from_json(const nlohmann::json& j);
};

void check_container_id(const std::string& id);  // refuses "", "..", "/" etc.
std::filesystem::path container_dir(const std::filesystem::path& root, const std::string& id);
// The recorded state. A torn or garbage state.json is moved aside and replaced by what the host
// still has (state_from_host); a folder without one (a create or delete killed half-way) gets
// that too, without writing it. Throws when the folder does not exist.
StoredState read_state(const std::filesystem::path& dir, const std::string& id);
// Durable (fs::write_file_atomic), as every state file.
void write_state(const std::filesystem::path& dir, const StoredState& s);
// "/mycompose-<8 hex of sha256(root)>/<id>": the cgroup of a container whose spec names none.
std::string default_cgroups_path(const std::filesystem::path& root, const std::string& id);
// The copy of config.json in the state folder records the bundle it came from here.
inline constexpr const char* kBundleAnnotation = "org.mycompose.bundle";
// A container's state rebuilt from the host: the cgroup named by the config.json copy (else
// the default), the init in it (the one process whose parent is outside it), whether it waits
// for start (exec.fifo) or is frozen, and the bundle and annotations of the config copy.
StoredState state_from_host(const std::filesystem::path& dir, const std::string& id);
// The init in s.cgroups_path, if one runs: s gets its pid, start time and status.
void find_init(const std::filesystem::path& dir, StoredState& s);
// Renames dir to <parent>/.removing~<name> (kRemovingPrefix) and deletes it.
void remove_state_folder(const std::filesystem::path& dir);
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

}  // namespace mycompose::runtime
