#pragma once
// Shared by the settings_* tests: a project from YAML (with the top-level secrets and configs
// a CreateRequest carries), a folder the container writes its findings to, and a ProjectState
// for the steps that span containers (volumes_from, a recreate handing over volumes).
#include <map>
#include <string>

#include "../../../engine/scheduler/project_state.hpp"
#include "mycompose/scheduler/plan.hpp"
#include "store_fixture.hpp"

namespace settings_test {

using namespace store_test;
using Json = nlohmann::ordered_json;

inline mycompose::compose::Project project_of(const std::string& yaml) {
  mycompose::compose::NormalizeContext ctx;
  ctx.project_name = "shop";
  ctx.working_dir = "/srv/shop";
  ctx.resolve_env_files = false;
  mycompose::compose::Project p;
  p.name = "shop";
  p.working_dir = "/srv/shop";
  p.model = mycompose::compose::normalize(mycompose::compose::parse_yaml(yaml, "compose.yaml"), ctx).model;
  return p;
}

// request() plus the model's top-level secrets and configs, as ProjectState::create fills them.
inline CreateRequest request_with_files(const std::string& yaml, const std::string& service = "web") {
  CreateRequest r = request(yaml, service);
  const auto p = project_of(yaml);
  r.secrets = p.model.value("secrets", Json::object());
  r.configs = p.model.value("configs", Json::object());
  return r;
}

// A folder bind-mounted at /out, where the container's commands write what they see.
inline stdfs::path out_dir(const Root& r) {
  const stdfs::path out = r.dir / "out";
  stdfs::create_directories(out);
  return out;
}

// One project's steps on the root, as the converge step takes them (no networks:
// services here use network_mode: none).
struct Steps {
  mycompose::compose::Project project;
  mycompose::scheduler::ConvergeHooks hooks;
  mycompose::scheduler::ProjectState state;
  mycompose::scheduler::Plan plan;
  std::map<std::string, std::string> volumes;
  Steps(const Root& r, const std::string& yaml)
      : project(project_of(yaml)), state(r.root(), project, hooks), plan(mycompose::scheduler::make_plan(project)) {
    volumes = state.ensure_volumes();
  }
  mycompose::scheduler::ContainerRecord create(const std::string& service, int number = 1) {
    const auto& sp = *plan.find(service);
    for (const auto& want : sp.containers)
      if (want.number == number) return state.create(sp, want, volumes);
    throw std::runtime_error("no container " + std::to_string(number) + " of " + service);
  }
};

}  // namespace settings_test
