#pragma once
// The embedded OCI runtime: an OCI bundle (config.json + rootfs) → an isolated process whose
// PID 1 is our init. The verbs mirror runc/crun; the state of every container lives in a
// folder <root>/<id> (state.json, config.json, exit, exec.fifo).
#include <sys/types.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace mycompose::runtime {

// OCI state (runtime-spec "State") plus what we need to find the container again.
struct ContainerState {
  std::string id;
  std::string status;  // created | running | paused | stopped
  pid_t pid = 0;       // init's pid in the host pid namespace; 0 once stopped
  std::filesystem::path bundle;
  std::map<std::string, std::string> annotations;
  std::string created;  // RFC 3339 UTC
  std::optional<int> exit_code;  // once stopped, if the init recorded it

  nlohmann::json oci_json() const;  // the document `state` prints
};

struct CreateOptions {
  std::filesystem::path bundle = ".";
  std::filesystem::path pid_file;  // empty: none
  // The container's stdin/stdout/stderr; -1 = the caller's own (as runc without a console).
  // The engine passes its log pipes here. The fds stay the caller's; the init gets copies.
  int stdin_fd = -1, stdout_fd = -1, stderr_fd = -1;
  // process.terminal in a container that is not run in the foreground: the pty master is sent
  // (SCM_RIGHTS) to this unix socket, as runc's --console-socket does. Without one, a spec
  // annotated kTerminalRelay = "true" has its init keep the master and copy it to and from
  // the container's stdio (a compose service with `tty: true`, whose output must outlive
  // any engine).
  std::filesystem::path console_socket;
};

inline constexpr const char* kTerminalRelay = "org.mycompose.terminal.relay";

struct ExecOptions {
  std::vector<std::string> args;
  std::vector<std::string> env;  // K=V, appended to (and overriding) process.env
  std::string cwd;               // empty: process.cwd
  std::string user;              // U[:G] names or numbers; empty: process.user
  bool tty = false;
  bool detach = false;
  // docker exec --privileged: every capability the runtime holds (bounding, permitted,
  // effective), whatever the container's. Namespaces, cgroup, seccomp, no_new_privileges and
  // the masked paths stay the container's.
  bool privileged = false;
};

class Runtime {
 public:
  // root: the state folder (created on demand). Default: $MYCOMPOSE_ROOT/runtime.
  explicit Runtime(std::filesystem::path root = default_root());
  static std::filesystem::path default_root();

  // create: validates the bundle, then starts the init which waits for start().
  // Bad input throws and leaves nothing behind.
  ContainerState create(const std::string& id, const CreateOptions& opts);
  void start(const std::string& id);
  // create + start. Foreground (detach=false): stdio passes through, signals are forwarded,
  // the container is deleted when it exits, and the result is its exit status.
  int run(const std::string& id, const CreateOptions& opts, bool detach);
  // Exit status of the process (foreground) or 0 (detach).
  int exec(const std::string& id, const ExecOptions& opts);

  ContainerState state(const std::string& id) const;
  std::vector<ContainerState> list() const;
  void kill(const std::string& id, int signal, bool all = false);
  void remove(const std::string& id, bool force);
  std::vector<pid_t> processes(const std::string& id) const;
  void pause(const std::string& id);
  void resume(const std::string& id);

  const std::filesystem::path& root() const { return root_; }

 private:
  std::filesystem::path root_;
};

// "TERM", "SIGTERM", "15" → 15; throws Error naming an unknown signal.
int parse_signal(const std::string& name);

// The program copied into each container as its init. Default: mycompose-init beside the
// running executable (else the executable itself). Programs that link the runtime from
// elsewhere (tests) name it here.
void set_init_program(const std::string& path);

// Entry point of the container's init (the hidden `runtime init` subcommand run from the
// sealed memfd copy). Never returns to the caller's normal flow: it exits the process.
[[noreturn]] void init_main();

}  // namespace mycompose::runtime
