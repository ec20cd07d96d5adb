#pragma once
// Seccomp filters from the OCI `linux.seccomp` section, built with libseccomp.
#include <nlohmann/json.hpp>
#include <vector>

namespace mycompose::runtime {

// Builds and loads the filter described by the OCI linux.seccomp object: defaultAction,
// defaultErrnoRet, architectures, flags, and syscalls[] (names, action, errnoRet, args with
// index/value/valueTwo/op). Syscall names unknown to libseccomp are skipped (as runc does);
// SCMP_ACT_NOTIFY is refused with an Error. A null/empty section does nothing.
//
// Call it last in the child, right before execve. Loading a filter needs either
// no_new_privs already set (set_no_new_privs()) or CAP_SYS_ADMIN in the effective set; this
// function never sets no_new_privs on its own, so a container without noNewPrivileges keeps
// NoNewPrivs 0 as with Docker.
void apply_seccomp(const nlohmann::json& linux_seccomp);

// Validates the section and builds the filter without loading it (for early errors in the
// parent, before anything is created). Throws the same errors apply_seccomp would.
void check_seccomp(const nlohmann::json& linux_seccomp);

// The filter compiled to classic BPF ahead of time (in the parent, before fork), so the child
// only makes one seccomp() call before execve instead of running libseccomp.
struct CompiledSeccomp {
  std::vector<unsigned char> program;  // struct sock_filter[], empty = no filter
  unsigned flags = 0;                  // SECCOMP_FILTER_FLAG_* from linux.seccomp.flags
  bool empty() const { return program.empty(); }
};
CompiledSeccomp compile_seccomp(const nlohmann::json& linux_seccomp);
// Loads a compiled filter (no allocation; same privilege rules as apply_seccomp).
void load_seccomp(const CompiledSeccomp& compiled);

// prctl(PR_SET_NO_NEW_PRIVS, 1); throws SystemError.
void set_no_new_privs();

}  // namespace mycompose::runtime
