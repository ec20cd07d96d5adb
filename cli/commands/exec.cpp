// `mycompose exec SERVICE COMMAND…`: a new process in a running container of the service.
// In the foreground the CLI is root on the engine's host and runs the runtime's exec itself
// (no fork in the multi-threaded engine), relaying the terminal, and the process's exit status
// is ours. With -d the engine starts it, so that the engine, which reaps every orphan, is the
// one it is reparented to (exec_routes.cpp). Either way it joins the container's namespaces
// and cgroup with the container's environment, user, working folder, capabilities and seccomp.
#include <unistd.h>

#include <map>
#include <optional>

#include "commands.hpp"
#include "engine_client.hpp"
#include "terminal_shield.hpp"
#include "flags/exec.hpp"
#include "mycompose/common/error.hpp"
#include "mycompose/daemon/engine.hpp"
#include "mycompose/scheduler/container_store.hpp"
#include "exec_project.hpp"
#include "service_container.hpp"

namespace mycompose::cli {
namespace {

// -e KEY takes KEY's value from the project's environment (the shell, then .env and
// --env-file), as docker compose's runExec does; unset there, it is left out.
std::vector<std::string> exec_env(const std::vector<std::string>& flags, const std::map<std::string, std::string>& project_env) {
  std::vector<std::string> env;
  for (const auto& e : flags) {
    if (e.find('=') != std::string::npos) env.push_back(e);
    else if (auto it = project_env.find(e); it != project_env.end()) env.push_back(e + "=" + it->second);
  }
  return env;
}

}  // namespace

void register_exec(CLI::App& app, Context& ctx) {
  static flags::ExecOptions o;
  auto* cmd = flags::add_exec(app, o);
  cmd->callback([&ctx] {
    // As docker compose: the project by name, the service's containers by label (no model
    // check: an unknown service is one that is not running), one-offs after the replicas.
    const ExecProject project = exec_project(ctx);
    scheduler::ContainerStore store(std::filesystem::absolute(daemon::default_root()));
    auto rec = service_container(store, {project.name, o.service, o.index, true, true});

    runtime::ExecOptions e;
    e.args = o.command;
    e.env = exec_env(o.env, project.environment);
    e.cwd = o.workdir;
    e.user = o.user;
    e.detach = o.detach;
    e.privileged = o.privileged;  // as docker exec --privileged: every capability the runtime holds
    // docker compose: a TTY unless -T, and never when our stdin is not a terminal.
    e.tty = !o.detach && !o.no_tty && o.tty && ::isatty(0);
    if (o.detach) {
      nlohmann::json body{{"detach", true}, {"args", e.args}, {"env", e.env}, {"cwd", e.cwd}, {"user", e.user}, {"privileged", e.privileged}};
      auto client = EngineClient::connect(std::filesystem::absolute(daemon::default_root()));
      auto res = client.request("POST", "/containers/" + rec.id + "/exec", &body);
      if (res.status >= 400) {
        auto j = nlohmann::json::parse(res.body, nullptr, false);
        std::string message = j.is_object() ? j.value("message", res.body) : res.body;
        throw Error(message, j.is_object() ? j.value("exit_code", 1) : 1);
      }
      return;
    }
    std::optional<TerminalShield> shield;
    if (!e.tty) shield.emplace();
    ctx.exit_code = store.runtime().exec(rec.id, e);
  });
}

}  // namespace mycompose::cli
