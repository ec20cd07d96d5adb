#include "sync.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>

#include "commands/service_container.hpp"
#include "mycompose/common/error.hpp"
#include "mycompose/common/unique_fd.hpp"
#include "mycompose/scheduler/copy.hpp"

namespace mycompose::cli::watch {
namespace {

constexpr std::size_t kMaxEntries = 200000;  // one batch's tar holds at most this many entries
constexpr int kMaxSyncDepth = 64;  // folders nested deeper are not synced

bool within(const std::string& p, const std::string& dir) {
  if (dir == "/") return true;
  return p == dir || (p.size() > dir.size() && p.compare(0, dir.size(), dir) == 0 && p[dir.size()] == '/');
}

std::vector<std::string> children(DIR* d) {
  std::vector<std::string> names;
  while (dirent* de = ::readdir(d))
    if (std::strcmp(de->d_name, ".") && std::strcmp(de->d_name, "..")) names.emplace_back(de->d_name);
  std::sort(names.begin(), names.end());
  return names;
}

// A tar of host paths under the names the container gets, in an unlinked temporary file so
// that every container reads it from the start.
class TarFile {
 public:
  TarFile() : file_(std::tmpfile(), std::fclose), a_(archive_write_new(), archive_write_free) {
    if (!file_ || !a_) throw Error("watch: cannot create a temporary tar file");
    if (archive_write_set_format_pax_restricted(a_.get()) != ARCHIVE_OK ||
        archive_write_open_fd(a_.get(), ::fileno(file_.get())) != ARCHIVE_OK)
      throw Error(std::string("watch: tar: ") + archive_error_string(a_.get()));
  }
  // host: the file or folder; name: its name in the archive (relative).
  void add(const std::string& host, const std::string& name, int depth = 0) {
    if (++entries_ > kMaxEntries) throw Error("watch: more than " + std::to_string(kMaxEntries) + " files changed at once");
    UniqueFd fd(::open(host.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    struct stat st;
    if (::lstat(host.c_str(), &st) != 0) return;  // gone meanwhile: the next batch removes it
    std::unique_ptr<archive_entry, void (*)(archive_entry*)> e(archive_entry_new(), archive_entry_free);
    archive_entry_set_pathname(e.get(), name.c_str());
    archive_entry_set_mode(e.get(), st.st_mode);
    archive_entry_set_uid(e.get(), st.st_uid);
    archive_entry_set_gid(e.get(), st.st_gid);
    archive_entry_set_mtime(e.get(), st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    if (S_ISLNK(st.st_mode)) {
      char target[4096];
      ssize_t n = ::readlink(host.c_str(), target, sizeof target - 1);
      if (n < 0) return;
      target[n] = '\0';
      archive_entry_set_symlink(e.get(), target);
      header(e.get());
      return;
    }
    if (S_ISDIR(st.st_mode)) {
      header(e.get());
      if (depth >= kMaxSyncDepth) return;
      std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(host.c_str()), ::closedir);
      if (!d) return;
      for (const auto& n : children(d.get())) add(host + "/" + n, name + "/" + n, depth + 1);
      return;
    }
    if (!S_ISREG(st.st_mode) || !fd) return;  // sockets, fifos and devices are not synced
    struct stat fst;
    if (::fstat(fd.get(), &fst) != 0 || !S_ISREG(fst.st_mode)) return;
    archive_entry_set_size(e.get(), fst.st_size);
    header(e.get());
    // The size is fixed by the header: a file that grows is cut, one that shrinks is padded.
    char buf[65536];
    off_t left = fst.st_size;
    while (left > 0) {
      ssize_t n = ::read(fd.get(), buf, static_cast<size_t>(std::min<off_t>(left, sizeof buf)));
      if (n <= 0) {
        std::memset(buf, 0, sizeof buf);
        n = static_cast<ssize_t>(std::min<off_t>(left, sizeof buf));
      }
      if (archive_write_data(a_.get(), buf, static_cast<size_t>(n)) < 0)
        throw Error(std::string("watch: tar: ") + archive_error_string(a_.get()));
      left -= n;
    }
  }
  // A folder's entries under their own names (a folder synced onto the target itself).
  void add_content(const std::string& host) {
    std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(host.c_str()), ::closedir);
    if (!d) return;
    for (const auto& n : children(d.get())) add(host + "/" + n, n, 1);
  }
  // Finished: the descriptor to read it from (rewound by rewind()).
  int finish() {
    if (archive_write_close(a_.get()) != ARCHIVE_OK) throw Error(std::string("watch: tar: ") + archive_error_string(a_.get()));
    return ::fileno(file_.get());
  }
  void rewind() { ::lseek(::fileno(file_.get()), 0, SEEK_SET); }

 private:
  void header(archive_entry* e) {
    if (archive_write_header(a_.get(), e) != ARCHIVE_OK) throw Error(std::string("watch: tar: ") + archive_error_string(a_.get()));
  }
  std::unique_ptr<FILE, int (*)(FILE*)> file_;
  std::unique_ptr<archive, int (*)(archive*)> a_;
  std::size_t entries_ = 0;
};

// The name of `container` below `base` ("/app/data/x" below "/app" is "data/x").
std::string relative_to(const std::string& container, const std::string& base) {
  if (container == base) return "";
  if (base == "/") return container.substr(1);
  return container.substr(base.size() + 1);
}

// One tar per landing folder: the rule's target (so that a target on a volume is written to
// the volume), or "/" when the target is not in the container yet (created on the way).
void copy_into(const scheduler::ContainerFiles& c, const std::string& base, const std::vector<const PathMapping*>& maps) {
  auto send = [&](const std::string& dest) {
    TarFile tar;
    for (const PathMapping* m : maps) {
      const std::string name = relative_to(m->container, dest);
      if (name.empty()) tar.add_content(m->host);  // the target itself: its content lands in it
      else
        tar.add(m->host, name);
    }
    const int fd = tar.finish();
    tar.rewind();
    scheduler::copy_tar_to_container(c, fd, dest, scheduler::CopyOptions{true, false});
  };
  if (base != "/") {
    try {
      send(base);
      return;
    } catch (const Error& e) {
      if (std::string(e.what()).rfind("Could not find the file", 0) != 0) throw;
    }
  }
  send("/");
}

// Where a mapping's tar lands: its rule's target, or for a file synced onto the target
// itself, the target's folder.
std::string landing(const PathMapping& m, bool is_dir) {
  if (m.target.empty() || m.target[0] != '/' || !within(m.container, m.target)) return "/";
  if (m.container != m.target || is_dir) return m.target;
  auto slash = m.target.rfind('/');
  return slash == 0 ? "/" : m.target.substr(0, slash);
}

}  // namespace

void sync_service(const std::filesystem::path& root, const std::string& project, const std::string& service,
                  std::vector<PathMapping> mappings) {
  scheduler::ContainerStore store(root);
  auto containers = service_containers(store, {project, service, 0, true, false});
  if (containers.empty()) return;
  std::sort(mappings.begin(), mappings.end(), [](const PathMapping& a, const PathMapping& b) { return a.container < b.container; });
  std::vector<std::string> gone;
  std::map<std::string, std::vector<const PathMapping*>> by_target;
  for (const auto& m : mappings) {
    if (m.container.empty() || m.container[0] != '/') continue;
    struct stat st {};
    if (::lstat(m.host.c_str(), &st) != 0 && errno == ENOENT) gone.push_back(m.container);
    else by_target[landing(m, S_ISDIR(st.st_mode))].push_back(&m);
  }
  for (const auto& rec : containers) {
    const auto files = scheduler::ContainerFiles::of(root, rec);
    if (!gone.empty()) {
      runtime::ExecOptions rm;
      rm.args = {"rm", "-rf"};
      rm.args.insert(rm.args.end(), gone.begin(), gone.end());
      if (int rc = store.runtime().exec(rec.id, rm); rc != 0)
        throw Error("deleting paths in " + files.name + ": exit code " + std::to_string(rc));
    }
    for (const auto& [target, maps] : by_target) {
      try {
        copy_into(files, target, maps);
      } catch (const std::exception& e) {
        throw Error("copying files to " + files.name + ": " + e.what());
      }
    }
  }
}

}  // namespace mycompose::cli::watch
