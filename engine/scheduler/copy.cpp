// `cp`: docker cp's rules for where a copy lands, on top of copy_entries' fd-based readers
// and writers. See copy.hpp for why every container path goes through open_in_root.
#include "mycompose/scheduler/copy.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "copy_entries.hpp"
#include "mycompose/common/error.hpp"
#include "mycompose/common/fs.hpp"
#include "mycompose/runtime/in_root.hpp"
#include "mycompose/runtime/mount_source.hpp"

namespace mycompose::scheduler {
namespace stdfs = std::filesystem;
using nlohmann::json;

namespace {

// A path as cp takes it: lexically cleaned and absolute, plus docker's two suffix rules.
struct CpPath {
  std::string path;               // "/a/b"
  bool contents = false;          // ended with "/.": a folder's content, not the folder
  bool trailing_slash = false;    // ended with "/": must be a folder
};

CpPath parse_container_path(const std::string& raw) {
  CpPath p;
  p.contents = raw == "." || (raw.size() >= 2 && raw.compare(raw.size() - 2, 2, "/.") == 0);
  p.trailing_slash = !raw.empty() && raw.back() == '/';
  std::vector<std::string> parts;
  size_t i = 0;
  while (i <= raw.size()) {
    size_t j = raw.find('/', i);
    if (j == std::string::npos) j = raw.size();
    std::string part = raw.substr(i, j - i);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();  // ".." of "/" is "/", as in the container
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    i = j + 1;
  }
  for (const auto& part : parts) p.path += "/" + part;
  if (p.path.empty()) p.path = "/";
  return p;
}

std::string base_name(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string parent_path(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return "";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// Where a container path lives on the host: the folder a resolution starts from (the
// rootfs, or the host folder of the volume/bind mount covering the path) and the path in it.
struct Located {
  UniqueFd root;
  std::string rel;
};

bool is_bind(const json& m) {
  if (m.value("type", "") == "bind") return true;
  for (const auto& o : m.value("options", std::vector<std::string>{}))
    if (o == "bind" || o == "rbind") return true;
  return false;
}

Located locate(const ContainerFiles& c, const std::string& path) {
  const json config = json::parse(fs::read_file(c.container_dir / "config.json", 16 << 20));
  const json mounts = config.value("mounts", json::array());  // best points into it
  const json* best = nullptr;
  size_t best_len = 0;
  for (const auto& m : mounts) {
    if (!is_bind(m)) continue;
    const std::string dest = parse_container_path(m.value("destination", "")).path;
    const bool covers = dest == "/" || path == dest || path.rfind(dest + "/", 0) == 0;
    if (covers && dest.size() >= best_len) {
      best = &m;
      best_len = dest.size();
    }
  }
  Located l;
  if (!best) {
    l.root.reset(::open((c.container_dir / "rootfs").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!l.root) throw SystemError("open the root filesystem of container " + c.name, errno);
    l.rel = path;
    return l;
  }
  const std::string source = best->value("source", "");
  // A source below a root (a volume, a host path) is opened as the runtime mounts it: with no
  // symlink below the root, which a container sharing that folder could have swapped in.
  const std::string source_root = best->value(runtime::kMountSourceRootKey, "");
  const std::string rest = best_len == 1 ? path : path.substr(best_len);
  auto open_source = [&](const std::string& p) {
    try {
      return runtime::open_mount_source(p, source_root);
    } catch (const Error& e) {
      throw Error(std::string(e.what()) + " (mounted at " + best->value("destination", "") + " in container " + c.name + ")");
    }
  };
  UniqueFd fd = open_source(source);
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) throw SystemError("stat " + source + " (mounted at " + best->value("destination", "") + ")", errno);
  if (S_ISDIR(st.st_mode)) {
    l.root = std::move(fd);
    l.rel = rest.empty() ? "/" : rest;
  } else {
    if (!rest.empty()) throw Error("Could not find the file " + path + " in container " + c.name);
    const std::string parent = stdfs::path(source).parent_path().string();
    l.root = open_source(parent);
    l.rel = "/" + stdfs::path(source).filename().string();
  }
  if (!l.root) throw SystemError("open " + source, errno);
  return l;
}

UniqueFd open_source_in_container(const ContainerFiles& c, const CpPath& src, bool follow) {
  Located l = locate(c, src.path);
  UniqueFd fd = runtime::open_in_root(l.root.get(), l.rel, O_PATH | (follow ? 0 : O_NOFOLLOW));
  if (!fd) {
    if (errno == ENOENT || errno == ENOTDIR) throw Error("Could not find the file " + src.path + " in container " + c.name);
    throw SystemError("open " + src.path + " in container " + c.name, errno);
  }
  if (src.trailing_slash || src.contents) {
    struct stat st;
    check_syscall(::fstat(fd.get(), &st), "stat " + src.path);
    if (!S_ISDIR(st.st_mode)) throw Error("not a directory: " + src.path + " in container " + c.name);
  }
  return fd;
}

bool is_dir_fd(int fd) {
  struct stat st;
  return ::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
}

// docker cp's table: where the source lands, as (folder, name in it); name "" = the folder
// itself receives the source folder's content.
struct Landing {
  UniqueFd dir;
  std::string name;
};

Landing landing(bool src_is_dir, const CpPath& src, UniqueFd existing, bool dest_trailing_slash,
                const std::function<UniqueFd()>& open_parent, const std::string& dest_name, const std::string& dest_for_errors) {
  const bool dest_is_dir = existing && is_dir_fd(existing.get());
  if (!src_is_dir) {
    if (dest_is_dir) return {std::move(existing), base_name(src.path)};
    if (existing && dest_trailing_slash) throw Error("destination \"" + dest_for_errors + "\" must be a directory");
    if (!existing && dest_trailing_slash) throw Error("destination directory \"" + dest_for_errors + "\" must exist");
    return {open_parent(), dest_name};
  }
  if (existing && !dest_is_dir) throw Error("cannot copy a directory to a file: " + dest_for_errors);
  if (!existing) return {open_parent(), dest_name};
  if (src.contents) return {std::move(existing), ""};
  return {std::move(existing), base_name(src.path)};
}

// Reopens an O_PATH folder so that *at() calls that create things accept it.
UniqueFd as_dir(UniqueFd fd, const std::string& what) {
  UniqueFd d(::open(("/proc/self/fd/" + std::to_string(fd.get())).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!d) throw SystemError("open " + what, errno);
  return d;
}

std::optional<std::pair<uid_t, gid_t>> owner_for(const CopyOptions& o) {
  if (o.archive) return std::nullopt;
  return std::pair{::geteuid(), ::getegid()};
}

}  // namespace

ContainerFiles ContainerFiles::of(const stdfs::path& root, const ContainerRecord& rec) {
  return {root / "containers" / rec.id, rec.name};
}

void copy_from_container(const ContainerFiles& c, const std::string& src_raw, const stdfs::path& dest, const CopyOptions& o) {
  const CpPath src = parse_container_path(src_raw);
  UniqueFd top = open_source_in_container(c, src, o.follow_link);
  const bool src_is_dir = is_dir_fd(top.get());
  const std::string d = dest.string();
  const bool trailing = !d.empty() && d.back() == '/';
  UniqueFd existing(::open(d.c_str(), O_PATH | O_CLOEXEC));
  stdfs::path clean = dest.lexically_normal();
  if (clean.has_filename() == false && clean.has_parent_path()) clean = clean.parent_path();
  const std::string name = clean.filename().string();
  Landing at = landing(src_is_dir, src, std::move(existing), trailing,
                       [&] {
                         stdfs::path parent = stdfs::absolute(clean).parent_path();
                         UniqueFd p(::open(parent.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
                         if (!p) throw SystemError("open " + parent.string(), errno);
                         return p;
                       },
                       name, d);
  copy::DirWriter writer(as_dir(std::move(at.dir), d), owner_for(o), d);
  copy::walk_tree(std::move(top), at.name, [&](const copy::Entry& e) { writer.put(e); });
}

void copy_from_container_tar(const ContainerFiles& c, const std::string& src_raw, int out_fd, const CopyOptions& o) {
  const CpPath src = parse_container_path(src_raw);
  UniqueFd top = open_source_in_container(c, src, o.follow_link);
  copy::TarWriter tar(out_fd);
  copy::walk_tree(std::move(top), src.contents ? "" : base_name(src.path), [&](const copy::Entry& e) { tar.put(e); });
  tar.finish();
}

void copy_to_container(const ContainerFiles& c, const stdfs::path& src_path, const std::string& dest_raw, const CopyOptions& o) {
  const std::string s = src_path.string();
  CpPath src;
  src.contents = s == "." || (s.size() >= 2 && s.compare(s.size() - 2, 2, "/.") == 0);
  src.path = stdfs::absolute(src_path).lexically_normal().string();  // drops "." parts
  while (src.path.size() > 1 && src.path.back() == '/') src.path.pop_back();
  UniqueFd top(::open(src.path.c_str(), O_PATH | O_CLOEXEC | (o.follow_link ? 0 : O_NOFOLLOW)));
  if (!top) throw SystemError("lstat " + s, errno);
  const bool src_is_dir = is_dir_fd(top.get());

  const CpPath dest = parse_container_path(dest_raw);
  Located l = locate(c, dest.path);
  UniqueFd existing = runtime::open_in_root(l.root.get(), l.rel, O_PATH);
  const std::string where = "container " + c.name + ":" + dest.path;
  Landing at = landing(src_is_dir, src, std::move(existing), dest.trailing_slash,
                       [&] {
                         UniqueFd p = runtime::open_in_root(l.root.get(), parent_path(l.rel), O_PATH | O_DIRECTORY);
                         if (!p) throw Error("Could not find the file " + parent_path(dest.path) + " in container " + c.name);
                         return p;
                       },
                       base_name(dest.path), dest_raw);
  copy::DirWriter writer(as_dir(std::move(at.dir), where), o.archive ? std::nullopt : std::optional(std::pair<uid_t, gid_t>{0, 0}), where);
  copy::walk_tree(std::move(top), at.name, [&](const copy::Entry& e) { writer.put(e); });
}

void copy_tar_to_container(const ContainerFiles& c, int in_fd, const std::string& dest_raw, const CopyOptions& o) {
  const CpPath dest = parse_container_path(dest_raw);
  Located l = locate(c, dest.path);
  UniqueFd dir = runtime::open_in_root(l.root.get(), l.rel, O_PATH);
  if (!dir) throw Error("Could not find the file " + dest.path + " in container " + c.name);
  if (!is_dir_fd(dir.get())) throw Error("extraction point is not a directory: " + dest.path);
  const std::string where = "container " + c.name + ":" + dest.path;
  copy::DirWriter writer(as_dir(std::move(dir), where), o.archive ? std::nullopt : std::optional(std::pair<uid_t, gid_t>{0, 0}), where);
  copy::read_tar(in_fd, [&](const copy::Entry& e) { writer.put(e); });
}

}  // namespace mycompose::scheduler
