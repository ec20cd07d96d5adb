#pragma once
// The engine's containers under $MYCOMPOSE_ROOT/containers/<id>/: a Compose service's
// container made from an image in the store, run by the embedded runtime.
//
//   container.json   the record below (written atomically)
//   config.json      the OCI spec (the folder is the runtime's bundle)
//   rootfs/          overlay of the image's layers (lower) and upper/ + work/
//   hostname hosts resolv.conf   bind-mounted over the container's /etc files
//   stdout stderr    FIFOs the engine reads the container's output from (log_output.hpp)
//   <id>-json.log    that output in Docker's json-file format (log-config.json: rotation)
//
// create() leaves a container in the runtime's "created" state (its init waits), so the
// engine can attach network endpoints to its netns before start(). Every failure removes
// whatever the call had made: mount, folder, runtime state, cgroup.
#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mycompose/image/store.hpp"
#include "mycompose/runtime/runtime.hpp"
#include "mycompose/scheduler/plan.hpp"

namespace mycompose::scheduler {

struct ContainerRecord {
  std::string id;  // 64 hex digits, also the runtime's container id
  std::string name;
  std::string project;
  std::string service;
  int number = 1;
  std::string image;     // as the service names it
  std::string image_id;  // "sha256:…"
  std::string config_hash;
  std::map<std::string, std::string> labels;
  std::string created;  // RFC 3339
  std::string stop_signal = "SIGTERM";
  int stop_grace_seconds = 10;

  nlohmann::json to_json() const;
  static ContainerRecord from_json(const nlohmann::json& j);
};

struct CreateRequest {
  std::string project;
  std::string service;
  nlohmann::ordered_json definition;  // the service's canonical JSON
  DesiredContainer desired;
  std::string config_hash;
  // Named volumes: Compose volume key ("data") → the volume's name on the host ("shop_data").
  std::map<std::string, std::string> volume_names;
  std::map<std::string, int> namespace_owners;  // see HostBindings
  std::string resolv_conf;  // contents; "" = the host's resolvers as Docker gives a private netns
  std::string hosts;        // contents; "" = localhost lines and the container's own names
  // The host's address on the container's first network, for extra_hosts' "host-gateway".
  std::string host_gateway;
  // Where the container's stdout and stderr go; -1 = the FIFOs in its folder that the
  // engine's log capture reads.
  int stdout_fd = -1, stderr_fd = -1;
  // A one-off (`run`) attached to the CLI: its stdin (-1 = /dev/null, or for a stdin_open
  // service the FIFO `attach` writes to: attach_stdin.hpp), and for a terminal the
  // socket the runtime sends the pty master to (runc's --console-socket).
  int stdin_fd = -1;
  std::string console_socket;
  // The model's top-level secrets and configs, and the project's environment for their
  // `environment:` sources.
  nlohmann::ordered_json secrets = nlohmann::ordered_json::object(), configs = nlohmann::ordered_json::object();
  std::map<std::string, std::string> environment;
  // Anonymous volumes to reuse, target → volume name: a recreated container's, handed over as
  // docker compose does (unless -V).
  std::map<std::string, std::string> anonymous_volumes;
  // volumes_from entries without their mode ("db", "container:cache") → that container's id.
  std::map<std::string, std::string> volumes_from;
};

class ContainerStore {
 public:
  explicit ContainerStore(std::filesystem::path root);  // MYCOMPOSE_ROOT

  ContainerRecord create(const CreateRequest& request);
  void start(const std::string& id);
  // A stopped container gets a new process (and a new, empty network namespace) in the
  // same folder and upper layer, ready for start() — `docker start` of an exited container.
  void renew(const std::string& id);
  // stop_signal, then SIGKILL after the grace period (timeout overrides the record's).
  void stop(const std::string& id, std::optional<std::chrono::seconds> timeout = std::nullopt);
  // force: stops a running container first; otherwise a running container is an error.
  void remove(const std::string& id, bool force);
  // A signal to the container's init, which forwards it to the application.
  void kill(const std::string& id, int signal);
  // Freezes / thaws every process of the container (freezer cgroup).
  void pause(const std::string& id);
  void resume(const std::string& id);
  // containers/<id>/ (the record, the OCI spec, health.json…).
  std::filesystem::path folder(const std::string& id) const { return dir(id); }

  std::vector<ContainerRecord> list(const std::string& project = "") const;
  std::optional<ContainerRecord> find(const std::string& id_or_name) const;
  // The runtime's view: created | running | paused | stopped, with pid and exit code.
  runtime::ContainerState state(const std::string& id) const;

  // The folder a named volume's data lives in; created on first use.
  std::filesystem::path volume_path(const std::string& volume_name) const;
  bool has_volume(const std::string& volume_name) const;
  // Deletes the volume and its data; false when there was none.
  bool remove_volume(const std::string& volume_name) const;

  runtime::Runtime& runtime() { return runtime_; }

  // Undoes creates an engine was killed in the middle of (a folder with no record yet): the
  // runtime's container, the overlay mount, the folder. Only when no create can be running
  // (a new engine, before it serves). Returns the ids removed.
  std::vector<std::string> remove_half_made();

 private:
  std::filesystem::path dir(const std::string& id) const { return root_ / "containers" / id; }
  void create_in_runtime(const std::string& id, int stdout_fd, int stderr_fd, int stdin_fd = -1, const std::string& console_socket = "");
  std::filesystem::path root_;
  image::ImageStore images_;
  runtime::Runtime runtime_;
};

}  // namespace mycompose::scheduler
