#pragma once
// Which sysctls a container may set. /proc/sys is only partly namespaced: a key the kernel
// does not keep per namespace written from a container changes the host (runc's and Docker's
// rule, libcontainer/configs/validate). Used by the runtime (any config.json) and by `up`
// (before anything is created, naming the service).
#include <string>

namespace mycompose::runtime {

// The namespace that makes a sysctl the container's own.
enum class SysctlScope {
  Ipc,   // kernel.msgmax/msgmnb/msgmni, kernel.sem, kernel.shmall/shmmax/shmmni/shm_rmid_forced, fs.mqueue.*
  Net,   // net.*
  Uts,   // kernel.domainname (kernel.hostname is refused: the hostname field sets it)
  Host,  // everything else: one value for the whole machine
};

// "net/ipv4/ip_forward" and "net.ipv4.ip_forward" name the same key (sysctl.d(5)).
std::string sysctl_dotted(const std::string& key);
SysctlScope sysctl_scope(const std::string& dotted_key);

// Whether the container has each namespace of its own (created, or joined but not the
// runtime's own).
struct OwnNamespaces {
  bool ipc = false, net = false, uts = false;
};

// Why `key` may not be set in such a container ("" when it may), e.g.
// `sysctl "vm.swappiness" is not namespaced: it would change the host`.
std::string sysctl_refusal(const std::string& key, const OwnNamespaces& own);

}  // namespace mycompose::runtime
