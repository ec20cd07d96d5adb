// `system check`: torn records, moved-aside copies, temp files of killed writers, and the
// containers a killed create or delete left half made (system_check_state.hpp).
#include "system_check_state.hpp"

#include "container_record.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include "mycompose/common/error.hpp"
#include "mycompose/common/fs.hpp"
#include "mycompose/common/state_record.hpp"
#include "mycompose/net/network_manager.hpp"
#include "mycompose/runtime/overlay.hpp"
#include "mycompose/runtime/runtime.hpp"
#include "mycompose/runtime/state_folder.hpp"
#include "mycompose/scheduler/container_store.hpp"

namespace mycompose::scheduler::state_check {
namespace stdfs = std::filesystem;
using nlohmann::json;

namespace {

bool removing(const std::string& name) { return name.rfind(runtime::kRemovingPrefix, 0) == 0; }

std::optional<json> parse_file(const stdfs::path& p, std::size_t max = 256u << 20) {
  try {
    json j = json::parse(fs::read_file(p, max), nullptr, false);
    if (!j.is_discarded()) return j;
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

bool has_moved_aside_copy(const stdfs::path& file) {
  const std::string prefix = file.filename().string() + std::string(fs::kMovedAsideMark);
  std::error_code ec;
  for (const auto& e : stdfs::directory_iterator(file.parent_path(), ec))
    if (e.path().filename().string().rfind(prefix, 0) == 0) return true;
  return false;
}

std::map<std::string, std::string> string_map(const json& j) {
  std::map<std::string, std::string> out;
  if (j.is_object())
    for (const auto& [k, v] : j.items())
      if (v.is_string()) out[k] = v.get<std::string>();
  return out;
}

// What ContainerStore would rebuild container.json from: the spec's annotations, else the
// runtime state's.
bool rebuildable(const stdfs::path& root, const std::string& id) {
  std::map<std::string, std::string> annotations;
  if (auto spec = parse_file(root / "containers" / id / "config.json"); spec && spec->is_object())
    annotations = string_map(spec->value("annotations", json::object()));
  else if (auto st = parse_file(root / "runtime" / id / "state.json"); st && st->is_object())
    annotations = string_map(st->value("annotations", json::object()));
  return record_from_annotations(id, annotations).has_value();
}

bool record_readable(const stdfs::path& file) {
  auto j = parse_file(file, 1 << 20);
  if (!j) return false;
  try {
    ContainerRecord::from_json(*j);
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

bool application_runs(const stdfs::path& root, const std::string& id) {
  try {
    const std::string status = runtime::Runtime(root / "runtime").state(id).status;
    return status == "running" || status == "paused";
  } catch (const std::exception&) {
    return false;
  }
}

// Folders that hold records (never user data: not rootfs, upper, work, _data, layers).
std::vector<stdfs::path> record_folders(const stdfs::path& root) {
  std::vector<stdfs::path> out{root, root / "networks", root / "supervisor", root / "build-cache" / "records",
                               root / "build-cache" / "stat"};
  std::error_code ec;
  for (const auto& e : stdfs::directory_iterator(root / "containers", ec)) {
    if (!e.is_directory(ec) || removing(e.path().filename().string())) continue;
    out.push_back(e.path());
    for (const auto& sub : stdfs::directory_iterator(e.path(), ec)) {
      const std::string name = sub.path().filename().string();
      if (sub.is_directory(ec) && name != "rootfs" && name != "upper" && name != "work") out.push_back(sub.path());
    }
  }
  for (const auto& e : stdfs::directory_iterator(root / "runtime", ec))
    if (e.is_directory(ec) && !removing(e.path().filename().string())) out.push_back(e.path());
  for (const auto& e : stdfs::directory_iterator(root / "volumes", ec))
    if (e.is_directory(ec)) out.push_back(e.path());
  return out;
}

// A record as its reader takes it; a file no reader would use is corrupt.
bool record_sound(const stdfs::path& root, const stdfs::path& file) {
  const std::string name = file.filename().string();
  const stdfs::path folder = file.parent_path();
  if (name == kContainerRecordFile && folder.parent_path() == root / "containers") return record_readable(file);
  auto j = parse_file(file);
  if (!j) return false;
  try {
    if (folder == root / "networks") net::network_record_from_json(*j);
    if (folder.parent_path() == root / "runtime" && name == "state.json")
      return j->is_object() && j->contains("mycompose") && j->contains("pid");
    if (name == "images.json") return j->is_object();
  } catch (const std::exception&) {
    return false;
  }
  return true;
}

}  // namespace

Containers read_containers(const stdfs::path& root) {
  Containers c;
  std::error_code ec;
  for (const auto& e : stdfs::directory_iterator(root / "runtime", ec)) {
    const std::string id = e.path().filename().string();
    if (!e.is_directory(ec) || removing(id)) continue;
    const stdfs::path file = e.path() / "state.json";
    if (auto j = parse_file(file, 1 << 20); j && j->is_object())
      c.runtime[id] = *j;
    else if (stdfs::exists(file, ec) || has_moved_aside_copy(file))
      c.runtime[id] = json::object();  // torn: the next read rebuilds it from the host
  }
  for (const auto& e : stdfs::directory_iterator(root / "containers", ec)) {
    const std::string id = e.path().filename().string();
    if (!e.is_directory(ec) || removing(id)) continue;
    const stdfs::path file = e.path() / kContainerRecordFile;
    const bool present = stdfs::exists(file, ec);
    if (present && record_readable(file)) {
      c.known.insert(id);
    } else if (present || has_moved_aside_copy(file) || application_runs(root, id)) {
      if (rebuildable(root, id)) c.known.insert(id);
    }
  }
  return c;
}

void find_state_file_leaks(const stdfs::path& root, std::vector<Leak>& out) {
  std::error_code ec;
  for (const auto& folder : record_folders(root)) {
    for (const auto& e : stdfs::directory_iterator(folder, ec)) {
      if (!e.is_regular_file(ec)) continue;
      const std::string name = e.path().filename().string();
      const std::string path = e.path().string();
      if (fs::is_temp_name(name)) {
        if (fs::temp_file_abandoned(e.path()))
          out.push_back({"temp", path, "a temporary file whose writer was killed before it renamed it", {path}, 0, "", ""});
      } else if (fs::is_moved_aside_name(name)) {
        out.push_back({"corrupt", path, "a record that could not be read, moved aside by its reader (kept for inspection)",
                       {path}, 0, "", ""});
      } else if (e.path().extension() == ".json" && !record_sound(root, e.path())) {
        out.push_back({"corrupt", path, "a record that does not parse (torn or garbage); the next command moves it aside",
                       {path}, 0, "", ""});
      }
    }
  }
}

void find_container_leaks(const stdfs::path& root, const Containers& c, std::vector<Leak>& out) {
  std::error_code ec;
  for (const auto& e : stdfs::directory_iterator(root / "containers", ec)) {
    const std::string id = e.path().filename().string();
    const std::string path = e.path().string();
    if (!e.is_directory(ec)) continue;
    if (removing(id)) {
      out.push_back({"folder", path, "a container folder whose removal was killed", {path}, 0, "", ""});
    } else if (!c.known.count(id)) {
      out.push_back({"folder", path,
                     std::string("a container folder with no record and none to rebuild (a create that was killed)") +
                         (c.runtime.count(id) ? "; its runtime container is removed with it" : ""),
                     {path}, 0, "", id});
    } else if (!stdfs::exists(e.path() / kContainerRecordFile, ec) && !has_moved_aside_copy(e.path() / kContainerRecordFile)) {
      out.push_back({"record", path + "/" + kContainerRecordFile,
                     "container " + id + " runs without its record; ps rebuilds it from the bundle", {}, 0, "", id});
    }
  }
  for (const auto& e : stdfs::directory_iterator(root / "runtime", ec)) {
    const std::string id = e.path().filename().string();
    const std::string path = e.path().string();
    if (!e.is_directory(ec)) continue;
    if (removing(id)) {
      out.push_back({"runtime", path, "a runtime folder whose removal was killed", {path}, 0, "", ""});
      continue;
    }
    auto st = c.runtime.find(id);
    if (st == c.runtime.end()) {
      out.push_back({"runtime", path, "a runtime folder without state.json (a create or a delete that was killed)", {path}, 0, "",
                     id});
      continue;
    }
    const stdfs::path bundle = st->second.value("bundle", "");
    if (bundle.parent_path() == root / "containers" && !stdfs::exists(bundle, ec))
      out.push_back({"runtime", path, "runtime container " + id + " of container folder " + bundle.string() + ", which is gone",
                     {path}, 0, "", id});
  }
  for (const auto& e : stdfs::directory_iterator(root / "supervisor", ec)) {
    const auto p = e.path();
    if (p.extension() != ".json" || fs::is_temp_name(p.filename().string())) continue;
    const std::string id = p.stem().string();
    if (!c.runtime.count(id) && !stdfs::exists(root / "runtime" / id, ec))
      out.push_back({"record", p.string(), "the supervisor's record of container " + id + ", which is gone", {p.string()}, 0, "", ""});
  }
}

bool fix(const stdfs::path& root, const Leak& l) {
  std::error_code ec;
  if (l.kind == "temp") {
    // A temporary record file, or a killed load's, pull's or build's folder (system_check_temps).
    stdfs::remove_all(l.object, ec);
    if (ec && ec != std::errc::no_such_file_or_directory) throw SystemError("remove " + l.object, ec.value());
  } else if (l.kind == "corrupt") {
    const stdfs::path file = l.object;
    if (!fs::is_moved_aside_name(file.filename().string())) {
      // Repaired as a command would: moved aside and, for containers, rebuilt from the host.
      if (file.filename() == kContainerRecordFile)
        ContainerStore(root).list();
      else if (file.filename() == "state.json" && file.parent_path().parent_path() == root / "runtime")
        runtime::Runtime(root / "runtime").state(file.parent_path().filename().string());
      else
        fs::move_aside_if(file, [](const std::string&) { return false; }, 256u << 20);
      const std::string prefix = file.filename().string() + std::string(fs::kMovedAsideMark);
      for (const auto& e : stdfs::directory_iterator(file.parent_path(), ec))
        if (e.path().filename().string().rfind(prefix, 0) == 0) stdfs::remove(e.path(), ec);
    } else if (::unlink(l.object.c_str()) != 0 && errno != ENOENT) {
      throw SystemError("remove " + l.object, errno);
    }
  } else if (l.kind == "record") {
    if (l.paths.empty())
      ContainerStore(root).list();  // rebuilds the record
    else
      stdfs::remove(l.object, ec);
  } else if (l.kind == "runtime") {
    if (!l.container_id.empty()) {
      runtime::Runtime(root / "runtime").remove(l.container_id, true);  // its cgroup and init too
    } else {
      stdfs::remove_all(l.object);
    }
  } else if (l.kind == "folder") {
    if (!l.container_id.empty() && stdfs::exists(root / "runtime" / l.container_id, ec))
      runtime::Runtime(root / "runtime").remove(l.container_id, true);
    runtime::unmount_overlay(l.object + "/rootfs");
    // Never delete through a mount point (a leftover bind could be a host folder).
    struct stat folder, rootfs;
    if (::stat(l.object.c_str(), &folder) == 0 && ::lstat((l.object + "/rootfs").c_str(), &rootfs) == 0 &&
        folder.st_dev != rootfs.st_dev)
      throw Error(l.object + "/rootfs is still mounted");
    stdfs::remove_all(l.object);
  } else {
    return false;
  }
  return true;
}

}  // namespace mycompose::scheduler::state_check
