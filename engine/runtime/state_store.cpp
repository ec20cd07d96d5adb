#include "state_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <ctime>

#include "mycompose/common/error.hpp"
#include "mycompose/common/fs.hpp"
#include "mycompose/common/state_record.hpp"
#include "mycompose/common/unique_fd.hpp"

namespace mycompose::runtime {

using nlohmann::json;

nlohmann::json ContainerState::oci_json() const {
  json j = {{"ociVersion", "1.0.2"}, {"id", id}, {"status", status}, {"pid", pid},
            {"bundle", bundle.string()}, {"created", created}};
  j["annotations"] = annotations;
  if (exit_code) j["exitCode"] = *exit_code;
  return j;
}

json StoredState::to_json() const {
  json j = oci.oci_json();
  j.erase("exitCode");
  j["mycompose"] = {{"initStartTime", init_start_time}, {"cgroupsPath", cgroups_path}, {"rootfs", rootfs.string()}};
  return j;
}

StoredState StoredState::from_json(const json& j) {
  StoredState s;
  s.oci.id = j.at("id").get<std::string>();
  s.oci.status = j.at("status").get<std::string>();
  s.oci.pid = j.at("pid").get<pid_t>();
  s.oci.bundle = j.at("bundle").get<std::string>();
  s.oci.created = j.value("created", "");
  if (j.contains("annotations") && j["annotations"].is_object())
    for (const auto& [k, v] : j["annotations"].items())
      if (v.is_string()) s.oci.annotations[k] = v.get<std::string>();
  const json& m = j.at("mycompose");
  s.init_start_time = m.at("initStartTime").get<unsigned long long>();
  s.cgroups_path = m.at("cgroupsPath").get<std::string>();
  s.rootfs = m.at("rootfs").get<std::string>();
  return s;
}

void check_container_id(const std::string& id) {
  bool ok = !id.empty() && id.size() <= 1024 && id != "." && id != "..";
  for (char c : id)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' || c == '+')) ok = false;
  if (!ok) throw Error("invalid container id \"" + id + "\": use letters, digits, '_', '-', '.' and '+'");
}

std::filesystem::path container_dir(const std::filesystem::path& root, const std::string& id) {
  check_container_id(id);
  return root / id;
}

StoredState read_state(const std::filesystem::path& dir, const std::string& id) {
  std::error_code ec;
  const bool had_record = std::filesystem::exists(dir / kStateFile, ec);
  if (auto s = fs::read_record(dir / kStateFile, 1 << 20, [](const json& j) { return StoredState::from_json(j); })) {
    // A create killed before it recorded its init: the init, if it was started, is in the cgroup.
    if (s->oci.status == "creating") find_init(dir, *s);
    return *s;
  }
  if (!std::filesystem::is_directory(dir, ec)) throw Error("container \"" + id + "\" does not exist");
  StoredState s = state_from_host(dir, id);
  // A torn record is replaced, so that every reader (system check too) agrees from now on.
  if (had_record) try {
      write_state(dir, s);
    } catch (const std::exception&) {
    }
  return s;
}

void write_state(const std::filesystem::path& dir, const StoredState& s) {
  fs::write_file_replace(dir / kStateFile, s.to_json().dump() + "\n", 0600);
}

void remove_state_folder(const std::filesystem::path& dir) {
  const auto doomed = dir.parent_path() / (std::string(kRemovingPrefix) + dir.filename().string());
  if (::rename(dir.c_str(), doomed.c_str()) == 0) {
    std::filesystem::remove_all(doomed);
  } else if (errno != ENOENT) {
    std::filesystem::remove_all(dir);
  }
}

UniqueFd create_exit_record(const std::filesystem::path& dir) {
  const auto path = dir / kExitFile;
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd) throw SystemError("create " + path.string(), errno);
  return fd;
}

std::optional<int> read_exit_code(const std::filesystem::path& dir) {
  UniqueFd fd(::open((dir / kExitFile).c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  struct stat st {};
  if (!fd || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
      st.st_size > static_cast<off_t>(kMaxExitRecord))
    return std::nullopt;
  char buf[kMaxExitRecord];
  ssize_t n = ::pread(fd.get(), buf, sizeof buf, 0);
  if (n <= 0) return std::nullopt;
  json j = json::parse(std::string_view(buf, static_cast<std::size_t>(n)), nullptr, false);
  if (!j.is_object() || !j.contains("exitCode") || !j["exitCode"].is_number_integer()) return std::nullopt;
  const auto code = j["exitCode"].get<long long>();
  if (code < 0 || code > 255) return std::nullopt;
  return static_cast<int>(code);
}

unsigned long long process_start_time(pid_t pid) {
  if (pid <= 0) return 0;
  std::string stat;
  try {
    stat = fs::read_file("/proc/" + std::to_string(pid) + "/stat", 4096);
  } catch (const Error&) {
    return 0;
  }
  // The comm field may contain spaces and parentheses: count fields after the last ')'.
  auto p = stat.rfind(')');
  if (p == std::string::npos) return 0;
  std::size_t pos = p + 2;
  for (int field = 3; field < 22; ++field) {
    pos = stat.find(' ', pos);
    if (pos == std::string::npos) return 0;
    ++pos;
  }
  // A zombie init has exited: treat it as gone.
  if (stat.size() > p + 2 && stat[p + 2] == 'Z') return 0;
  return std::strtoull(stat.c_str() + pos, nullptr, 10);
}

ContainerState current_state(const std::filesystem::path& dir, const StoredState& s) {
  ContainerState c = s.oci;
  bool alive = s.oci.pid > 0 && process_start_time(s.oci.pid) == s.init_start_time;
  if (!alive) {
    c.status = "stopped";
    c.pid = 0;
    c.exit_code = read_exit_code(dir);
  }
  return c;
}

}  // namespace mycompose::runtime
