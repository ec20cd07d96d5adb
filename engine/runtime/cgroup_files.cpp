#include "cgroup_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <sstream>
#include <thread>

#include "mycompose/common/error.hpp"
#include "mycompose/common/unique_fd.hpp"

namespace mycompose::runtime::cgroupfs {

void write(const std::string& file, const std::string& value) {
  // O_TRUNC as runc does: harmless on cgroupfs, and correct on a plain-file fake.
  UniqueFd fd(::open(file.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC));
  if (!fd) throw SystemError("write " + value + " to " + file, errno);
  // One write() per value: cgroupfs parses each write on its own.
  ssize_t n = ::write(fd.get(), value.data(), value.size());
  if (n < 0) throw SystemError("write " + value + " to " + file, errno);
}

std::optional<std::string> read_if_exists(const std::string& file) {
  UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) {
    if (errno == ENOENT) return std::nullopt;
    throw SystemError("read " + file, errno);
  }
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw SystemError("read " + file, errno);
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

std::string read(const std::string& file) {
  auto v = read_if_exists(file);
  if (!v) throw SystemError("read " + file, ENOENT);
  return *v;
}

bool exists(const std::string& file) { return ::access(file.c_str(), F_OK) == 0; }

std::vector<pid_t> read_pids(const std::string& procs_file) {
  std::vector<pid_t> out;
  std::istringstream in(read(procs_file));
  pid_t p;
  while (in >> p) out.push_back(p);
  return out;
}

std::optional<std::uint64_t> stat_value(const std::string& contents, const std::string& key) {
  std::istringstream in(contents);
  std::string k;
  std::uint64_t v;
  while (in >> k >> v)
    if (k == key) return v;
  return std::nullopt;
}

std::string normalize(const std::string& cgroups_path) {
  std::string p = cgroups_path;
  while (!p.empty() && p.front() == '/') p.erase(0, 1);
  while (!p.empty() && p.back() == '/') p.pop_back();
  if (p.empty()) throw Error("cgroupsPath \"" + cgroups_path + "\" is empty; a container needs its own cgroup");
  std::istringstream in(p);
  std::string part;
  while (std::getline(in, part, '/'))
    if (part.empty() || part == "." || part == "..")
      throw Error("cgroupsPath \"" + cgroups_path + "\" must be a plain relative path (no '.', '..' or '//')");
  return p;
}

std::vector<std::string> make_levels(const std::string& base, const std::string& relative) {
  std::vector<std::string> created;
  std::string cur = base;
  std::istringstream in(relative);
  std::string part;
  while (std::getline(in, part, '/')) {
    cur += "/" + part;
    if (::mkdir(cur.c_str(), 0755) == 0) {
      created.push_back(cur);
    } else if (errno != EEXIST) {
      throw SystemError("mkdir " + cur, errno);
    }
  }
  return created;
}

void remove_levels(const std::string& base, const std::string& relative) {
  std::string leaf = base + "/" + relative;
  // Tasks that just exited can keep the folder busy for a moment (runc retries too).
  for (int attempt = 0;; ++attempt) {
    if (::rmdir(leaf.c_str()) == 0 || errno == ENOENT) break;
    if (errno != EBUSY || attempt >= 200) throw SystemError("rmdir " + leaf, errno);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  // Parents shared with other containers stay while they have other children.
  std::string rel = relative;
  for (auto slash = rel.rfind('/'); slash != std::string::npos; slash = rel.rfind('/')) {
    rel.resize(slash);
    std::string dir = base + "/" + rel;
    if (::rmdir(dir.c_str()) != 0) break;
  }
}

std::optional<std::int64_t> number(const nlohmann::json& obj, const char* key) {
  if (!obj.is_object() || !obj.contains(key) || obj[key].is_null()) return std::nullopt;
  if (!obj[key].is_number_integer()) throw Error(std::string("linux.resources: ") + key + " must be an integer");
  return obj[key].get<std::int64_t>();
}

std::optional<std::string> string(const nlohmann::json& obj, const char* key) {
  if (!obj.is_object() || !obj.contains(key) || obj[key].is_null()) return std::nullopt;
  if (!obj[key].is_string()) throw Error(std::string("linux.resources: ") + key + " must be a string");
  auto s = obj[key].get<std::string>();
  if (s.empty()) return std::nullopt;
  return s;
}

}  // namespace mycompose::runtime::cgroupfs
