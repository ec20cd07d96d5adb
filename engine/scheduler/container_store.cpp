#include "mycompose/scheduler/container_store.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstdio>

#include <spdlog/spdlog.h>

#include "attach_stdin.hpp"
#include "container_names.hpp"
#include "image_volume.hpp"
#include "container_record.hpp"
#include "exposed_ports.hpp"
#include "log_output.hpp"
#include "mycompose/common/error.hpp"
#include "mycompose/common/fault_point.hpp"
#include "mycompose/common/fs.hpp"
#include "mycompose/common/state_record.hpp"
#include "mycompose/common/unique_fd.hpp"
#include "mycompose/common/go_duration.hpp"
#include "mycompose/common/random.hpp"
#include "mycompose/common/time_text.hpp"
#include "mycompose/common/undo.hpp"
#include "mycompose/runtime/overlay.hpp"
#include "mycompose/runtime/state_folder.hpp"
#include "mycompose/runtime/spec_generator.hpp"
#include "mycompose/scheduler/container_settings.hpp"
#include "mycompose/scheduler/volume_seed.hpp"
#include "secrets.hpp"
#include "volume_sources.hpp"

namespace mycompose::scheduler {
namespace stdfs = std::filesystem;
using nlohmann::json;

namespace {

// Whether the runtime (its state under <root>/runtime, as the store's runtime_ is made) has
// the container.
bool in_runtime(const stdfs::path& root, const std::string& id) {
  std::error_code ec;
  return stdfs::exists(root / "runtime" / id, ec);
}

void check_volume_name(const std::string& name) {
  if (name.empty() || name.find('/') != std::string::npos || name[0] == '.') throw Error("invalid volume name \"" + name + "\"");
}

std::vector<std::string> string_list(const json& config, const char* key) {
  std::vector<std::string> out;
  if (config.contains(key) && config[key].is_array())
    for (const auto& s : config[key]) out.push_back(s.get<std::string>());
  return out;
}

runtime::ImageConfig image_config_of(const json& image) {
  const json config = image.value("config", json::object());
  runtime::ImageConfig c;
  c.env = string_list(config, "Env");
  c.entrypoint = string_list(config, "Entrypoint");
  c.cmd = string_list(config, "Cmd");
  c.working_dir = config.value("WorkingDir", "");
  c.user = config.value("User", "");
  return c;
}

// The image's STOPSIGNAL, else Docker's SIGTERM.
std::string image_stop_signal(const json& image) {
  const json config = image.value("config", json::object());
  return config.is_object() ? config.value("StopSignal", "SIGTERM") : "SIGTERM";
}

// Docker's stop_grace_period default is 10 s.
int grace_seconds(const nlohmann::ordered_json& service) {
  if (!service.contains("stop_grace_period")) return 10;
  auto ns = try_parse_go_duration(service["stop_grace_period"].get<std::string>());
  return ns ? static_cast<int>((*ns + 500'000'000) / 1'000'000'000) : 10;
}

std::string default_hosts(const std::string& hostname, const std::string& name) {
  return "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\n"
         "ff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n127.0.1.1\t" + hostname + " " + name + "\n";
}

// extra_hosts ("name=ip", as the loader writes them) as /etc/hosts lines; "host-gateway" is
// the host's address on the container's network, as Docker's is on its bridge.
std::string extra_hosts_lines(const std::string& service, const nlohmann::ordered_json& def, const std::string& host_gateway) {
  std::string out;
  if (!def.contains("extra_hosts")) return out;
  for (const auto& e : def["extra_hosts"]) {
    const std::string entry = e.get<std::string>();
    const auto eq = entry.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == entry.size())
      throw Error("service \"" + service + "\": extra_hosts: \"" + entry + "\" is not NAME=IP");
    std::string ip = entry.substr(eq + 1);
    if (ip.size() > 2 && ip.front() == '[' && ip.back() == ']') ip = ip.substr(1, ip.size() - 2);
    if (ip == "host-gateway") {
      if (host_gateway.empty())
        throw Error("service \"" + service + "\": extra_hosts: " + entry + ": host-gateway needs the container on a network");
      ip = host_gateway;
    }
    out += ip + "\t" + entry.substr(0, eq) + "\n";
  }
  return out;
}

// Waits for a process to exit (pidfd), up to timeout; true when it is gone.
bool wait_exit(pid_t pid, std::chrono::milliseconds timeout) {
  UniqueFd fd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  if (!fd) return errno == ESRCH;
  pollfd p{fd.get(), POLLIN, 0};
  int rc;
  while ((rc = ::poll(&p, 1, static_cast<int>(timeout.count()))) < 0 && errno == EINTR) {
  }
  return rc > 0;
}

// containers/<id> renamed to .removing~<id> first, so no reader finds it half gone (and
// rebuilds a record into it); a removal killed half-way is finished by remove_half_made().
using runtime::kRemovingPrefix;
void remove_folder(const stdfs::path& dir) {
  // Never delete through a mount point: the overlay must be gone (another filesystem's device).
  struct stat folder, rootfs;
  if (::stat(dir.c_str(), &folder) == 0 && ::lstat((dir / "rootfs").c_str(), &rootfs) == 0 && folder.st_dev != rootfs.st_dev)
    throw Error("cannot remove " + dir.string() + ": " + (dir / "rootfs").string() + " is still mounted");
  const auto doomed = dir.parent_path() / (kRemovingPrefix + dir.filename().string());
  if (::rename(dir.c_str(), doomed.c_str()) == 0) {
    // A folder that gained an entry while it was emptied (ENOTEMPTY, seen under load right
    // after the container's last process died: its overlay's work folder settling) is emptied
    // again, a bounded number of times.
    for (int attempt = 0;; ++attempt) {
      std::error_code ec;
      stdfs::remove_all(doomed, ec);
      if (!ec) break;
      if (ec != std::errc::directory_not_empty || attempt == 20) throw stdfs::filesystem_error("cannot remove", doomed, ec);
      ::usleep(50 * 1000);
    }
  } else if (errno != ENOENT)
    throw SystemError("rename " + dir.string() + " to " + doomed.string(), errno);
}

// Undoes a half-made container unless dismissed.
// Takes back what a create made, as far as it got: the runtime's container (killed), the
// overlay mount, the folder. Never throws.
void discard_created(runtime::Runtime& rt, const stdfs::path& dir, const std::string& id, bool in_runtime) {
  if (in_runtime) try {
      rt.remove(id, true);
    } catch (...) {
    }
  try {
    runtime::unmount_overlay((dir / "rootfs").string());
    remove_folder(dir);
  } catch (...) {
  }
}

}  // namespace

json ContainerRecord::to_json() const {
  return {{"id", id},           {"name", name},         {"project", project},         {"service", service},
          {"number", number},   {"image", image},       {"image_id", image_id},       {"config_hash", config_hash},
          {"labels", labels},   {"created", created},   {"stop_signal", stop_signal}, {"stop_grace_seconds", stop_grace_seconds}};
}

ContainerRecord ContainerRecord::from_json(const json& j) {
  ContainerRecord r;
  r.id = j.at("id");
  r.name = j.at("name");
  r.project = j.value("project", "");
  r.service = j.value("service", "");
  r.number = j.value("number", 1);
  r.image = j.value("image", "");
  r.image_id = j.value("image_id", "");
  r.config_hash = j.value("config_hash", "");
  r.labels = j.value("labels", std::map<std::string, std::string>{});
  r.created = j.value("created", "");
  r.stop_signal = j.value("stop_signal", "SIGTERM");
  r.stop_grace_seconds = j.value("stop_grace_seconds", 10);
  return r;
}

std::optional<ContainerRecord> record_from_annotations(const std::string& id, const std::map<std::string, std::string>& a) {
  if (auto it = a.find(kRecordAnnotation); it != a.end()) try {
      ContainerRecord r = ContainerRecord::from_json(json::parse(it->second));
      if (r.id == id) return r;
    } catch (const std::exception&) {
    }
  auto label = [&](const std::string& key) {
    auto it = a.find("com.docker.compose." + key);
    return it == a.end() ? std::string() : it->second;
  };
  ContainerRecord r;
  r.id = id;
  r.project = label("project");
  r.service = label("service");
  if (r.project.empty() || r.service.empty()) return std::nullopt;
  r.number = std::max(1, std::atoi(label("container-number").c_str()));
  r.name = r.project + "-" + r.service + "-" + std::to_string(r.number);
  r.config_hash = label("config-hash");
  r.image = label("image");
  for (const auto& [k, v] : a)
    if (k.rfind("com.docker.compose.", 0) == 0) r.labels[k] = v;
  return r;
}

namespace {

// A container known again from its bundle (container_record.hpp): a torn record is moved
// aside and rebuilt, as is a missing one of a container whose application runs. Folders of
// creates in progress (never started, no record yet) are not listed.
std::optional<ContainerRecord> rebuild_record(const stdfs::path& root, const runtime::Runtime& rt, const std::string& id) {
  // The spec create wrote (annotations: the record, the labels), else the runtime's copy of them.
  std::map<std::string, std::string> annotations;
  try {
    const json spec = json::parse(fs::read_file((root / "containers" / id) / "config.json", 16 << 20));
    for (const auto& [k, v] : spec.at("annotations").items())
      if (v.is_string()) annotations[k] = v.get<std::string>();
  } catch (const std::exception&) {
    try {
      if (in_runtime(root, id)) annotations = rt.state(id).annotations;
    } catch (const std::exception&) {
    }
  }
  return record_from_annotations(id, annotations);
}

std::optional<ContainerRecord> list_one(const stdfs::path& root, const runtime::Runtime& rt, const std::string& id) {
  const stdfs::path file = (root / "containers" / id) / kContainerRecordFile;
  std::error_code ec;
  const bool had_record = stdfs::exists(file, ec);
  if (had_record)
    if (auto r = fs::read_record(file, 1 << 20, [](const json& j) { return ContainerRecord::from_json(j); })) return r;
  // No record (a create in progress, or killed), or a torn one now moved aside: a container
  // whose application was started is known again from its bundle; one never started is a
  // create's business (remove_half_made).
  if (!had_record) {
    const std::string status = in_runtime(root, id) ? rt.state(id).status : std::string();
    if (status != "running" && status != "paused") return std::nullopt;
  }
  auto rebuilt = rebuild_record(root, rt, id);
  if (!rebuilt) return std::nullopt;
  try {
    fs::write_file_atomic(file, rebuilt->to_json().dump(2), 0600);
    spdlog::warn("container {} ({}): record rebuilt from its bundle", rebuilt->name, id);
  } catch (const std::exception&) {
    return std::nullopt;  // the folder went (a removal) in the meantime
  }
  return rebuilt;
}

}  // namespace

ContainerStore::ContainerStore(stdfs::path root)
    : root_(std::move(root)), images_(root_), runtime_(root_ / "runtime") {}

stdfs::path ContainerStore::volume_path(const std::string& volume_name) const {
  check_volume_name(volume_name);
  stdfs::path data = root_ / "volumes" / volume_name / "_data";
  fs::make_dirs(root_ / "volumes", 0700);
  fs::make_dirs(data, 0755);
  return data;
}

bool ContainerStore::has_volume(const std::string& volume_name) const {
  check_volume_name(volume_name);
  return stdfs::is_directory(root_ / "volumes" / volume_name / "_data");
}

bool ContainerStore::remove_volume(const std::string& volume_name) const {
  check_volume_name(volume_name);
  return stdfs::remove_all(root_ / "volumes" / volume_name) > 0;
}

ContainerRecord ContainerStore::create(const CreateRequest& req) {
  nlohmann::ordered_json def = req.definition;  // with the image's VOLUMEs added below
  if (!def.contains("image")) throw Error("service \"" + req.service + "\" has neither an image nor a build context specified");
  ContainerRecord rec;
  rec.id = random_hex(32);
  auto& names = ContainerNames::of(root_);
  const auto load_names = [this] {
    std::map<std::string, std::string> all;
    for (const auto& r : list()) all[r.name] = r.id;
    return all;
  };
  const auto holds = [this](const std::string& id, const std::string& name) {
    auto r = find(id);
    return r && r->name == name;
  };
  if (auto other = names.reserve(req.desired.name, rec.id, load_names, holds))
    throw Error("Conflict. The container name \"/" + req.desired.name + "\" is already in use by container \"" + *other +
                "\". You have to remove (or rename) that container to be able to reuse that name.");
  NameReservation reservation(names, req.desired.name, rec.id);
  rec.name = req.desired.name;
  rec.project = req.project;
  rec.service = req.service;
  rec.number = req.desired.number;
  rec.image = def["image"].get<std::string>();
  rec.image_id = images_.resolve_or_throw(rec.image);
  add_image_volumes(def, images_.image_config(rec.image_id));
  rec.config_hash = req.config_hash;
  rec.labels = req.desired.labels;
  // As docker compose: the image the container runs, by digest (the plan knows its name only).
  if (rec.labels.count("com.docker.compose.image")) rec.labels["com.docker.compose.image"] = rec.image_id;
  rec.created = now_rfc3339(Fraction::nano_fixed);
  rec.stop_signal = def.value("stop_signal", image_stop_signal(images_.image_config(rec.image_id)));
  rec.stop_grace_seconds = grace_seconds(def);

  const stdfs::path d = dir(rec.id);
  fs::make_dirs(root_ / "containers", 0700);
  // Undone in reverse unless the create succeeds: a failure half-way leaves nothing.
  bool made_in_runtime = false;
  std::map<std::string, std::string> new_anonymous;  // target → volume name, filled by volume_host_paths
  UndoSteps undo;
  undo.add([&] { discard_created(runtime_, d, rec.id, made_in_runtime); });
  // upper's own mode is the container's "/" (overlayfs takes the root's attributes from
  // upper): 0755 as Docker's overlay2 diff folder, or processes that drop root (mariadbd,
  // nginx workers) cannot reach any path.
  for (const char* sub : {"rootfs", "upper", "work"}) fs::make_dirs(d / sub, std::string(sub) == "upper" ? 0755 : 0700);

  runtime::OverlayLayers layers;
  for (const auto& l : images_.layer_dirs(rec.image_id)) layers.lower.push_back(l.string());
  if (layers.lower.empty()) throw Error("image " + rec.image + " has no layers");
  layers.upper = (d / "upper").string();
  layers.work = (d / "work").string();
  layers.links_dir = (root_ / "l").string();
  runtime::mount_overlay((d / "rootfs").string(), layers);
  fault_point("create.folder");

  HostBindings host;
  host.container_id = rec.id;
  host.rootfs = (d / "rootfs").string();
  host.namespace_owners = req.namespace_owners;
  host.bind_sources = prepare_bind_sources(root_, req.service, def);
  if (def.contains("volumes"))
    for (const auto& v : def["volumes"])
      if (v.value("type", "") == "image")
        host.image_layers[v.value("target", "")] =
            image_volume_dirs(images_, req.service, v.value("source", ""), v.value("image", nlohmann::ordered_json::object()).value("subpath", ""));
  VolumeRecord volumes;
  undo.add([&] { remove_new_volumes(*this, new_anonymous, req.anonymous_volumes); });
  host.volume_paths = volume_host_paths(*this, req.project, rec.id, req.service, def, req.volume_names, req.anonymous_volumes,
                                        new_anonymous, host.volume_roots);
  for (const auto& [entry, id] : req.volumes_from) host.volumes_from[entry] = VolumeRecord::read(dir(id)).mounts;
  // Docker fills a still-empty volume with what the image has at its target (not a subpath).
  if (def.contains("volumes"))
    for (const auto& v : def["volumes"]) {
      if (v.value("type", "volume") != "volume" || (v.contains("volume") && v["volume"].value("nocopy", false))) continue;
      if (v.contains("volume") && !v["volume"].value("subpath", "").empty()) continue;
      const std::string target = v.value("target", ""), source = v.value("source", "");
      seed_volume(d / "rootfs", target, host.volume_paths.at(source.empty() ? "anonymous:" + target : source));
    }
  runtime::ContainerSettings settings = container_settings(req.service, def, host);
  volumes.anonymous = new_anonymous;
  // Not image volumes (bound from the store's layers): `cp` and volumes_from must never write
  // into a layer other images share.
  const std::string layer_prefix = (root_ / "layers").string() + "/";
  for (const auto& m : settings.mounts)
    if (m.type == "bind" && m.source.rfind(layer_prefix, 0) != 0) volumes.mounts.push_back(m);
  volumes.write(d);
  for (auto& m : materialize_file_mounts(req.service, def, {req.secrets, req.configs, req.environment}, d)) settings.mounts.push_back(std::move(m));
  fs::write_file_replace(d / "hostname", settings.hostname + "\n", 0644);
  fs::write_file_replace(d / "hosts",
                        (req.hosts.empty() ? default_hosts(settings.hostname, rec.name) : req.hosts) +
                            extra_hosts_lines(req.service, def, req.host_gateway),
                        0644);
  fs::write_file_replace(d / "resolv.conf", req.resolv_conf.empty() ? fs::read_file("/etc/resolv.conf") : req.resolv_conf, 0644);
  for (const char* f : {"hostname", "hosts", "resolv.conf"})
    settings.mounts.push_back({std::string("/etc/") + f, (d / f).string(), "bind", {"rbind", "rprivate"}});
  for (const auto& [k, v] : rec.labels) settings.annotations[k] = v;
  // The whole record, so that the bundle alone is enough to know the container again.
  settings.annotations[kRecordAnnotation] = rec.to_json().dump();

  json spec = runtime::generate_spec(image_config_of(images_.image_config(rec.image_id)), settings);
  fs::write_file_atomic(d / "config.json", spec.dump(), 0600);
  write_exposed(d, exposed_ports(def, images_.image_config(rec.image_id)));  // for ps (lifecycle_info.cpp)
  write_log_config(d, LogConfig::from_compose(def.contains("logging") ? json::parse(def["logging"].dump()) : json::object()));
  if (req.stdin_fd < 0 && def.value("stdin_open", false)) make_stdin_fifo(d);  // for attach (attach_stdin.hpp)
  create_in_runtime(rec.id, req.stdout_fd, req.stderr_fd, req.stdin_fd, req.console_socket);
  made_in_runtime = true;
  fault_point("create.record");
  fs::write_file_atomic(d / kContainerRecordFile, rec.to_json().dump(2), 0600);
  undo.commit();
  reservation.confirm();
  return rec;
}

void ContainerStore::create_in_runtime(const std::string& id, int stdout_fd, int stderr_fd, int stdin_fd, const std::string& console_socket) {
  const stdfs::path d = dir(id);
  runtime::CreateOptions opts;
  opts.bundle = d;
  UniqueFd null_in(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (!null_in) throw SystemError("open /dev/null", errno);
  OutputFifos fifos;  // the engine's log capture reads them (log_output.hpp)
  if (stdout_fd < 0 || stderr_fd < 0) fifos = open_output_fifos(d);
  UniqueFd attach_in = stdin_fd < 0 ? open_stdin_for_container(d) : UniqueFd();
  opts.stdin_fd = stdin_fd >= 0 ? stdin_fd : attach_in ? attach_in.get() : null_in.get();
  opts.console_socket = console_socket;
  opts.stdout_fd = stdout_fd >= 0 ? stdout_fd : fifos.out.get();
  opts.stderr_fd = stderr_fd >= 0 ? stderr_fd : fifos.err.get();
  runtime_.create(id, opts);
}

void ContainerStore::start(const std::string& id) { runtime_.start(id); }

std::vector<std::string> ContainerStore::remove_half_made() {
  std::vector<std::string> removed;
  std::error_code ec;
  for (const auto& e : stdfs::directory_iterator(root_ / "containers", ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind(kRemovingPrefix, 0) == 0) {  // a removal that was killed: finish it
      try {
        runtime::unmount_overlay((e.path() / "rootfs").string());
        stdfs::remove_all(e.path());
      } catch (const std::exception&) {
      }
      continue;
    }
    if (!e.is_directory(ec) || stdfs::exists(e.path() / kContainerRecordFile, ec)) continue;
    // A container whose application runs but whose record is gone is kept: rebuilt, not killed.
    if (list_one(root_, runtime_, name)) continue;
    bool in_runtime = false;
    try {
      runtime_.state(name);
      in_runtime = true;
    } catch (const std::exception&) {
    }
    discard_created(runtime_, e.path(), name, in_runtime);
    removed.push_back(name);
  }
  for (const auto& e : stdfs::directory_iterator(runtime_.root(), ec))
    if (e.path().filename().string().rfind(kRemovingPrefix, 0) == 0) stdfs::remove_all(e.path(), ec);
  // Runtime containers made for a container folder that is gone (bare `runtime` ones have
  // their bundle elsewhere).
  for (const auto& st : runtime_.list()) {
    if (st.bundle.parent_path() != root_ / "containers" || stdfs::exists(st.bundle, ec)) continue;
    try {
      runtime_.remove(st.id, true);
      removed.push_back(st.id);
    } catch (const std::exception&) {
    }
  }
  return removed;
}

void ContainerStore::renew(const std::string& id) {
  auto rec = find(id);
  if (!rec) throw Error("No such container: " + id);
  const std::string status = state(rec->id).status;
  if (status != "stopped") throw Error("container " + rec->name + " is " + status + ", not stopped");
  if (in_runtime(root_, rec->id)) runtime_.remove(rec->id, true);
  create_in_runtime(rec->id, -1, -1);
}

void ContainerStore::stop(const std::string& id, std::optional<std::chrono::seconds> timeout) {
  auto rec = find(id);
  if (!rec) throw Error("No such container: " + id);
  runtime::ContainerState st = state(rec->id);
  if (st.status == "stopped" || st.pid <= 0) return;
  // The container may exit on its own between the state read and a signal: that is a stop.
  auto signal = [&](int sig, bool all) {
    try {
      runtime_.kill(rec->id, sig, all);
    } catch (const Error&) {
      if (runtime_.state(rec->id).status != "stopped") throw;
    }
  };
  if (st.status == "paused") runtime_.resume(rec->id);
  if (st.status == "created") {
    signal(SIGKILL, false);
    wait_exit(st.pid, std::chrono::seconds(10));
    return;
  }
  signal(runtime::parse_signal(rec->stop_signal), false);
  const auto grace = timeout.value_or(std::chrono::seconds(rec->stop_grace_seconds));
  if (wait_exit(st.pid, grace)) return;
  signal(SIGKILL, true);
  wait_exit(st.pid, std::chrono::seconds(10));
}

void ContainerStore::remove(const std::string& id, bool force) {
  auto rec = find(id);
  if (!rec) throw Error("No such container: " + id);
  runtime::ContainerState st = state(rec->id);
  if (st.status == "running" || st.status == "paused") {
    if (!force)
      throw Error("cannot remove container \"/" + rec->name +
                  "\": container is running: stop the container before removing or force remove");
    stop(rec->id, std::chrono::seconds(0));
  }
  if (in_runtime(root_, rec->id)) runtime_.remove(rec->id, true);
  fault_point("remove.runtime");
  runtime::unmount_overlay((dir(rec->id) / "rootfs").string());
  remove_folder(dir(rec->id));
  ContainerNames::of(root_).release(rec->name, rec->id);
}

void ContainerStore::kill(const std::string& id, int signal) {
  auto rec = find(id);
  if (!rec) throw Error("No such container: " + id);
  const std::string status = runtime_.state(rec->id).status;
  if (status != "running" && status != "paused") throw Error("container " + rec->name + " is not running");
  runtime_.kill(rec->id, signal, false);
}

void ContainerStore::pause(const std::string& id) {
  auto rec = find(id);
  if (!rec) throw Error("No such container: " + id);
  runtime_.pause(rec->id);
}

void ContainerStore::resume(const std::string& id) {
  auto rec = find(id);
  if (!rec) throw Error("No such container: " + id);
  runtime_.resume(rec->id);
}

std::vector<ContainerRecord> ContainerStore::list(const std::string& project) const {
  std::vector<ContainerRecord> out;
  std::error_code ec;
  for (const auto& e : stdfs::directory_iterator(root_ / "containers", ec)) {
    const std::string id = e.path().filename().string();
    if (id.rfind(kRemovingPrefix, 0) == 0) continue;
    std::optional<ContainerRecord> r;
    try {
      r = list_one(root_, runtime_, id);
    } catch (const std::exception& ex) {
      spdlog::warn("container {}: {}", id, ex.what());  // unreadable (EIO, EACCES): listing goes on
    }
    if (r && (project.empty() || r->project == project)) out.push_back(std::move(*r));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

std::optional<ContainerRecord> ContainerStore::find(const std::string& id_or_name) const {
  // A full id names its folder: read that one record, not all of them (down and stop look up
  // every container of a project by id; a scan each time made them quadratic).
  if (id_or_name.size() == 64 && std::all_of(id_or_name.begin(), id_or_name.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
      })) {
    std::error_code ec;
    if (stdfs::is_directory(root_ / "containers" / id_or_name, ec)) try {
        if (auto r = list_one(root_, runtime_, id_or_name)) return r;
      } catch (const std::exception& ex) {
        spdlog::warn("container {}: {}", id_or_name, ex.what());
      }
  }
  std::optional<ContainerRecord> by_prefix;
  int prefix_hits = 0;
  for (auto& r : list()) {
    if (r.name == id_or_name || r.id == id_or_name) return r;
    if (id_or_name.size() >= 1 && r.id.rfind(id_or_name, 0) == 0) {
      by_prefix = r;
      ++prefix_hits;
    }
  }
  return prefix_hits == 1 ? by_prefix : std::nullopt;
}

runtime::ContainerState ContainerStore::state(const std::string& id) const {
  // A start whose runtime create failed (renew: a refused mount source) leaves the record
  // without a runtime container: it is stopped, as ps shows it, so stop, rm, down and a
  // later start still work on it.
  if (!in_runtime(root_, id) && stdfs::exists(dir(id) / "container.json")) {
    runtime::ContainerState st;
    st.id = id;
    st.status = "stopped";
    return st;
  }
  return runtime_.state(id);
}

}  // namespace mycompose::scheduler
