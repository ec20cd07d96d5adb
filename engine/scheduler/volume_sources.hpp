#pragma once
// The host side of a service's `volumes`, made ready before its container is created: bind
// sources (created when create_host_path says so), named volumes, anonymous volumes (a fresh
// one per container unless a recreated container hands its own over, as docker compose does)
// and `volume.subpath` folders. What a container got is kept in containers/<id>/volumes.json,
// which `volumes_from`, `down -v` and `rm -v` read.
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mycompose/runtime/spec_generator.hpp"
#include "mycompose/scheduler/container_store.hpp"

namespace mycompose::scheduler {

struct VolumeRecord {
  std::map<std::string, std::string> anonymous;  // target → volume name
  std::vector<runtime::MountSetting> mounts;     // the container's bind and volume mounts (for volumes_from)

  static VolumeRecord read(const std::filesystem::path& container_dir);  // empty when there is none
  void write(const std::filesystem::path& container_dir) const;
};

// The image's VOLUMEs that no mount of the service covers become anonymous volumes of the
// service, as Docker makes them (filled from the image, handed over on recreate).
void add_image_volumes(nlohmann::ordered_json& service, const nlohmann::json& image);

// A bind source as the runtime gets it: its real path, links resolved now (so a path the user
// wrote through a link, as /var/run/docker.sock, works as in Docker). The runtime then opens
// that path following no symlink on every start (sourceRoot "/"), so a link swapped in later
// fails the start instead of redirecting it. A link met now is refused when it lies in a
// folder some container can write (a volume, a container's layer, a read-write bind source of
// any container or of this service; one that can write the host's / is not counted, it owns
// the host already): that container could have planted it. Throws Error
// naming `what` (the service), the source and the link.
std::string resolve_bind_source(const std::filesystem::path& root, const std::string& what, const std::string& source,
                                const nlohmann::ordered_json& service);

// Bind sources (resolve_bind_source): a missing one is created as a folder when
// bind.create_host_path is true (the short syntax's default), otherwise an Error naming the
// service and the path. Returns each source as written → its real path.
std::map<std::string, std::string> prepare_bind_sources(const std::filesystem::path& root, const std::string& service_name,
                                                        const nlohmann::ordered_json& service);

// HostBindings::volume_paths for the service: Compose volume key ("data", or
// "anonymous:<target>") → the host folder. Named volumes are `named[key]` (default
// "<project>_<key>"); anonymous volumes reuse `keep[target]` when that volume still exists,
// else get a new name (a hash of the container's random id and the target, so unique). Fills `anonymous` (target → volume name) with what was used,
// and `roots` (key → the volume's folder, the mount's source root: runtime/mount_source.hpp).
// A subpath must name an existing folder or file inside its volume, reached without symlinks
// (the runtime checks it again at every start).
std::map<std::string, std::string> volume_host_paths(const ContainerStore& store, const std::string& project,
                                                     const std::string& container_id,
                                                     const std::string& service_name, const nlohmann::ordered_json& service,
                                                     const std::map<std::string, std::string>& named,
                                                     const std::map<std::string, std::string>& keep,
                                                     std::map<std::string, std::string>& anonymous,
                                                     std::map<std::string, std::string>& roots);

// Removes the anonymous volumes a failed create made (`made`: target → volume name), except
// those it was handed over (`keep`). Never throws: it is an undo step.
void remove_new_volumes(const ContainerStore& store, const std::map<std::string, std::string>& made,
                        const std::map<std::string, std::string>& keep);

// Anonymous volumes a removed container leaves to its successor under the same name (a
// recreate), between the removal and the creation; shared by parallel steps, so locked.
class AnonymousHandover {
 public:
  void put(const std::string& container_name, std::map<std::string, std::string> volumes);
  std::map<std::string, std::string> take(const std::string& container_name);  // empty when none

 private:
  std::mutex mutex_;
  std::map<std::string, std::map<std::string, std::string>> volumes_;
};

// CreateRequest::volumes_from: each volumes_from entry without its mode → the id of the
// container it names: the first container of a service of the project, or a container by
// name or id. Entries naming nothing are left out (the settings mapper reports them).
std::map<std::string, std::string> volumes_from_containers(const ContainerStore& store, const std::string& project,
                                                           const nlohmann::ordered_json& service);

// The anonymous volumes a container was given (target → volume name), from its volumes.json.
std::map<std::string, std::string> anonymous_volumes(const std::filesystem::path& root, const std::string& container_id);

// `down -v` / `rm -v`: deletes the container's anonymous volumes; returns their names.
std::vector<std::string> remove_anonymous_volumes(const ContainerStore& store, const std::filesystem::path& root,
                                                  const std::string& container_id);

}  // namespace mycompose::scheduler
