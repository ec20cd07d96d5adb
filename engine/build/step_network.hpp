#pragma once
// The network of one RUN step. As Docker's builder: by default a namespace of its own on the
// root's build network (net::NetworkManager::connect_build_step: outbound through NAT, no
// way to the host's loopback, other networks or the host's interfaces); "none" a namespace
// with only lo; "host" the host's own, only when the build asks for it.
//
// Made inside run_in_child (the builder's forked child), whichever process builds (CLI or
// engine): the child creates the namespace and holds it by fd, so it lives exactly as long
// as the step; the runtime joins it through /proc/<child>/fd/<fd>. A builder killed half-way
// takes the child and the namespace with it; the kernel then deletes the veth, and what is
// left in the root's network state (the step's endpoint, an idle build network) is what
// NetworkManager::prune_build_network and `system check` remove.
#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>

#include "mycompose/common/unique_fd.hpp"
#include "mycompose/runtime/spec_generator.hpp"

namespace mycompose::build {

enum class RunNetwork { Default, None, Host };

// "" and "default" → Default, "none", "host"; nullopt for anything else.
std::optional<RunNetwork> parse_run_network(const std::string& value);

class StepNetwork {
 public:
  // Default: connects a new namespace to the build network of `state_root` (throws Error),
  // held by `builder` between steps (NetworkManager::connect_build_step).
  StepNetwork(RunNetwork mode, const std::filesystem::path& state_root, std::string step_id, pid_t builder);
  ~StepNetwork();  // disconnects, best effort (system check finds what is left)
  StepNetwork(const StepNetwork&) = delete;
  StepNetwork& operator=(const StepNetwork&) = delete;

  // For the step's OCI spec.
  runtime::NamespaceMode namespace_mode() const;
  // /etc/resolv.conf of the step: the host's resolvers for host; for an own namespace the
  // host's without loopback ones (unreachable from there), else Docker's public defaults,
  // as buildkit does; empty for none.
  std::string resolv_conf() const;

 private:
  RunNetwork mode_;
  std::filesystem::path state_root_;
  std::string step_id_;
  UniqueFd netns_;
  bool connected_ = false;
};

}  // namespace mycompose::build
