// `mycompose cp`: files between a service's container and the host, or a tar stream ("-").
// The CLI is root on the engine's host and copies itself through the container's root
// folder (scheduler/copy.hpp resolves every container path inside it).
#include <unistd.h>

#include "commands.hpp"
#include "flags/cp.hpp"
#include "mycompose/common/error.hpp"
#include "mycompose/daemon/engine.hpp"
#include "mycompose/scheduler/copy.hpp"
#include "container_table.hpp"
#include "service_container.hpp"

namespace mycompose::cli {
namespace {

struct CpArg {
  std::string service;  // "" for a host path or "-"
  std::string path;
};

// docker's rule: "SERVICE:PATH" when a ':' comes before any '/'; a host path with a colon
// is written "./a:b".
CpArg split_arg(const std::string& arg) {
  auto colon = arg.find(':');
  if (colon == std::string::npos || colon == 0 || arg.find('/') < colon) return {"", arg};
  return {arg.substr(0, colon), arg.substr(colon + 1)};
}

}  // namespace

void register_cp(CLI::App& app, Context& ctx) {
  static flags::CpOptions o;
  auto* cmd = flags::add_cp(app, o);
  cmd->callback([&ctx] {
    const CpArg src = split_arg(o.source), dest = split_arg(o.destination);
    if (!src.service.empty() && !dest.service.empty()) throw Error("copying between services is not supported");
    if (src.service.empty() && dest.service.empty()) throw Error("unknown copy direction");
    const std::string& service = src.service.empty() ? dest.service : src.service;
    // As docker compose: the project by name and the service's containers by label, so it
    // works without a compose file, and an unknown service is one without containers.
    const std::string project = project_name(ctx);
    const auto root = std::filesystem::absolute(daemon::default_root());
    scheduler::ContainerStore store(root);
    const ContainerQuery query{project, service, o.index, false, o.all};
    scheduler::CopyOptions co{o.archive, o.follow_link};

    if (!src.service.empty()) {
      const auto c = scheduler::ContainerFiles::of(root, service_container(store, query));
      if (dest.path == "-") scheduler::copy_from_container_tar(c, src.path, 1, co);
      else scheduler::copy_from_container(c, src.path, dest.path, co);
      return;
    }
    // Into a service: every container of it, unless --index names one (docker compose).
    auto targets = service_containers(store, query);
    if (targets.empty()) service_container(store, query);  // throws docker compose's message
    if (src.path == "-") {
      if (targets.size() > 1) throw Error("cp - SERVICE:PATH reads one tar stream: name the container with --index");
      scheduler::copy_tar_to_container(scheduler::ContainerFiles::of(root, targets.front()), 0, dest.path, co);
      return;
    }
    for (const auto& t : targets) scheduler::copy_to_container(scheduler::ContainerFiles::of(root, t), src.path, dest.path, co);
  });
}

}  // namespace mycompose::cli
