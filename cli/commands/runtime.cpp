// `mycompose runtime …`: the OCI runtime command line (as runc/crun), a thin layer over
// mycompose::runtime::Runtime.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>

#include "commands.hpp"
#include "mycompose/common/error.hpp"
#include "mycompose/common/fs.hpp"
#include "mycompose/common/unique_fd.hpp"
#include "mycompose/runtime/runtime.hpp"

namespace mycompose::cli {
namespace {

// `runtime exec -d`: the process gets /dev/null for stdio; our stderr comes back for error messages.
class DetachedStdio {
 public:
  DetachedStdio() : saved_err_(::dup(2)) {
    UniqueFd null(::open("/dev/null", O_RDWR | O_CLOEXEC));
    if (!null || !saved_err_) throw SystemError("open /dev/null", errno);
    for (int fd : {0, 1, 2}) ::dup2(null.get(), fd);
  }
  ~DetachedStdio() { ::dup2(saved_err_.get(), 2); }

 private:
  UniqueFd saved_err_;
};

namespace rt = mycompose::runtime;

struct RuntimeFlags {
  std::string root;
  std::string bundle = ".";
  std::string pid_file;
  std::string console_socket;
  std::string id;
  std::string signal = "SIGTERM";
  std::string format = "table";
  bool detach = false, force = false, all = false, quiet = false;
  rt::ExecOptions exec;
};

rt::Runtime make_runtime(const RuntimeFlags& f) {
  return rt::Runtime(f.root.empty() ? rt::Runtime::default_root() : std::filesystem::path(f.root));
}

rt::CreateOptions create_options(const RuntimeFlags& f) {
  rt::CreateOptions o;
  o.bundle = f.bundle;
  o.pid_file = f.pid_file;
  o.console_socket = f.console_socket;
  return o;
}

void print_list(const std::vector<rt::ContainerState>& list, const RuntimeFlags& f) {
  if (f.format == "json") {
    auto arr = nlohmann::json::array();
    for (const auto& c : list) arr.push_back(c.oci_json());
    std::cout << arr.dump() << "\n";
    return;
  }
  if (f.quiet) {
    for (const auto& c : list) std::cout << c.id << "\n";
    return;
  }
  std::printf("%-20s %-8s %-10s %-40s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED");
  for (const auto& c : list)
    std::printf("%-20s %-8d %-10s %-40s %s\n", c.id.c_str(), c.pid, c.status.c_str(), c.bundle.c_str(), c.created.c_str());
}

}  // namespace

void register_runtime(CLI::App& app, Context& ctx) {
  auto f = std::make_shared<RuntimeFlags>();
  auto* rtc = app.add_subcommand("runtime", "OCI runtime (create, start, state, kill, delete, run, exec, list, ps, pause, resume)");
  rtc->require_subcommand(1);
  rtc->add_option("--root", f->root, "Folder for the state of containers (default: $MYCOMPOSE_ROOT/runtime)");

  auto* create = rtc->add_subcommand("create", "Create a container (its process waits for `start`)");
  create->add_option("-b,--bundle", f->bundle, "Path to the bundle (config.json + rootfs)");
  create->add_option("--pid-file", f->pid_file, "Write the init's pid to this file");
  create->add_option("--console-socket", f->console_socket, "Unix socket that receives the pty master (process.terminal)");
  create->add_option("id", f->id, "Container id")->required();
  create->callback([f] { make_runtime(*f).create(f->id, create_options(*f)); });

  auto* start = rtc->add_subcommand("start", "Start a created container");
  start->add_option("id", f->id, "Container id")->required();
  start->callback([f] { make_runtime(*f).start(f->id); });

  auto* run = rtc->add_subcommand("run", "Create and start a container");
  run->add_option("-b,--bundle", f->bundle, "Path to the bundle (config.json + rootfs)");
  run->add_option("--pid-file", f->pid_file, "Write the init's pid to this file");
  run->add_option("--console-socket", f->console_socket, "Unix socket that receives the pty master (with -d)");
  run->add_flag("-d,--detach", f->detach, "Return once started");
  run->add_option("id", f->id, "Container id")->required();
  run->callback([f, &ctx] {
    std::fflush(stdout);
    ctx.exit_code = make_runtime(*f).run(f->id, create_options(*f), f->detach);
  });

  auto* state = rtc->add_subcommand("state", "Print the state of a container (OCI JSON)");
  state->add_option("id", f->id, "Container id")->required();
  state->callback([f] { std::cout << make_runtime(*f).state(f->id).oci_json().dump(2) << "\n"; });

  auto* kill = rtc->add_subcommand("kill", "Send a signal to the container's init (default SIGTERM)");
  kill->add_flag("-a,--all", f->all, "Send it to every process of the container");
  kill->add_option("id", f->id, "Container id")->required();
  kill->add_option("signal", f->signal, "Signal name or number");
  kill->callback([f] { make_runtime(*f).kill(f->id, rt::parse_signal(f->signal), f->all); });

  auto* del = rtc->add_subcommand("delete", "Delete a stopped (or, with --force, any) container");
  del->add_flag("-f,--force", f->force, "Kill it first if it is running");
  del->add_option("id", f->id, "Container id")->required();
  del->callback([f] { make_runtime(*f).remove(f->id, f->force); });

  auto* list = rtc->add_subcommand("list", "List containers");
  list->alias("ls");
  list->add_option("--format", f->format, "table or json")->check(CLI::IsMember({"table", "json"}));
  list->add_flag("-q,--quiet", f->quiet, "Only ids");
  list->callback([f] { print_list(make_runtime(*f).list(), *f); });

  auto* ps = rtc->add_subcommand("ps", "Pids of the processes of a container");
  ps->add_option("--format", f->format, "table or json")->check(CLI::IsMember({"table", "json"}));
  ps->add_option("id", f->id, "Container id")->required();
  ps->callback([f] {
    auto pids = make_runtime(*f).processes(f->id);
    if (f->format == "json") {
      std::cout << nlohmann::json(pids).dump() << "\n";
      return;
    }
    std::cout << "PID\n";
    for (pid_t p : pids) std::cout << p << "\n";
  });

  auto* pause = rtc->add_subcommand("pause", "Freeze every process of a container");
  pause->add_option("id", f->id, "Container id")->required();
  pause->callback([f] { make_runtime(*f).pause(f->id); });
  auto* resume = rtc->add_subcommand("resume", "Thaw a paused container");
  resume->add_option("id", f->id, "Container id")->required();
  resume->callback([f] { make_runtime(*f).resume(f->id); });

  // Flags are parsed up to the container id; everything after it is the command, as docker exec.
  auto* exec = rtc->add_subcommand("exec", "Run a command in a running container: exec [flags] ID CMD…");
  exec->add_flag("-t,--tty", f->exec.tty, "Allocate a pseudo-TTY");
  exec->add_option("-e,--env", f->exec.env, "Set environment variables (K=V)")->allow_extra_args(false);
  exec->add_option("--cwd,-w,--workdir", f->exec.cwd, "Working directory inside the container");
  exec->add_option("-u,--user", f->exec.user, "Username or UID, optionally :group or :GID");
  exec->add_flag("-d,--detach", f->exec.detach, "Run it in the background");
  exec->add_flag("--privileged", f->exec.privileged, "Give the process every capability (docker exec --privileged)");
  exec->prefix_command();
  exec->fallthrough(false);  // the id and command stay here instead of going to the parent
  exec->callback([f, exec, &ctx] {
    auto rest = exec->remaining();
    if (rest.empty()) throw Error("runtime exec: a container id is required");
    f->id = rest[0];
    f->exec.args.assign(rest.begin() + 1, rest.end());
    if (f->exec.args.empty()) throw Error("runtime exec: a command is required");
    std::fflush(stdout);
    std::optional<DetachedStdio> quiet;
    if (f->exec.detach) quiet.emplace();
    ctx.exit_code = make_runtime(*f).exec(f->id, f->exec);
  });

  // The container's PID 1, run by the runtime from a sealed memfd; not for people.
  auto* init = rtc->add_subcommand("init", "");
  init->group("");
  init->callback([] { rt::init_main(); });
}

}  // namespace mycompose::cli
