#include "lifecycle.hpp"

#include <algorithm>
#include <csignal>
#include <set>

#include "mycompose/common/error.hpp"
#include "mycompose/common/fs.hpp"
#include "pre_start.hpp"

namespace mycompose::scheduler {
namespace stdfs = std::filesystem;
using nlohmann::json;

namespace {

bool is_oneoff(const ContainerRecord& c) {
  auto it = c.labels.find("com.docker.compose.oneoff");
  return it != c.labels.end() && it->second == "True";
}

bool is_anonymous_volume_name(const std::string& name) {
  return name.size() == 64 && name.find_first_not_of("0123456789abcdef") == std::string::npos;
}

}  // namespace

Lifecycle::Lifecycle(ProjectState& state, EventHook events) : s_(state), events_(std::move(events)) {}

void Lifecycle::event(const std::string& action, const ContainerRecord& c, const json& attributes) {
  if (events_) events_(action, c, attributes);
}

std::vector<ContainerRecord> Lifecycle::selected(const std::vector<std::string>& services, bool with_dependencies, bool reverse,
                                                 bool oneoff) {
  PlanOptions po;
  po.services = services;
  po.no_deps = !with_dependencies;
  const Plan plan = make_plan(s_.project, po);
  const auto all = s_.store.list(s_.project.name);
  std::vector<ContainerRecord> out;
  std::set<std::string> planned;
  for (const auto& sp : plan.services) {
    planned.insert(sp.name);
    std::vector<ContainerRecord> mine;
    for (const auto& c : all)
      if (c.service == sp.name && (oneoff || !is_oneoff(c))) mine.push_back(c);
    std::stable_sort(mine.begin(), mine.end(), [](const auto& a, const auto& b) { return a.number < b.number; });
    out.insert(out.end(), mine.begin(), mine.end());
  }
  if (services.empty())
    for (const auto& c : all)
      if (!s_.services.contains(c.service) && (oneoff || !is_oneoff(c))) out.push_back(c);
  if (reverse) std::reverse(out.begin(), out.end());
  return out;
}

void Lifecycle::create(const PlanOptions& po, const ReconcileOptions& ro, const std::vector<std::string>& recreate_volumes) {
  const Plan plan = make_plan(s_.project, po);
  check_sysctls(s_.project, plan);
  std::set<std::string> model_services;
  for (const auto& [name, def] : s_.services.items()) model_services.insert(name);
  s_.ensure_networks();
  s_.recreate_volumes.insert(recreate_volumes.begin(), recreate_volumes.end());
  const auto volumes = s_.ensure_volumes();
  s_.mark_switched_volumes(volumes);
  const Reconciliation r = reconcile(plan, model_services, s_.existing(), ro);
  if (!r.orphans.empty()) s_.warn(orphan_warning(r.orphans));
  for (const auto& step : r.steps) {
    switch (step.kind) {
      case StepKind::Create:
      case StepKind::Recreate: {
        if (step.kind == StepKind::Recreate) s_.remove(step.container_id, step.name);
        const ServicePlan& sp = *plan.find(step.service);
        const DesiredContainer want = sp.desired(step.number);
        event("create", s_.create(sp, want, volumes));
        break;
      }
      case StepKind::Start:  // exists, stopped: `create` leaves it so
        s_.progress("Container " + step.name, "Created");
        break;
      case StepKind::Keep:
        s_.progress("Container " + step.name, "Running");
        break;
      case StepKind::Remove:
        s_.remove(step.container_id, step.name);
        break;
    }
  }
  // As docker compose's create: the pre_start runners are prepared for a later `start`
  // (not for a service left running).
  for (const auto& sp : plan.services) {
    const bool keeps = std::any_of(r.steps.begin(), r.steps.end(),
                                   [&](const Step& st) { return st.service == sp.name && st.kind == StepKind::Keep; });
    if (!keeps && has_pre_start(s_.services.value(sp.name, nlohmann::ordered_json::object())))
      prepare_pre_start_runners(s_, sp, volumes);
  }
}

void Lifecycle::start(const std::vector<std::string>& services) {
  const auto containers = selected(services, true, false);
  for (const auto& name : services) {
    const bool any = std::any_of(containers.begin(), containers.end(), [&](const auto& c) { return c.service == name; });
    if (!any) throw Error("service \"" + name + "\" has no container to start");
  }
  if (containers.empty()) throw Error("no containers to start");
  const Plan plan = make_plan(s_.project, PlanOptions{services, false, {}});
  std::set<std::string> gated;
  for (const auto& c : containers) {
    const ServicePlan* sp = plan.find(c.service);
    if (sp && gated.insert(c.service).second) {
      wait_dependencies(s_, *sp);
      // The runners `create` or `up --no-start` prepared; none left (consumed by an earlier
      // start) is an error pointing to `up`. Not for a service that already runs.
      const auto mine = s_.containers_of(c.service);
      const bool running = std::any_of(mine.begin(), mine.end(), [&](const ContainerRecord& m) {
        const std::string st = s_.store.state(m.id).status;
        return st == "running" || st == "paused";
      });
      if (!running) run_pre_start(s_, c.service);
    }
    s_.start_existing(c.id, c.service, c.name);
  }
}

void wait_dependencies(ProjectState& state, const ServicePlan& service) {
  for (const auto& d : service.depends_on) {
    try {
      state.wait_condition(d.service, d.condition);
    } catch (const std::exception& e) {
      if (!d.required) {
        state.warn("optional dependency \"" + d.service + "\" of \"" + service.name + "\" failed: " + e.what());
        continue;
      }
      const std::string why = e.what();  // a failed one-shot in its own words, as docker compose
      throw Error(why.find("didn't complete successfully") != std::string::npos ? why : "dependency failed to start: " + why);
    }
  }
}

void Lifecycle::stop(const std::vector<std::string>& services, std::optional<std::chrono::seconds> timeout) {
  for (const auto& c : selected(services, false, true)) {
    const std::string status = s_.store.state(c.id).status;
    if (status == "running" || status == "paused") {
      s_.stop(c.id, c.name, timeout);
      event("stop", c);
    } else {
      s_.progress("Container " + c.name, "Stopped");
    }
  }
}

void Lifecycle::restart(const std::vector<std::string>& services, bool no_deps, std::optional<std::chrono::seconds> timeout) {
  // As docker compose's restart: the named services are restarted with the services that
  // depend on them with `restart: true` (not with their dependencies), each once the
  // conditions of its dependencies restarted along hold again.
  const Plan all = make_plan(s_.project);
  std::set<std::string> chosen(services.begin(), services.end());
  if (services.empty()) {
    for (const auto& sp : all.services) chosen.insert(sp.name);
  } else if (!no_deps) {
    for (bool grew = true; grew;) {  // dependents by restart: true, transitively
      grew = false;
      for (const auto& sp : all.services)
        for (const auto& d : sp.depends_on)
          if (d.restart && chosen.count(d.service) && chosen.insert(sp.name).second) grew = true;
    }
  }
  const auto containers = selected({chosen.begin(), chosen.end()}, false, false);
  if (containers.empty() && !services.empty()) throw Error("service \"" + services.front() + "\" has no container to restart");
  std::set<std::string> gated;
  for (const auto& c : containers) {
    const ServicePlan* sp = all.find(c.service);
    if (sp && gated.insert(c.service).second) {
      ServicePlan restarted_deps = *sp;
      // Waits on the dependencies restarted along (docker compose waits on the restart: true
      // ones only; the others' conditions are kept as start keeps them).
      std::erase_if(restarted_deps.depends_on, [&](const Dependency& d) { return !chosen.count(d.service); });
      wait_dependencies(s_, restarted_deps);
    }
    const std::string status = s_.store.state(c.id).status;
    if (status == "running" || status == "paused") s_.stop(c.id, c.name, timeout);
    s_.start_existing(c.id, c.service, c.name);
    event("restart", c);
  }
}

namespace {

// Docker's kill: the restart policy does not bring the container back after SIGKILL or its
// own stop signal; without a stop signal of its own, after any signal (moby killWithSignal
// sets ExitOnNext). The record cannot tell an explicit SIGTERM from the default one, so
// SIGTERM counts as "none of its own".
bool ends_by_user(const ContainerRecord& c, int sig) {
  if (sig == SIGKILL || c.stop_signal.empty() || c.stop_signal == "SIGTERM") return true;
  return sig == runtime::parse_signal(c.stop_signal);
}

}  // namespace

void Lifecycle::kill(const std::vector<std::string>& services, const std::string& signal_name) {
  const int sig = runtime::parse_signal(signal_name);
  for (const auto& c : selected(services, false, true)) {
    const std::string status = s_.store.state(c.id).status;
    if (status != "running" && status != "paused") continue;
    s_.progress("Container " + c.name, "Killing", ProgressEvent::State::Working);
    if (ends_by_user(c, sig) && s_.hooks.killing) s_.hooks.killing(c.id);
    s_.store.kill(c.id, sig);
    event("kill", c, {{"signal", std::to_string(sig)}});
    s_.progress("Container " + c.name, "Killed");
  }
}

void Lifecycle::pause(const std::vector<std::string>& services) {
  // As docker compose: a service the project does not have pauses nothing (exit 0), a
  // container already paused is the engine's error.
  std::vector<std::string> known;
  for (const auto& name : services)
    if (s_.services.contains(name)) known.push_back(name);
  if (known.empty() && !services.empty()) return;
  for (const auto& c : selected(known, false, true)) {
    const std::string status = s_.store.state(c.id).status;
    if (status == "paused") throw Error("container " + c.id + " is already paused");
    if (status != "running") continue;
    s_.progress("Container " + c.name, "Pausing", ProgressEvent::State::Working);
    s_.store.pause(c.id);
    event("pause", c);
    s_.progress("Container " + c.name, "Paused");
  }
}

void Lifecycle::unpause(const std::vector<std::string>& services) {
  for (const auto& c : selected(services, false, false)) {
    if (s_.store.state(c.id).status != "paused") continue;
    s_.progress("Container " + c.name, "Unpausing", ProgressEvent::State::Working);
    s_.store.resume(c.id);
    event("unpause", c);
    s_.progress("Container " + c.name, "Unpaused");
  }
}

std::vector<std::string> Lifecycle::remove(const std::vector<std::string>& containers, bool volumes) {
  std::vector<std::string> removed;
  for (const auto& want : containers) {
    auto c = s_.store.find(want);
    if (!c || c->project != s_.project.name) throw Error("No such container: " + want);
    const std::string status = s_.store.state(c->id).status;
    if (status == "running" || status == "paused") continue;  // rm removes stopped containers only
    const auto anonymous = volumes ? anonymous_volumes(s_.store, c->id) : std::vector<std::string>{};
    s_.remove(c->id, c->name);
    for (const auto& v : anonymous) s_.store.remove_volume(v);
    event("destroy", *c);
    removed.push_back(c->name);
  }
  return removed;
}

std::vector<std::string> anonymous_volumes(const ContainerStore& store, const std::string& id) {
  std::vector<std::string> out;
  const stdfs::path spec = store.folder(id) / "config.json";
  const stdfs::path volumes = store.folder(id).parent_path().parent_path() / "volumes";
  json j;
  try {
    j = json::parse(fs::read_file(spec));
  } catch (const std::exception&) {
    return out;  // no spec, no mounts to find
  }
  for (const auto& m : j.value("mounts", json::array())) {
    const stdfs::path source = m.value("source", "");
    if (source.filename() != "_data" || source.parent_path().parent_path() != volumes) continue;
    const std::string name = source.parent_path().filename().string();
    if (is_anonymous_volume_name(name) && std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
  }
  return out;
}

}  // namespace mycompose::scheduler
