#include "mycompose/runtime/sysctl.hpp"

#include <set>

namespace mycompose::runtime {

std::string sysctl_dotted(const std::string& key) {
  // As runc: a key whose first separator is '/' uses '/' between parts; a '.' inside a part
  // (an interface name like eno2.100) then becomes '/'.
  auto first = key.find_first_of("./");
  if (first == std::string::npos || key[first] == '.') return key;
  std::string out = key;
  for (auto& c : out) c = c == '/' ? '.' : c == '.' ? '/' : c;
  return out;
}

SysctlScope sysctl_scope(const std::string& k) {
  static const std::set<std::string> ipc = {"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",  "kernel.sem",
                                            "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced"};
  if (ipc.count(k) || k.rfind("fs.mqueue.", 0) == 0) return SysctlScope::Ipc;
  if (k.rfind("net.", 0) == 0) return SysctlScope::Net;
  if (k == "kernel.domainname") return SysctlScope::Uts;
  return SysctlScope::Host;
}

std::string sysctl_refusal(const std::string& key, const OwnNamespaces& own) {
  const std::string k = sysctl_dotted(key);
  const std::string q = "sysctl \"" + k + "\"";
  switch (sysctl_scope(k)) {
    case SysctlScope::Ipc:
      return own.ipc ? "" : q + " is not allowed in the host's ipc namespace: it would change the host";
    case SysctlScope::Net:
      return own.net ? "" : q + " is not allowed in the host's network namespace: it would change the host";
    case SysctlScope::Uts:
      return own.uts ? "" : q + " is not allowed in the host's uts namespace: it would change the host";
    case SysctlScope::Host:
      break;
  }
  if (k == "kernel.hostname") return q + " is not allowed: it conflicts with the hostname setting";
  return q + " is not namespaced: it would change the host (it is not in a separate kernel namespace)";
}

}  // namespace mycompose::runtime
