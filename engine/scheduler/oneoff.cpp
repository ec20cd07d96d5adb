#include "oneoff.hpp"

#include <fcntl.h>
#include <unistd.h>

#include "mycompose/common/error.hpp"
#include "mycompose/common/random.hpp"
#include "mycompose/common/unique_fd.hpp"
#include "lifecycle.hpp"
#include "project_state.hpp"

namespace mycompose::scheduler {
namespace {

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

bool is_oneoff(const ContainerRecord& rec) {
  auto it = rec.labels.find("com.docker.compose.oneoff");
  return it != rec.labels.end() && it->second == "True";
}

// docker compose v2 gives a one-off its service's DNS names only with --use-aliases: then
// the service name joins each network's aliases; else the one-off has no aliases at all.
void set_oneoff_aliases(nlohmann::ordered_json& def, const std::string& service, bool use_aliases) {
  if (!def.value("network_mode", "").empty()) return;  // no project network to join
  if (!def.contains("networks") || !def["networks"].is_object() || def["networks"].empty()) def["networks"] = {{"default", nullptr}};
  auto& networks = def["networks"];
  for (auto it = networks.begin(); it != networks.end(); ++it) {
    auto& cfg = it.value();
    if (!cfg.is_object()) cfg = nlohmann::ordered_json::object();
    nlohmann::ordered_json aliases = nlohmann::ordered_json::array();
    if (use_aliases) {
      aliases.push_back(service);
      for (const auto& a : cfg.value("aliases", nlohmann::ordered_json::array())) aliases.push_back(a);
    }
    cfg["aliases"] = aliases;
  }
}

}  // namespace

std::vector<std::string> endpoint_dns_names(const ContainerRecord& rec, const std::vector<std::string>& aliases) {
  std::vector<std::string> names;
  if (!is_oneoff(rec)) names.push_back(rec.service);
  names.push_back(rec.name);
  names.push_back(rec.id.substr(0, 12));
  names.insert(names.end(), aliases.begin(), aliases.end());
  return names;
}

OneOff run_oneoff(const std::filesystem::path& root, const compose::Project& project, const OneOffRequest& req, const ConvergeHooks& hooks) {
  const Plan plan = make_plan(project, {{req.service}, true, {}});
  const ServicePlan* sp = plan.find(req.service);
  if (!sp) throw Error("no such service: " + req.service);
  check_sysctls(project, req.no_deps ? plan : make_plan(project, {{req.service}, false, {}}));
  std::vector<std::string> deps;
  if (!req.no_deps)
    for (const auto& d : sp->depends_on) deps.push_back(d.service);

  DesiredContainer want;
  const std::string slug = random_hex(6);
  // As docker compose: project, service, "run" and the slug joined by its separator ('_' under
  // --compatibility), which the service's name prefix ends with.
  const std::string sep = sp->name_prefix.substr(sp->name_prefix.size() - 1);
  want.name = req.name.empty() ? sp->name_prefix + "run" + sep + slug : req.name;
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
  set_oneoff_aliases(def, req.service, req.use_aliases);
  st.ensure_networks();
  const auto volumes = st.ensure_volumes();
  if (req.remove_orphans)
    for (const auto& c : st.store.list(project.name))
      if (!st.services.contains(c.service)) st.remove(c.id, c.name);
  // Dependencies (and theirs), in order, each once its own dependencies' conditions hold:
  // created and started, or started, or left running. (Not through Converger::up: run inside
  // this worker it crashed the engine; see the report.)
  if (!deps.empty()) {
    for (const auto& dep : make_plan(project, PlanOptions{deps, false, {}}).services) {
      wait_dependencies(st, dep);
      for (const auto& c : dep.containers) {
        auto existing = st.store.find(c.name);
        if (!existing) st.create_and_start(dep, c, volumes);
        else if (st.store.state(existing->id).status == "running") st.progress("Container " + c.name, "Running");
        else st.start_existing(existing->id, dep.name, c.name);
      }
    }
    wait_dependencies(st, *sp);
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
