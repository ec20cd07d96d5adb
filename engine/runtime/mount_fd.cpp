#include "mount_fd.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>

#include "mycompose/common/error.hpp"

namespace mycompose::runtime {
namespace {

struct Attr {
  unsigned long ms;
  std::uint64_t attr;
};
constexpr Attr kPerMount[] = {
    {MS_RDONLY, MOUNT_ATTR_RDONLY}, {MS_NOSUID, MOUNT_ATTR_NOSUID}, {MS_NODEV, MOUNT_ATTR_NODEV},
    {MS_NOEXEC, MOUNT_ATTR_NOEXEC}, {MS_NODIRATIME, MOUNT_ATTR_NODIRATIME},
};

mount_attr attrs_of(unsigned long flags) {
  mount_attr a{};
  for (const auto& f : kPerMount)
    if (flags & f.ms) a.attr_set |= f.attr;
  // One atime mode per mount: setting one replaces the others.
  if (flags & (MS_NOATIME | MS_STRICTATIME | MS_RELATIME)) {
    a.attr_clr |= MOUNT_ATTR__ATIME;
    a.attr_set |= (flags & MS_NOATIME) ? MOUNT_ATTR_NOATIME : (flags & MS_STRICTATIME) ? MOUNT_ATTR_STRICTATIME : MOUNT_ATTR_RELATIME;
  }
  return a;
}

// What the kernel logged on an fs context (fsconfig's reason for a refusal), one line.
std::string context_log(int fs_fd) {
  std::string out;
  char buf[512];
  for (int i = 0; i < 8; ++i) {
    ssize_t n = ::read(fs_fd, buf, sizeof buf - 1);
    if (n <= 0) break;
    buf[n] = 0;
    std::string line(buf, static_cast<std::size_t>(n));
    if (line.size() > 2 && line[1] == ' ') line = line.substr(2);  // "e msg" / "w msg"
    out += (out.empty() ? "" : "; ") + line;
  }
  return out;
}

}  // namespace

UniqueFd clone_tree(int source_fd, bool recursive, const std::string& what) {
  UniqueFd tree(::open_tree(source_fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0)));
  if (!tree) throw SystemError(what + ": open_tree", errno);
  return tree;
}

void set_mount_flags(int tree_fd, const MountOptions& o, bool recursive, const std::string& what) {
  mount_attr a = attrs_of(o.flags);
  if ((a.attr_set || a.attr_clr) &&
      ::mount_setattr(tree_fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &a, sizeof a) != 0)
    throw SystemError(what + ": set mount flags", errno);
  if (!o.propagation) return;
  mount_attr p{};
  p.propagation = o.propagation & ~MS_REC;
  if (::mount_setattr(tree_fd, "", AT_EMPTY_PATH | ((o.propagation & MS_REC) ? AT_RECURSIVE : 0), &p, sizeof p) != 0)
    throw SystemError(what + ": set propagation", errno);
}

UniqueFd new_filesystem(const std::string& type, const std::string& source, const MountOptions& o, std::string& error) {
  UniqueFd fs(::fsopen(type.c_str(), FSOPEN_CLOEXEC));
  if (!fs) {
    error = "fsopen " + type;
    return fs;
  }
  auto refused = [&](const std::string& step) {
    const int err = errno;
    const std::string why = context_log(fs.get());
    error = step + (why.empty() ? "" : " (" + why + ")");
    errno = err;
    return UniqueFd();
  };
  if (!source.empty() && ::fsconfig(fs.get(), FSCONFIG_SET_STRING, "source", source.c_str(), 0) != 0) return refused("source " + source);
  // The filesystem's own options, as mount(2) would split its data string.
  for (std::size_t at = 0; at < o.data.size();) {
    std::size_t comma = o.data.find(',', at);
    const std::string opt = o.data.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
    at = comma == std::string::npos ? o.data.size() : comma + 1;
    if (opt.empty()) continue;
    const auto eq = opt.find('=');
    const int rc = eq == std::string::npos
                       ? ::fsconfig(fs.get(), FSCONFIG_SET_FLAG, opt.c_str(), nullptr, 0)
                       : ::fsconfig(fs.get(), FSCONFIG_SET_STRING, opt.substr(0, eq).c_str(), opt.substr(eq + 1).c_str(), 0);
    if (rc != 0) return refused("option " + opt);
  }
  // Superblock flags that have no per-mount form.
  for (const auto& [ms, name] : {std::pair{MS_SYNCHRONOUS, "sync"}, std::pair{MS_DIRSYNC, "dirsync"}})
    if ((o.flags & ms) && ::fsconfig(fs.get(), FSCONFIG_SET_FLAG, name, nullptr, 0) != 0) return refused(std::string("option ") + name);
  if (::fsconfig(fs.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0) return refused("create");
  const mount_attr a = attrs_of(o.flags);
  UniqueFd mnt(::fsmount(fs.get(), FSMOUNT_CLOEXEC, static_cast<unsigned>(a.attr_set)));
  if (!mnt) return refused("fsmount");
  return mnt;
}

void attach_tree(int tree_fd, int dest_fd, const std::string& what) {
  if (::move_mount(tree_fd, "", dest_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0)
    throw SystemError(what + ": move_mount", errno);
}

}  // namespace mycompose::runtime
