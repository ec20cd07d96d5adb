#include "mount_options.hpp"

#include <sys/mount.h>

#include <cstring>

namespace mycompose::runtime {
namespace {

struct Flag {
  const char* name;
  bool clear;
  unsigned long flag;
};
constexpr Flag kFlags[] = {
    {"ro", false, MS_RDONLY},         {"rw", true, MS_RDONLY},
    {"nosuid", false, MS_NOSUID},     {"suid", true, MS_NOSUID},
    {"nodev", false, MS_NODEV},       {"dev", true, MS_NODEV},
    {"noexec", false, MS_NOEXEC},     {"exec", true, MS_NOEXEC},
    {"sync", false, MS_SYNCHRONOUS},  {"async", true, MS_SYNCHRONOUS},
    {"dirsync", false, MS_DIRSYNC},   {"remount", false, MS_REMOUNT},
    {"mand", false, MS_MANDLOCK},     {"nomand", true, MS_MANDLOCK},
    {"noatime", false, MS_NOATIME},   {"atime", true, MS_NOATIME},
    {"nodiratime", false, MS_NODIRATIME}, {"diratime", true, MS_NODIRATIME},
    {"relatime", false, MS_RELATIME}, {"norelatime", true, MS_RELATIME},
    {"strictatime", false, MS_STRICTATIME}, {"nostrictatime", true, MS_STRICTATIME},
};

struct Propagation {
  const char* name;
  unsigned long flag;
};
constexpr Propagation kPropagation[] = {
    {"private", MS_PRIVATE},   {"rprivate", MS_PRIVATE | MS_REC},       {"shared", MS_SHARED},
    {"rshared", MS_SHARED | MS_REC}, {"slave", MS_SLAVE},               {"rslave", MS_SLAVE | MS_REC},
    {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
};

}  // namespace

MountOptions parse_mount_options(const std::vector<std::string>& options) {
  MountOptions m;
  for (const auto& o : options) {
    if (o == "bind") {
      m.bind = true;
      continue;
    }
    if (o == "rbind") {
      m.bind = m.recursive = true;
      continue;
    }
    // A read-only rbind is read-only throughout already (rootfs.cpp), so rro is ro.
    if (o == "rro") {
      m.flags |= MS_RDONLY;
      continue;
    }
    if (o == "tmpcopyup" || o == "rrw") continue;  // not supported; harmless to skip
    bool known = false;
    for (const auto& f : kFlags)
      if (o == f.name) {
        if (f.clear) m.flags &= ~f.flag;
        else m.flags |= f.flag;
        known = true;
      }
    for (const auto& p : kPropagation)
      if (o == p.name) {
        m.propagation = p.flag;
        known = true;
      }
    if (!known) m.data += (m.data.empty() ? "" : ",") + o;
  }
  return m;
}

}  // namespace mycompose::runtime
