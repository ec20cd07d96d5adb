#include "step_network.hpp"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include "mycompose/common/error.hpp"
#include "mycompose/common/fs.hpp"
#include "mycompose/net/network_manager.hpp"
#include "mycompose/net/resolv_conf.hpp"

namespace mycompose::build {

std::optional<RunNetwork> parse_run_network(const std::string& value) {
  if (value.empty() || value == "default") return RunNetwork::Default;
  if (value == "none") return RunNetwork::None;
  if (value == "host") return RunNetwork::Host;
  return std::nullopt;
}

namespace {
UniqueFd open_netns(const char* path) {
  UniqueFd fd(::open(path, O_RDONLY | O_CLOEXEC));
  if (!fd) throw SystemError(std::string("open ") + path, errno);
  return fd;
}

// A new network namespace held by an fd, made without leaving this thread in it.
UniqueFd new_netns() {
  UniqueFd host = open_netns("/proc/thread-self/ns/net");
  if (::unshare(CLONE_NEWNET) != 0) throw SystemError("unshare(CLONE_NEWNET) for a RUN step", errno);
  UniqueFd step = open_netns("/proc/thread-self/ns/net");
  // Back in the host's namespace: the veth is made from here, and a failure must not leave
  // this process (which then runs the runtime) in a half-made namespace.
  if (::setns(host.get(), CLONE_NEWNET) != 0) throw SystemError("return to the host's network namespace", errno);
  return step;
}
}  // namespace

StepNetwork::StepNetwork(RunNetwork mode, const std::filesystem::path& state_root, std::string step_id, pid_t builder)
    : mode_(mode), state_root_(state_root), step_id_(std::move(step_id)) {
  if (mode_ != RunNetwork::Default) return;
  netns_ = new_netns();
  net::NetworkManager(state_root_).connect_build_step(step_id_, net::NetnsRef::of_fd(netns_.get()), builder);
  connected_ = true;
}

StepNetwork::~StepNetwork() {
  if (!connected_) return;
  try {
    net::NetworkManager(state_root_).disconnect_build_step(step_id_);
  } catch (const std::exception&) {
    // The step is over either way; `system check` finds an endpoint or network left behind.
  }
}

runtime::NamespaceMode StepNetwork::namespace_mode() const {
  switch (mode_) {
    case RunNetwork::Host:
      return runtime::NamespaceMode::host();
    case RunNetwork::None:
      return {};  // a new, empty namespace made by the runtime
    case RunNetwork::Default:
      break;
  }
  // The runtime is our child and opens this while we hold the fd.
  return runtime::NamespaceMode::join("/proc/" + std::to_string(::getpid()) + "/fd/" + std::to_string(netns_.get()));
}

std::string StepNetwork::resolv_conf() const {
  switch (mode_) {
    case RunNetwork::None:
      return "";
    case RunNetwork::Host:
      try {
        return fs::read_file("/etc/resolv.conf", 1 << 20);
      } catch (const Error&) {
        return "nameserver 8.8.8.8\n";
      }
    case RunNetwork::Default:
      break;
  }
  return net::container_resolv_conf(net::host_resolv_conf(), {}, net::ResolverMode::Isolated);
}

}  // namespace mycompose::build
