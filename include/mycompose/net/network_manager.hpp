#pragma once
// Bridge networks of one state root: create/remove networks, connect/disconnect container
// network namespaces, and take away everything this root ever made (cleanup_all).
//
// State: <root>/networks/<id>.json, written atomically, and one file per endpoint in
// <root>/networks/<id>.endpoints/ (net/network_manager_state.cpp); every change runs under an flock on
// <root>/networks/.lock, so several engines or tests on one root serialize. Subnet choice
// also takes a host-wide lock, so two roots never pick the same free pool at once.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "mycompose/net/names.hpp"
#include "mycompose/net/network.hpp"

namespace mycompose::net {

class NetlinkSocket;

class NetworkManager {
 public:
  explicit NetworkManager(std::filesystem::path root);

  // Creates the bridge, its address and NAT rules. Throws Error when the name is taken,
  // the driver is not "bridge", or no subnet is free. Undoes every step on failure.
  NetworkRecord create(const NetworkSpec& spec);
  // Removes bridge, rules and state. Throws when endpoints are still connected or the
  // network does not exist.
  void remove(const std::string& name_or_id);
  // By name or id.
  std::optional<NetworkRecord> get(const std::string& name_or_id) const;
  std::vector<NetworkRecord> list() const;

  // Attaches the container's namespace: a veth pair (host side on the bridge, peer named
  // eth<interface_index> inside), an address, the default route (non-internal networks,
  // unless one exists), loopback up. Throws Error when already connected.
  Endpoint connect(const std::string& network, const std::string& container_id, const NetnsRef& netns,
                   const EndpointSpec& spec = {});
  // Deletes the veth pair and releases the address; a namespace already gone is fine.
  // Returns false when the container was not connected.
  bool disconnect(const std::string& network, const std::string& container_id);

  // For an engine (re)start: re-creates the bridges of recorded networks that are gone (a
  // reboot), forgets endpoints whose host veth is gone (their namespace died), and re-applies
  // the nft table and ip_forward. Returns the records as they are now.
  std::vector<NetworkRecord> reconcile();

  // Sets the ports published to this endpoint (replacing earlier ones) and rewrites the
  // DNAT rules; disconnect removes them. Throws Error for an internal network, an unknown
  // endpoint, or a malformed port.
  void forward_ports(const std::string& network, const std::string& container_id, std::vector<ForwardedPort> ports);

  // Removes every link with this root's prefix, its nft table and all network state —
  // also what a crashed engine left behind.
  void cleanup_all();

  // ---- The build network: where Dockerfile RUN steps run (network "default") ----------
  // One bridge of the root with outbound NAT and the isolation of any other network, made by
  // the first step that needs it and removed when no step runs and no builder holds it, so a
  // finished build leaves nothing. It is no user network: list(), get() and names never see it.
  // Attaches a step's namespace (eth0, an address, the default route). `builder` (0 = none)
  // holds the network between its steps, until release_build_network(builder) or its end:
  // making and removing the bridge and rules for every step would cost more than the step's
  // own veth.
  Endpoint connect_build_step(const std::string& step_id, const NetnsRef& netns, pid_t builder = 0);
  // Detaches the step; the network goes with its last step unless a builder holds it.
  void disconnect_build_step(const std::string& step_id);
  void release_build_network(pid_t builder);
  // Forgets steps whose namespace is gone and holders that are gone (a killed builder) and
  // removes the build network when nothing is left. Returns whether it changed anything.
  bool prune_build_network();
  std::optional<NetworkRecord> build_network() const;

  const HostNames& names() const { return names_; }
  const std::filesystem::path& state_dir() const { return dir_; }

 private:
  std::optional<NetworkRecord> find_locked(const std::string& name_or_id) const;  // user networks
  NetworkRecord create_locked(const NetworkSpec& spec, bool build);
  Endpoint connect_locked(NetworkRecord& rec, const std::string& container_id, const NetnsRef& netns,
                          const EndpointSpec& spec);
  bool prune_build_locked(NetlinkSocket& nl);
  void save(const NetworkRecord& rec) const;
  void sync_nat() const;

  std::filesystem::path root_;
  std::filesystem::path dir_;
  HostNames names_;
};

// Whether the process `pid` runs and started at `start_time` (a NetworkRecord::holders entry).
bool build_holder_alive(int pid, unsigned long long start_time);

// Brings `lo` up in a namespace: network_mode none gets a working loopback as in Docker
// (connect() does it for networked containers).
void bring_up_loopback(const NetnsRef& netns);

// State (de)serialization, exposed for tests and `inspect`.
nlohmann::json to_json(const NetworkRecord& rec);
NetworkRecord network_record_from_json(const nlohmann::json& j);

}  // namespace mycompose::net
