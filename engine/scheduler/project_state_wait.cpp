// What `up` waits for: depends_on conditions and --wait.
#include <sys/syscall.h>
#include <poll.h>
#include <unistd.h>

#include <set>
#include <thread>

#include "mycompose/common/error.hpp"
#include "mycompose/common/go_duration.hpp"
#include "mycompose/common/fs.hpp"
#include "mycompose/common/unique_fd.hpp"
#include "mycompose/image/store.hpp"
#include "project_state.hpp"
#include "wait_exit.hpp"

namespace mycompose::scheduler {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kPollEvery = std::chrono::milliseconds(50);

// "starting" | "healthy" | "unhealthy", "" before the health monitor wrote anything.
std::string health_status(const std::filesystem::path& root, const std::string& id) {
  try {
    auto j = nlohmann::json::parse(fs::read_file(root / "containers" / id / "health.json"));
    return j.value("Status", "");
  } catch (const std::exception&) {
    return "";
  }
}

std::string exit_text(const runtime::ContainerState& st) {
  return st.exit_code ? std::to_string(*st.exit_code) : "unknown";
}

}  // namespace

void wait_a_little(pid_t pid, std::chrono::milliseconds slice) {
  UniqueFd fd(pid > 0 ? static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)) : -1);
  if (!fd) {
    std::this_thread::sleep_for(slice);
    return;
  }
  pollfd p{fd.get(), POLLIN, 0};
  ::poll(&p, 1, static_cast<int>(slice.count()));
}

std::vector<ContainerRecord> ProjectState::containers_of(const std::string& service) {
  std::vector<ContainerRecord> out;
  for (auto& r : store.list(project.name)) {
    auto oneoff = r.labels.find("com.docker.compose.oneoff");
    if (r.service == service && !(oneoff != r.labels.end() && oneoff->second == "True")) out.push_back(std::move(r));
  }
  return out;
}

bool ProjectState::has_healthcheck(const std::string& service, const ContainerRecord& rec) {
  const Json def = services.value(service, Json::object());
  if (def.contains("healthcheck")) {
    const Json& h = def["healthcheck"];
    if (h.value("disable", false)) return false;
    if (h.contains("test") && h["test"].is_array() && !h["test"].empty()) return h["test"][0] != "NONE";
  }
  try {
    const auto config = image::ImageStore(root).image_config(rec.image_id);
    const auto& test = config.at("config").at("Healthcheck").at("Test");
    return test.is_array() && !test.empty() && test[0] != "NONE";
  } catch (const std::exception&) {
    return false;
  }
}

void ProjectState::wait_condition(const std::string& service, const std::string& condition) {
  if (condition != "service_healthy" && condition != "service_completed_successfully") return;
  for (const auto& c : containers_of(service)) {
    const std::string id = "Container " + c.name;
    progress(id, "Waiting", ProgressEvent::State::Working);
    if (condition == "service_healthy" && !has_healthcheck(service, c)) {
      // docker compose looks first after half a second, and an exit by then is what it
      // reports: "container x exited (1)".
      runtime::ContainerState st = store.state(c.id);
      if (st.status != "stopped") wait_a_little(st.pid, std::chrono::milliseconds(500));
      st = store.state(c.id);
      progress(id, "Error", ProgressEvent::State::Error);
      if (st.status == "stopped") throw Error("container " + c.name + " exited (" + exit_text(st) + ")");
      throw Error("container " + c.name + " has no healthcheck configured");
    }
    for (;;) {
      const runtime::ContainerState st = store.state(c.id);
      if (condition == "service_completed_successfully") {
        if (st.status == "stopped") {
          if (st.exit_code == 0) break;
          progress(id, "Error", ProgressEvent::State::Error);
          throw Error("service \"" + service + "\" didn't complete successfully: exit " + exit_text(st));
        }
      } else {
        const std::string health = health_status(root, c.id);
        if (health == "healthy") break;
        if (health == "unhealthy") {
          progress(id, "Error", ProgressEvent::State::Error);
          throw Error("container " + c.name + " is unhealthy");
        }
        if (st.status == "stopped") {
          progress(id, "Error", ProgressEvent::State::Error);
          throw Error("container " + c.name + " exited (" + exit_text(st) + ")");
        }
      }
      wait_a_little(st.pid, kPollEvery);
    }
    progress(id, condition == "service_healthy" ? "Healthy" : "Exited");
  }
}

void ProjectState::wait_running_or_healthy(const Plan& plan, std::optional<std::chrono::seconds> timeout) {
  const auto deadline = timeout ? Clock::now() + *timeout : Clock::time_point::max();
  auto timed_out = [&](const std::string& id) {
    if (Clock::now() < deadline) return;
    progress(id, "Error", ProgressEvent::State::Error);
    throw Error("application not healthy after " + format_go_duration(std::int64_t(timeout->count()) * 1'000'000'000));  // docker compose's words
  };
  // As docker compose: a service another depends on with service_completed_successfully is a
  // one-shot, waited for until it exits 0; every other one until it runs (or is healthy).
  std::set<std::string> one_shots;
  for (const auto& [name, def] : services.items())
    if (def.is_object() && def.contains("depends_on") && def["depends_on"].is_object())
      for (const auto& [dep, cond] : def["depends_on"].items())
        if (cond.is_object() && cond.value("condition", "") == "service_completed_successfully") one_shots.insert(dep);
  for (const auto& sp : plan.services)
    for (const auto& c : containers_of(sp.name)) {
      const std::string id = "Container " + c.name;
      progress(id, "Waiting", ProgressEvent::State::Working);
      if (one_shots.count(sp.name)) {
        for (;;) {
          const runtime::ContainerState st = store.state(c.id);
          if (st.status == "stopped") {
            if (st.exit_code == 0) break;
            const std::string msg = "service \"" + sp.name + "\" didn't complete successfully: exit " + exit_text(st);
            progress(id, "Error", ProgressEvent::State::Error, msg);
            throw Error(msg);
          }
          timed_out(id);
          wait_a_little(st.pid, kPollEvery);
        }
        progress(id, "Exited");
        continue;
      }
      const bool health = has_healthcheck(sp.name, c);
      for (;;) {
        const runtime::ContainerState st = store.state(c.id);
        if (st.status == "stopped") {
          progress(id, "Error", ProgressEvent::State::Error);
          throw Error("container " + c.name + " exited (" + exit_text(st) + ")");
        }
        if (!health && st.status == "running") break;
        const std::string h = health ? health_status(root, c.id) : "";
        if (h == "healthy") break;
        if (h == "unhealthy") {
          progress(id, "Error", ProgressEvent::State::Error);
          throw Error("container " + c.name + " is unhealthy");
        }
        timed_out(id);
        wait_a_little(st.pid, kPollEvery);
      }
      progress(id, health ? "Healthy" : "Running");
    }
}

}  // namespace mycompose::scheduler
