#pragma once
// One project's view of the engine's root while a command works on it: the project model,
// its networks and containers, and the steps every command shares (create and start a
// service's container, connect it to its networks, stop and remove one). Converger (up,
// down) and the lifecycle commands are built from these. Not thread-safe: the engine runs
// one command per project at a time.
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mycompose/compose/loader.hpp"
#include "mycompose/net/network_manager.hpp"
#include "mycompose/scheduler/container_store.hpp"
#include "mycompose/scheduler/converge.hpp"
#include "mycompose/scheduler/plan.hpp"
#include "mycompose/scheduler/reconcile.hpp"
#include "volume_sources.hpp"

namespace mycompose::scheduler {

// The service's `ports` as the proxy's bindings to container_ip (owner: the container's name).
std::vector<net::PortBinding> port_bindings(const std::string& service, const nlohmann::ordered_json& definition,
                                            const std::string& owner, const std::string& container_ip);
// What <container>/ports.json holds: [{"host_ip","host_port","protocol","container_ip","container_port"}].
nlohmann::json published_json(const std::vector<net::PublishedPort>& ports);
// ports.json read back (none: empty), and the DNAT rules those ports need.
std::vector<net::PublishedPort> read_published(const std::filesystem::path& container_dir);
std::vector<net::ForwardedPort> forwarded_ports(const std::vector<net::PublishedPort>& published);

class ProjectState {
 public:
  using Json = nlohmann::ordered_json;
  ProjectState(const std::filesystem::path& root, const compose::Project& project, const ConvergeHooks& hooks);

  const compose::Project& project;
  const ConvergeHooks& hooks;
  net::NetworkManager networks;
  ContainerStore store;
  Json services;  // the model's services

  void progress(const std::string& id, const std::string& status, ProgressEvent::State state = ProgressEvent::State::Done,
                const std::string& text = "") const;
  void warn(const std::string& text) const;

  // The host name of a Compose network key ("default" → "shop_default", or its name:).
  std::string network_name(const std::string& key) const;
  // Creates the missing networks; one whose definition changed is removed first
  // (remove_diverged_network) and made again.
  void ensure_networks();
  // Stops and disconnects the containers on `network`, then removes it.
  void remove_diverged_network(const net::NetworkRecord& network);
  // Containers that must be recreated whatever their config hash says (id → why): not
  // mounting the volume their service's volume key names now.
  std::map<std::string, std::string> stale;
  // Marks the project's containers that mount another volume than `volumes` (key → name)
  // gives their service's volume entries (an external volume switched) as stale.
  void mark_switched_volumes(const std::map<std::string, std::string>& volumes);
  // Compose volume key → the volume's name on the host; creates the missing ones. A volume
  // whose definition changed (diverged_volumes) is kept as it is unless its name is in
  // recreate_volumes (the user said yes, or -y): then its containers of this project are
  // removed, the volume removed and made again; the reconcile creates the containers again.
  std::map<std::string, std::string> ensure_volumes();
  std::set<std::string> recreate_volumes;
  void remove_diverged_volume(const std::string& name);
  std::vector<ExistingContainer> existing();

  // Every network the container is on: disconnect (the DNS forgets its address).
  void disconnect_all(const std::string& id);
  // The service's project networks, in Compose's order, unless network_mode says otherwise.
  void connect(const std::string& service, const ContainerRecord& rec);
  std::string resolv_conf_for(const std::string& service);
  // The network a service's containers join first (none with a network_mode).
  std::optional<net::NetworkRecord> first_network(const std::string& service);
  // The service's `ports` published for the container at its address on `network` (proxy
  // for the host side, DNAT for other hosts), recorded in <container>/ports.json.
  void publish_ports(const std::string& service, const ContainerRecord& rec, const std::string& network, const net::Endpoint& ep);

  // Created and connected, not started (the caller starts it, or `create`/--no-start).
  // adjust: a last change to the request (a one-off's stdio).
  ContainerRecord create(const ServicePlan& sp, const DesiredContainer& want, const std::map<std::string, std::string>& volumes,
                         const std::function<void(CreateRequest&)>& adjust = nullptr, bool announce = true);
  void create_and_start(const ServicePlan& sp, const DesiredContainer& want, const std::map<std::string, std::string>& volumes);
  // A container made from `create` started: Starting, post_start hooks, Started.
  void start_new(const ServicePlan& sp, const ContainerRecord& rec);
  // The old container replaced by a new one under the same number, shown as docker compose
  // shows it (Recreate, Recreated); started unless `start` is false (--no-start).
  void recreate(const ServicePlan& sp, const DesiredContainer& want, const std::map<std::string, std::string>& volumes,
                const std::string& old_id, const std::string& old_name, std::optional<std::chrono::seconds> timeout, bool start);
  // An existing container of the project, stopped or created: renewed if it ran before,
  // connected again, started.
  void start_existing(const std::string& id, const std::string& service, const std::string& name);
  void run_pre_stop(const std::string& id);
  // Both run the service's pre_stop hooks first when the container runs (a failing one
  // throws and leaves it running).
  void stop(const std::string& id, const std::string& name, std::optional<std::chrono::seconds> timeout = std::nullopt);
  void remove(const std::string& id, const std::string& name, std::optional<std::chrono::seconds> timeout = std::nullopt,
              bool announce = true);
  // Anonymous volumes, as docker compose treats them: remove() hands a container's over to the
  // container created next under its name (a recreate keeps them) unless renew_anonymous_volumes
  // (-V); with remove_anonymous_volumes (down -v, rm -v) they are deleted with the container.
  bool renew_anonymous_volumes = false;
  bool remove_anonymous_volumes = false;
  AnonymousHandover anonymous_handover;
  void release_anonymous_volumes(const std::string& id, const std::string& name);
  const std::filesystem::path root;  // MYCOMPOSE_ROOT

  // depends_on conditions, on the dependency `service`'s containers: service_started holds
  // already; service_healthy waits for each to be healthy; service_completed_successfully for
  // each to exit 0. Throws Error with docker compose's message when it never will.
  void wait_condition(const std::string& service, const std::string& condition);
  // --wait: every planned container running, or healthy when it has a healthcheck.
  void wait_running_or_healthy(const Plan& plan, std::optional<std::chrono::seconds> timeout);
  // The service's container has a healthcheck (its own, or its image's not disabled).
  bool has_healthcheck(const std::string& service, const ContainerRecord& rec);
  // The project's containers of `service` (not one-off `run` containers).
  std::vector<ContainerRecord> containers_of(const std::string& service);
};

}  // namespace mycompose::scheduler
