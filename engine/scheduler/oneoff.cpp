#include "oneoff.hpp"

#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>

#include "mycompose/common/error.hpp"
#include "mycompose/common/unique_fd.hpp"
#include "project_state.hpp"

namespace mycompose::scheduler {
namespace {

std::string random_hex12() {
  unsigned char raw[6];
  if (::getrandom(raw, sizeof raw, 0) != sizeof raw) throw SystemError("getrandom", errno);
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

// The CLI's FIFO ends are open already, so neither open waits; O_NONBLOCK makes a CLI that
// went away an error (ENXIO) instead of a hang, and is cleared for the container.
UniqueFd open_fifo(const std::string& path, int flags) {
  if (path.empty()) return UniqueFd();
  UniqueFd fd(::open(path.c_str(), flags | O_NONBLOCK | O_CLOEXEC));
  if (!fd) throw SystemError("open " + path + " (the CLI's end of run's stdio)", errno);
  check_syscall(::fcntl(fd.get(), F_SETFL, ::fcntl(fd.get(), F_GETFL) & ~O_NONBLOCK), "fcntl " + path);
  return fd;
}

// The one-off's own progress lines are not shown (docker compose shows its dependencies').
ConvergeHooks quiet_about(const ConvergeHooks& hooks, const std::string& name, bool own_stdio) {
  ConvergeHooks h = hooks;
  h.progress = [progress = hooks.progress, id = "Container " + name](const ProgressEvent& e) {
    if (e.id != id && progress) progress(e);
  };
  if (own_stdio) h.container_created = nullptr;  // its output goes to the CLI, not to the log capture
  return h;
}

}  // namespace

OneOff run_oneoff(const std::filesystem::path& root, const compose::Project& project, const OneOffRequest& req, const ConvergeHooks& hooks) {
  const Plan plan = make_plan(project, {{req.service}, true, {}});
  const ServicePlan* sp = plan.find(req.service);
  if (!sp) throw Error("no such service: " + req.service);
  std::vector<std::string> deps;
  if (!req.no_deps)
    for (const auto& d : sp->depends_on) deps.push_back(d.service);

  DesiredContainer want;
  const std::string slug = random_hex12();
  want.name = req.name.empty() ? project.name + "-" + req.service + "-run-" + slug : req.name;
  want.number = 1;
  if (!sp->containers.empty()) want.labels = sp->containers.front().labels;
  want.labels["com.docker.compose.project"] = project.name;
  want.labels["com.docker.compose.service"] = req.service;
  want.labels["com.docker.compose.oneoff"] = "True";
  want.labels["com.docker.compose.container-number"] = "1";
  want.labels["com.docker.compose.slug"] = slug;
  for (const auto& [k, v] : req.labels) want.labels[k] = v;

  const bool own_stdio = !req.stdout_fifo.empty() || !req.console_socket.empty();
  const ConvergeHooks h = quiet_about(hooks, want.name, own_stdio);
  ProjectState st(root, project, h);
  auto& def = st.services[req.service];
  // A one-off runs once: no restart policy, and never the service's fixed container name.
  def.erase("restart");
  def.erase("container_name");
  if (def.contains("deploy") && def["deploy"].is_object()) def["deploy"].erase("restart_policy");
  st.ensure_networks();
  const auto volumes = st.ensure_volumes();
  // Dependencies (and theirs), in order: created and started, or started, or left running.
  // (Not through Converger::up: run inside this worker it crashed the engine; see the report.)
  if (!deps.empty())
    for (const auto& dep : make_plan(project, PlanOptions{deps, false, {}}).services)
      for (const auto& c : dep.containers) {
        auto existing = st.store.find(c.name);
        if (!existing) st.create_and_start(dep, c, volumes);
        else if (st.store.state(existing->id).status == "running") st.progress("Container " + c.name, "Running");
        else st.start_existing(existing->id, dep.name, c.name);
      }

  UniqueFd in = open_fifo(req.stdin_fifo, O_RDONLY), out = open_fifo(req.stdout_fifo, O_WRONLY),
           err = open_fifo(req.stderr_fifo, O_WRONLY);
  UniqueFd null_out;
  if (!req.console_socket.empty()) {  // the pty is its stdio; nothing for the log capture
    null_out.reset(::open("/dev/null", O_WRONLY | O_CLOEXEC));
    if (!null_out) throw SystemError("open /dev/null", errno);
  }
  ContainerRecord rec = st.create(*sp, want, volumes, [&](CreateRequest& r) {
    r.stdin_fd = in.get();
    r.stdout_fd = out ? out.get() : null_out.get();
    r.stderr_fd = err ? err.get() : null_out.get();
    r.console_socket = req.console_socket;
  });
  try {
    st.store.start(rec.id);
  } catch (...) {
    st.disconnect_all(rec.id);
    st.store.remove(rec.id, true);
    throw;
  }
  return {rec.id, rec.name, st.store.state(rec.id).pid};
}

void remove_oneoff(const std::filesystem::path& root, const compose::Project& project, const std::string& id, const ConvergeHooks& hooks) {
  auto rec = ContainerStore(root).find(id);
  if (!rec) throw Error("No such container: " + id);
  auto oneoff = rec->labels.find("com.docker.compose.oneoff");
  if (rec->project != project.name || oneoff == rec->labels.end() || oneoff->second != "True")
    throw Error("container " + rec->name + " is not a one-off container of project " + project.name);
  const ConvergeHooks h = quiet_about(hooks, rec->name, false);
  ProjectState st(root, project, h);
  st.remove_anonymous_volumes = true;  // as docker's --rm
  st.remove(rec->id, rec->name, std::chrono::seconds(0));
}

}  // namespace mycompose::scheduler
