// `mycompose run SERVICE [COMMAND…]`: a one-off container of the service. The CLI applies
// run's flags to the service (through the Compose normalizer, so -v, -p, -e and --entrypoint
// mean what they mean in a Compose file) and the engine creates and starts the container
// (networks, volumes, dependencies — oneoff.hpp). In the foreground the CLI joins its stdio to
// the container's (FIFOs, or a terminal through a console socket), passes signals on and
// exits with the container's status; --rm removes it afterwards; -d prints its id.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <thread>

#include "commands.hpp"
#include "engine_client.hpp"
#include "commands/build_services.hpp"
#include "ensure_images.hpp"
#include "flags/run.hpp"
#include "mycompose/common/error.hpp"
#include "mycompose/common/fs.hpp"
#include "mycompose/common/state_root.hpp"
#include "mycompose/compose/dotenv.hpp"
#include "mycompose/compose/normalize.hpp"
#include "mycompose/compose/yaml.hpp"
#include "mycompose/daemon/engine.hpp"
#include "mycompose/scheduler/container_store.hpp"
#include "progress/progress.hpp"
#include "project_request.hpp"
#include "tty_proxy.hpp"

namespace mycompose::cli {
namespace {

namespace stdfs = std::filesystem;
using Json = nlohmann::ordered_json;

// run's -v, -p, -e and --entrypoint in a one-service document through the normalizer: the
// long forms the model uses, relative paths against the project folder, bare -e KEY from the
// project's environment (shell, then .env / --env-file).
Json normalized_flags(const flags::RunOptions& o, bool entrypoint_set, const compose::Project& project) {
  nlohmann::json svc = {{"image", "run-flags"}};
  if (!o.volumes.empty()) svc["volumes"] = o.volumes;
  if (!o.publish.empty()) svc["ports"] = o.publish;
  if (!o.env.empty()) svc["environment"] = o.env;
  if (entrypoint_set) svc["entrypoint"] = o.entrypoint;
  const nlohmann::json doc = {{"services", {{"run", svc}}}};
  compose::NormalizeContext ctx;
  ctx.project_name = project.name;
  ctx.working_dir = project.working_dir;
  ctx.environment = project.environment;  // -e KEY: shell, then .env / --env-file, as docker compose
  ctx.consistency = false;  // a named volume in -v need not be declared
  ctx.resolve_env_files = false;
  return compose::normalize(compose::parse_yaml(doc.dump(), "run flags"), ctx).model["services"]["run"];
}

void apply_flags(Json& def, const flags::RunOptions& o, bool entrypoint_set, bool tty, const compose::Project& project) {
  const Json f = normalized_flags(o, entrypoint_set, project);
  if (!o.command.empty()) def["command"] = o.command;
  if (entrypoint_set) def["entrypoint"] = f.value("entrypoint", Json::array());
  if (f.contains("environment")) {
    if (!def.contains("environment") || !def["environment"].is_object()) def["environment"] = Json::object();
    for (const auto& [k, v] : f["environment"].items())
      if (!v.is_null()) def["environment"][k] = v;  // -e KEY unset everywhere: dropped (docker compose RemoveEmpty)
  }
  if (!o.user.empty()) def["user"] = o.user;
  if (!o.workdir.empty()) def["working_dir"] = o.workdir;
  if (f.contains("volumes")) {
    if (!def.contains("volumes")) def["volumes"] = Json::array();
    for (const auto& v : f["volumes"]) def["volumes"].push_back(v);
  }
  // docker compose: the service's ports only with --service-ports; -p adds its own.
  if (!o.service_ports) def.erase("ports");
  if (f.contains("ports")) {
    if (!def.contains("ports")) def["ports"] = Json::array();
    for (const auto& p : f["ports"]) def["ports"].push_back(p);
  }
  for (const auto& [key, values] : {std::pair{"cap_add", &o.cap_add}, {"cap_drop", &o.cap_drop}})
    for (const auto& c : *values) def[key].push_back(c);
  def["tty"] = tty;
  def["stdin_open"] = o.interactive;
}

std::map<std::string, std::string> parse_labels(const std::vector<std::string>& labels) {
  std::map<std::string, std::string> out;
  for (const auto& l : labels) {
    auto eq = l.find('=');
    out[l.substr(0, eq)] = eq == std::string::npos ? "" : l.substr(eq + 1);
  }
  return out;
}

// A folder for the FIFOs or the console socket, removed once both sides have opened them.
struct IoFolder {
  stdfs::path dir;
  explicit IoFolder(const stdfs::path& root) {
    state_root::ensure(root);
    fs::make_dirs(root / "tmp", 0700);
    std::string tmpl = (root / "tmp" / "run-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw SystemError("mkdtemp " + tmpl, errno);
    dir = tmpl;
  }
  ~IoFolder() {
    std::error_code ec;
    stdfs::remove_all(dir, ec);
  }
  stdfs::path fifo(const char* name) const {
    stdfs::path p = dir / name;
    check_syscall(::mkfifo(p.c_str(), 0600), "mkfifo " + p.string());
    return p;
  }
};

UniqueFd open_or_throw(const stdfs::path& p, int flags) {
  UniqueFd fd(::open(p.c_str(), flags | O_CLOEXEC));
  if (!fd) throw SystemError("open " + p.string(), errno);
  return fd;
}

// The engine's stream: dependencies' progress as docker compose prints it, then the result.
nlohmann::json call_engine(EngineClient& client, const std::string& target, const nlohmann::json& body, bool quiet) {
  nlohmann::json last;
  std::string error;
  // As --progress asks (no ticking thread: run forks and hands its terminal over next).
  auto renderer = quiet ? nullptr : progress::make_renderer(progress::title_for("run"), false);
  try {
    client.stream("POST", target,
                  [&](const nlohmann::json& line) {
                    if (line.contains("progress") && renderer) renderer->event(progress::Event::from_json(line["progress"]));
                    if (line.contains("error")) error = line["error"].get<std::string>();
                    if (line.contains("status")) last = line;
                    return true;
                  },
                  &body);
  } catch (...) {
    if (renderer) renderer->finish();
    throw;
  }
  if (renderer) renderer->finish();
  if (!error.empty()) throw Error(error);
  return last;
}

int exit_code_of(scheduler::ContainerStore& store, const std::string& id) {
  // The init records the status before it exits; a moment may pass before the state shows it.
  for (int i = 0; i < 500; ++i) {
    auto st = store.state(id);
    if (st.status == "stopped") return st.exit_code.value_or(255);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  throw Error("container " + id + " exited but its status could not be read");
}

// docker compose's warning when the project has containers (one-offs included) of services
// the file no longer defines.
void warn_orphans(const compose::Project& project) {
  const auto services = project.model.value("services", Json::object());
  std::vector<std::string> orphans;
  for (const auto& c : scheduler::ContainerStore(stdfs::absolute(daemon::default_root())).list(project.name))
    if (!services.contains(c.service)) orphans.push_back(c.name);
  if (orphans.empty()) return;
  std::sort(orphans.begin(), orphans.end());
  std::string list;
  for (const auto& n : orphans) list += (list.empty() ? "" : " ") + n;
  std::cerr << "WARN[0000] Found orphan containers ([" << list << "]) for this project. If you removed or renamed this service in your "
               "compose file, you can run this command with the --remove-orphans flag to clean it up.\n";
}

}  // namespace

void register_run(CLI::App& app, Context& ctx) {
  static flags::RunOptions o;
  auto* cmd = flags::add_run(app, o);
  cmd->callback([&ctx, cmd] {
    if (!o.env_from_file.empty()) throw Error("mycompose run --env-from-file is not supported: pass the variables with -e KEY=VALUE, or list the file in the service's env_file");
    if (o.detach && o.rm) throw Error("mycompose run: -d and --rm together are not supported: run it in the foreground with --rm, or detached and remove it with `mycompose rm` once it has exited");
    if (cmd->count("--tty") && cmd->count("--no-TTY")) throw Error("--tty and --no-TTY can't be used together");
    auto project = compose::load_project(ctx.load_options({o.service}));
    if (!project.model.contains("services") || !project.model["services"].contains(o.service))
      throw Error("no such service: " + o.service);
    // docker compose (docker's CheckTty): a terminal asked for with -t needs one to read from.
    if (cmd->count("--tty") && o.tty && o.interactive && !o.detach && !::isatty(0)) throw Error("the input device is not a TTY");
    // As docker compose's run (its dependencies' create): COMPOSE_IGNORE_ORPHANS leaves orphans
    // alone, else --remove-orphans removes them (the engine) and without it they are warned about.
    const bool ignore_orphans = compose::env_switch(project.environment, "COMPOSE_IGNORE_ORPHANS", false);
    if (!o.remove_orphans && !ignore_orphans) warn_orphans(project);
    // docker compose: a terminal unless -T, and only when ours is one.
    const bool tty = !o.detach && !o.no_tty && o.tty && ::isatty(0) && ::isatty(1);
    apply_flags(project.model["services"][o.service], o, cmd->count("--entrypoint") > 0, tty, project);

    if (o.build && o.no_build) throw Error("--build and --no-build are incompatible");
    // As docker compose's run: the images of the dependencies (unless --no-deps) and the
    // service's, pulled or built (--build: built again) before the engine creates anything.
    build_display_on_stderr(true);  // stdout is the container's
    ensure_images(project, {{o.service}, !o.no_deps, o.build, o.no_build, o.pull, o.quiet_pull});

    const stdfs::path root = stdfs::absolute(daemon::default_root());
    nlohmann::json options = {{"service", o.service},          {"name", o.name},
                              {"labels", parse_labels(o.labels)}, {"no_deps", o.no_deps},
                              {"use_aliases", o.use_aliases},  {"remove_orphans", o.remove_orphans && !ignore_orphans}};
    std::optional<IoFolder> io_dir;
    ContainerStdio io;
    UniqueFd console;
    if (!o.detach) {
      io_dir.emplace(root);
      if (tty) {
        options["console_socket"] = (io_dir->dir / "console.sock").string();
        console = listen_console_socket(io_dir->dir / "console.sock");
      } else {
        // Our ends first, so the engine's opens never wait: read ends without a writer yet
        // (O_NONBLOCK, cleared after), stdin's as O_RDWR (a FIFO's reader may open at once).
        const auto out = io_dir->fifo("stdout"), err = io_dir->fifo("stderr");
        io.output = open_or_throw(out, O_RDONLY | O_NONBLOCK);
        io.error = open_or_throw(err, O_RDONLY | O_NONBLOCK);
        for (int fd : {io.output.get(), io.error.get()}) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
        options["stdout_fifo"] = out.string();
        options["stderr_fifo"] = err.string();
        if (o.interactive) {
          const auto in = io_dir->fifo("stdin");
          io.input = open_or_throw(in, O_RDWR);
          options["stdin_fifo"] = in.string();
        }
      }
    }

    EngineClient client = EngineClient::connect(root);
    const nlohmann::json body = {{"project", project_json(project)}, {"options", options}};
    const nlohmann::json created = call_engine(client, "/projects/" + project.name + "/run", body, o.quiet);
    const std::string id = created.value("id", "");
    if (o.detach) {  // the container's id, as docker compose (docker's start prints what it was given)
      std::cout << id << "\n";
      return;
    }
    scheduler::ContainerStore store(root);
    auto remove = [&] {
      if (!o.rm) return;
      EngineClient again = EngineClient::connect(root);
      call_engine(again, "/projects/" + project.name + "/run/" + id + "/remove", {{"project", project_json(project)}}, true);
    };
    try {
      UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, created.value("pid", 0), 0)));
      if (tty) {
        UniqueFd master = receive_pty_master(console.get());
        io.input.reset(::dup(master.get()));
        io.output = std::move(master);
        io.terminal = true;
      }
      io_dir.reset();  // both ends are open: the names are no longer needed
      proxy_stdio(
          pidfd.get(), std::move(io),
          [&](int sig) {
            try {
              store.runtime().kill(id, sig);
            } catch (const Error&) {
              // it exited meanwhile
            }
          },
          [&] { return store.state(id).status == "stopped"; });
      ctx.exit_code = exit_code_of(store, id);
    } catch (...) {
      try {
        remove();
      } catch (...) {
      }
      throw;
    }
    remove();
  });
}

}  // namespace mycompose::cli
