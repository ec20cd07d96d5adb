// The container verbs over the state folder: create, start, run, state, list, kill, delete,
// ps, pause, resume.
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <sched.h>

#include "console_socket.hpp"
#include "default_device_rules.hpp"
#include "foreground.hpp"
#include "hooks.hpp"
#include "launcher.hpp"
#include "mycompose/common/error.hpp"
#include "mycompose/common/fault_point.hpp"
#include "mycompose/common/fs.hpp"
#include "mycompose/common/sha256.hpp"
#include "mycompose/common/time_text.hpp"
#include "mycompose/common/undo.hpp"
#include "mycompose/runtime/cgroup.hpp"
#include "mycompose/runtime/runtime.hpp"
#include "spec.hpp"
#include "state_store.hpp"
#include "sync_socket.hpp"

namespace mycompose::runtime {
namespace {

using nlohmann::json;
namespace stdfs = std::filesystem;

struct Created {
  StoredState state;
  InitProcess init;
  std::unique_ptr<Cgroup> cgroup;
};

Created create_container(const stdfs::path& root, const std::string& id, const CreateOptions& opts, const std::string& mode,
                         bool foreground) {
  stdfs::path dir = container_dir(root, id);
  Spec spec = load_spec(opts.bundle);
  // Connected first: a wrong socket fails before anything exists.
  UniqueFd console;
  bool relay = false;
  if (spec.raw["process"].value("terminal", false) && !foreground) {
    relay = opts.console_socket.empty() &&
            spec.raw.value("annotations", json::object()).value(kTerminalRelay, "") == "true";
    if (opts.console_socket.empty() && !relay)
      throw Error("config.json: process.terminal needs --console-socket (or `run` in the foreground)");
    if (!relay) console = connect_console_socket(opts.console_socket);
  }
  fs::make_dirs(root, 0700);
  if (::mkdir(dir.c_str(), 0700) != 0) {
    if (errno == EEXIST) throw Error("container \"" + id + "\" already exists");
    throw SystemError("mkdir " + dir.string(), errno);
  }
  // Everything create makes is undone in reverse unless it succeeds: a failure half-way leaves
  // no folder, cgroup or process.
  Created c;                           // declared before the undo steps: they still see it
  std::optional<json> poststop_state;  // set once the cgroup exists
  UndoSteps undo;
  undo.add([&] {
    try {
      remove_state_folder(dir);
    } catch (...) {
    }
    // A create that fails is a delete too (runtime.md "Lifecycle" step 12): poststop runs.
    if (poststop_state) run_hooks_warn(spec.raw, "poststop", *poststop_state);
  });
  c.state.cgroups_path = spec.cgroups_path.empty() ? default_cgroups_path(root, id) : spec.cgroups_path;
  c.state.oci.id = id;
  c.state.oci.status = "creating";
  c.state.oci.bundle = spec.bundle;
  c.state.oci.created = now_rfc3339(Fraction::nano_fixed);
  if (spec.raw.contains("annotations") && spec.raw["annotations"].is_object())
    for (const auto& [k, v] : spec.raw["annotations"].items())
      if (v.is_string()) c.state.oci.annotations[k] = v.get<std::string>();
  c.state.rootfs = spec.rootfs;
  // Recorded before the cgroup and the init exist: whatever instant kills this process, the
  // state names what the host keeps (read_state finds the init in the cgroup).
  write_state(dir, c.state);
  fault_point("runtime.state");
  const json& lx = spec.raw.value("linux", json::object());
  c.cgroup = Cgroup::create(c.state.cgroups_path, with_default_device_rules(lx.value("resources", json::object()),
                                                                            lx.value("devices", json::array())));
  undo.add([&] {
    c.cgroup->kill_all(SIGKILL);
    c.cgroup->destroy();
  });
  poststop_state = c.state.oci.oci_json();
  (*poststop_state)["status"] = "stopped";
  poststop_state->erase("pid");
  fault_point("runtime.cgroup");
  // The init gets these two open, never the folder (launcher.hpp, InitFiles); both stay
  // root's 0600 files, with or without a user namespace.
  UniqueFd exit_record = create_exit_record(dir), fifo;
  if (mode == "create") {
    if (::mkfifoat(AT_FDCWD, (dir / kFifo).c_str(), 0600) != 0) throw SystemError("mkfifo " + (dir / kFifo).string(), errno);
    fifo.reset(::open((dir / kFifo).c_str(), O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC));
    if (!fifo) throw SystemError("open " + (dir / kFifo).string(), errno);
  }
  json config_copy = spec.raw;
  config_copy["annotations"][kBundleAnnotation] = spec.bundle.string();
  fs::write_file_replace(dir / kConfigFile, config_copy.dump(), 0600);
  const int stdio[3] = {opts.stdin_fd, opts.stdout_fd, opts.stderr_fd};
  c.init = launch_init(spec, {exit_record.get(), fifo.get()}, mode, *c.cgroup, stdio, relay, [&](pid_t pid) {
    ContainerState st = c.state.oci;
    st.pid = pid;
    json state = st.oci_json();
    // In the runtime's namespaces, the container's made and not yet pivoted (config.md
    // "prestart", "createRuntime"); a failure fails create, which undoes everything.
    run_hooks(spec.raw, "prestart", state);
    run_hooks(spec.raw, "createRuntime", state);
    return state;
  });
  undo.add([&] { kill_and_wait(c.init.pid, c.init.pidfd.get()); });
  fault_point("runtime.init");
  if (console) {
    send_console(console.get(), c.init.pty_master.get(), opts.console_socket);
    c.init.pty_master.reset();
  }
  c.state.oci.status = mode == "create" ? "created" : "running";
  c.state.oci.pid = c.init.pid;
  c.state.init_start_time = c.init.start_time;
  write_state(dir, c.state);
  if (!opts.pid_file.empty()) fs::write_file_replace(opts.pid_file, std::to_string(c.init.pid), 0644);
  undo.commit();
  return c;
}

std::unique_ptr<Cgroup> open_cgroup(const StoredState& s) { return Cgroup::open(s.cgroups_path); }

// Removes what is left of a container whose processes are gone.
void destroy_container(const stdfs::path& dir, const StoredState& s) {
  std::unique_ptr<Cgroup> cg;
  try {
    cg = open_cgroup(s);
  } catch (const Error&) {
    // None: a create killed before it made the cgroup (its state says "creating").
  }
  if (cg) {
    try {
      cg->kill_all(SIGKILL);
      cg->freeze(false);
    } catch (const SystemError& e) {
      if (e.error_number() != ENOENT) throw;  // a hierarchy the killed create never reached
    }
    cg->destroy();  // each hierarchy's folder, where there is one
  }
  remove_state_folder(dir);
}

// The config.json copy in the state folder (hooks of a container created earlier).
json stored_config(const stdfs::path& dir) {
  try {
    return json::parse(fs::read_file(dir / kConfigFile, 16 << 20));
  } catch (const std::exception&) {
    return json::object();
  }
}

// After the app is told to start, before start returns; a failure is only a warning.
void run_poststart(const stdfs::path& dir, const StoredState& s) {
  json config = stored_config(dir);
  if (!has_hooks(config, "poststart")) return;
  json state = s.oci.oci_json();
  state["status"] = "running";
  run_hooks_warn(config, "poststart", state);
}

// After delete has removed everything; a failure is only a warning.
void run_poststop(const json& config, const StoredState& s) {
  if (!has_hooks(config, "poststop")) return;
  json state = s.oci.oci_json();
  state["status"] = "stopped";
  state.erase("pid");
  run_hooks_warn(config, "poststop", state);
}

}  // namespace

Runtime::Runtime(stdfs::path root) : root_(std::move(root)) {}

stdfs::path Runtime::default_root() {
  const char* r = std::getenv("MYCOMPOSE_ROOT");
  return stdfs::path(r && *r ? r : "/var/lib/mycompose") / "runtime";
}

ContainerState Runtime::create(const std::string& id, const CreateOptions& opts) {
  return create_container(root_, id, opts, "create", false).state.oci;
}

void Runtime::start(const std::string& id) {
  stdfs::path dir = container_dir(root_, id);
  StoredState s = read_state(dir, id);
  ContainerState c = current_state(dir, s);
  if (c.status != "created") throw Error("cannot start container \"" + id + "\": it is " + c.status + ", not created");
  // O_NONBLOCK: fails with ENXIO at once if the init (the only reader) is gone.
  UniqueFd fifo(::open((dir / kFifo).c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC));
  if (!fifo) throw SystemError("start container \"" + id + "\": open " + (dir / kFifo).string(), errno);
  s.oci.status = "running";
  write_state(dir, s);
  fault_point("start");
  check_syscall(::write(fifo.get(), "1", 1), "start container \"" + id + "\": write exec.fifo");
  ::unlink((dir / kFifo).c_str());
  run_poststart(dir, s);
}

int Runtime::run(const std::string& id, const CreateOptions& opts, bool detach) {
  sigset_t sigs = forwarded_signals();
  if (!detach) sigprocmask(SIG_BLOCK, &sigs, nullptr);
  // A two-step launch (user namespace) reparents the init: stay its parent.
  if (!detach) ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  Created c = create_container(root_, id, opts, "run", !detach);
  stdfs::path dir = container_dir(root_, id);
  try {
    send_message(c.init.sock.get(), {{"type", "start"}});
  } catch (...) {
    kill_and_wait(c.init.pid, c.init.pidfd.get());
    destroy_container(dir, c.state);
    throw;
  }
  c.init.sock.reset();
  run_poststart(dir, c.state);
  if (detach) return 0;
  int status = wait_foreground(c.init.pid, c.init.pidfd.get(), c.init.pty_master.get());
  json config = stored_config(dir);
  destroy_container(dir, c.state);
  run_poststop(config, c.state);
  return status;
}

ContainerState Runtime::state(const std::string& id) const {
  stdfs::path dir = container_dir(root_, id);
  return current_state(dir, read_state(dir, id));
}

std::vector<ContainerState> Runtime::list() const {
  std::vector<ContainerState> out;
  std::error_code ec;
  for (const auto& e : stdfs::directory_iterator(root_, ec)) {
    if (!e.is_directory() || e.path().filename().string().rfind(kRemovingPrefix, 0) == 0) continue;
    try {
      out.push_back(state(e.path().filename().string()));
    } catch (const Error&) {
      // half-created or foreign folder: not a container
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return out;
}

void Runtime::kill(const std::string& id, int signal, bool all) {
  stdfs::path dir = container_dir(root_, id);
  StoredState s = read_state(dir, id);
  ContainerState c = current_state(dir, s);
  if (c.status == "stopped") throw Error("container \"" + id + "\" is not running");
  if (all) {
    open_cgroup(s)->kill_all(signal);
    return;
  }
  UniqueFd pidfd(pidfd_open(c.pid));
  // The pid could have been reused between the liveness check and pidfd_open.
  if (!pidfd || process_start_time(c.pid) != s.init_start_time) throw Error("container \"" + id + "\" is not running");
  if (::syscall(SYS_pidfd_send_signal, pidfd.get(), signal, nullptr, 0) != 0)
    throw SystemError("kill container \"" + id + "\" with signal " + std::to_string(signal), errno);
}

void Runtime::remove(const std::string& id, bool force) {
  stdfs::path dir = container_dir(root_, id);
  StoredState s = read_state(dir, id);
  ContainerState c = current_state(dir, s);
  if ((c.status == "running" || c.status == "paused") && !force)
    throw Error("cannot delete container \"" + id + "\" that is not stopped: " + c.status);
  if (c.status != "stopped") {
    UniqueFd pidfd(pidfd_open(c.pid));
    if (pidfd && process_start_time(c.pid) == s.init_start_time) {
      if (c.status == "paused") {
        // A frozen process cannot die: kill first, then thaw.
        auto cg = open_cgroup(s);
        cg->kill_all(SIGKILL);
        cg->freeze(false);
      }
      kill_and_wait(c.pid, pidfd.get());
    }
  }
  json config = stored_config(dir);
  destroy_container(dir, s);
  run_poststop(config, s);
}

std::vector<pid_t> Runtime::processes(const std::string& id) const {
  stdfs::path dir = container_dir(root_, id);
  StoredState s = read_state(dir, id);
  if (current_state(dir, s).status == "stopped") return {};
  return open_cgroup(s)->pids();
}

// pause and resume: the same transition in opposite directions.
static void set_frozen(const stdfs::path& root, const std::string& id, bool frozen) {
  const char* verb = frozen ? "pause" : "resume";
  const std::string from = frozen ? "running" : "paused", to = frozen ? "paused" : "running";
  stdfs::path dir = container_dir(root, id);
  StoredState s = read_state(dir, id);
  ContainerState c = current_state(dir, s);
  if (c.status != from)
    throw Error(std::string("cannot ") + verb + " container \"" + id + "\": it is " + c.status + ", not " + from);
  open_cgroup(s)->freeze(frozen);
  s.oci.status = to;
  write_state(dir, s);
}

void Runtime::pause(const std::string& id) { set_frozen(root_, id, true); }

void Runtime::resume(const std::string& id) { set_frozen(root_, id, false); }

int parse_signal(const std::string& name) {
  if (!name.empty() && name.find_first_not_of("0123456789") == std::string::npos) {
    int n = std::atoi(name.c_str());
    if (n > 0 && n < NSIG) return n;
    throw Error("invalid signal \"" + name + "\"");
  }
  std::string n = name;
  for (auto& ch : n) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  if (n.rfind("SIG", 0) == 0) n = n.substr(3);
  for (int i = 1; i < NSIG; ++i) {
    const char* abbrev = sigabbrev_np(i);
    if (abbrev && n == abbrev) return i;
  }
  if (n.rfind("RTMIN", 0) == 0 || n.rfind("RTMAX", 0) == 0) {
    int base = n[2] == 'M' && n[3] == 'I' ? SIGRTMIN : SIGRTMAX;
    std::string rest = n.substr(5);
    int off = rest.empty() ? 0 : std::atoi(rest.c_str());
    int s = base + off;
    if (s >= SIGRTMIN && s <= SIGRTMAX) return s;
  }
  throw Error("invalid signal \"" + name + "\"");
}

}  // namespace mycompose::runtime
