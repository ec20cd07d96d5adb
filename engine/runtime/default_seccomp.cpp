// Our default seccomp allow-list. It matches what Docker's default profile allows (read for
// reference: moby profiles/seccomp), grouped here by what the syscalls are for so a reader can
// judge each group; anything not listed fails with EPERM.
#include "mycompose/runtime/default_seccomp.hpp"

#include <algorithm>
#include <cerrno>
#include <sstream>

namespace mycompose::runtime {
namespace {

// Always allowed. Names unknown on the running architecture are skipped by apply_seccomp.
constexpr const char* kAlwaysAllowed[] = {
    // files and folders
    "access faccessat faccessat2 chdir fchdir getcwd chmod fchmod fchmodat chown chown32 fchown fchown32 "
    "fchownat lchown lchown32 creat open openat openat2 close close_range dup dup2 dup3 fcntl fcntl64 flock "
    "fsync fdatasync sync syncfs sync_file_range fallocate ftruncate ftruncate64 truncate truncate64 link "
    "linkat symlink symlinkat unlink unlinkat rename renameat renameat2 mkdir mkdirat mknod mknodat rmdir "
    "readlink readlinkat umask utime utimes utimensat utimensat_time64 futimesat stat stat64 lstat lstat64 "
    "fstat fstat64 fstatat64 newfstatat statx statfs statfs64 fstatfs fstatfs64 getdents getdents64 "
    "name_to_handle_at",
    // extended attributes
    "getxattr lgetxattr fgetxattr setxattr lsetxattr fsetxattr listxattr llistxattr flistxattr removexattr "
    "lremovexattr fremovexattr",
    // reading and writing
    "read readv pread64 preadv preadv2 write writev pwrite64 pwritev pwritev2 lseek _llseek sendfile "
    "sendfile64 splice tee vmsplice copy_file_range readahead fadvise64 fadvise64_64 ioctl",
    // waiting for events
    "select _newselect pselect6 pselect6_time64 poll ppoll ppoll_time64 epoll_create epoll_create1 "
    "epoll_ctl epoll_ctl_old epoll_wait epoll_wait_old epoll_pwait epoll_pwait2 eventfd eventfd2 signalfd "
    "signalfd4 timerfd_create timerfd_gettime timerfd_gettime64 timerfd_settime timerfd_settime64 "
    "inotify_init inotify_init1 inotify_add_watch inotify_rm_watch fanotify_mark pipe pipe2",
    // asynchronous I/O. Not io_uring_setup/enter/register: as Docker 25+, io_uring stays blocked
    // (a long line of kernel escalations; its operations also bypass this filter).
    "io_setup io_destroy io_submit io_cancel io_getevents io_pgetevents io_pgetevents_time64",
    // memory
    "brk mmap mmap2 munmap mremap mprotect madvise mincore msync mlock mlock2 mlockall munlock munlockall "
    "membarrier memfd_create memfd_secret remap_file_pages pkey_alloc pkey_free pkey_mprotect",
    // processes and threads (clone is below: only without new namespaces)
    "execve execveat exit exit_group fork vfork wait4 waitid waitpid kill tkill tgkill getpid getppid gettid "
    "getpgid getpgrp setpgid getsid setsid getpriority setpriority prctl seccomp capget capset "
    "set_tid_address set_robust_list get_robust_list rseq restart_syscall set_thread_area get_thread_area "
    "pidfd_open pidfd_send_signal process_mrelease getrusage getrlimit setrlimit ugetrlimit prlimit64 times "
    "uname sysinfo getcpu getrandom landlock_add_rule landlock_create_ruleset landlock_restrict_self futex "
    "futex_time64 futex_waitv ioprio_get ioprio_set",
    // Since Linux 4.8 ptrace cannot be used to escape seccomp, so Docker allows it to all.
    "ptrace process_vm_readv process_vm_writev",
    // user and group ids
    "getuid getuid32 geteuid geteuid32 getgid getgid32 getegid getegid32 getresuid getresuid32 getresgid "
    "getresgid32 getgroups getgroups32 setuid setuid32 setgid setgid32 setreuid setreuid32 setregid "
    "setregid32 setresuid setresuid32 setresgid setresgid32 setfsuid setfsuid32 setfsgid setfsgid32 "
    "setgroups setgroups32",
    // signals
    "rt_sigaction rt_sigpending rt_sigprocmask rt_sigqueueinfo rt_sigreturn rt_sigsuspend rt_sigtimedwait "
    "rt_sigtimedwait_time64 rt_tgsigqueueinfo sigaltstack sigprocmask sigreturn pause alarm",
    // scheduling
    "sched_getaffinity sched_setaffinity sched_getattr sched_setattr sched_getparam sched_setparam "
    "sched_getscheduler sched_setscheduler sched_get_priority_max sched_get_priority_min "
    "sched_rr_get_interval sched_rr_get_interval_time64 sched_yield",
    // clocks and timers (setting the clock needs CAP_SYS_TIME, below)
    "adjtimex clock_adjtime clock_adjtime64 clock_getres clock_getres_time64 clock_gettime clock_gettime64 "
    "clock_nanosleep clock_nanosleep_time64 gettimeofday nanosleep time getitimer setitimer timer_create "
    "timer_delete timer_getoverrun timer_gettime timer_gettime64 timer_settime timer_settime64",
    // sockets (socket itself is below: every family but AF_VSOCK)
    "socketcall socketpair bind connect listen accept accept4 getsockname getpeername getsockopt setsockopt "
    "shutdown send sendto sendmsg sendmmsg recv recvfrom recvmsg recvmmsg recvmmsg_time64",
    // System V and POSIX IPC (private to the container's IPC namespace)
    "ipc msgctl msgget msgrcv msgsnd semctl semget semop semtimedop semtimedop_time64 shmat shmctl shmdt "
    "shmget mq_open mq_unlink mq_getsetattr mq_notify mq_timedreceive mq_timedreceive_time64 mq_timedsend "
    "mq_timedsend_time64",
};

// Allowed only to a container holding the capability (the kernel would check it anyway;
// seccomp removes the attack surface from everyone else).
struct CapabilityGroup {
  const char* capability;
  const char* names;
};
constexpr CapabilityGroup kWithCapability[] = {
    {"CAP_SYS_ADMIN",
     "bpf clone clone3 fanotify_init fsconfig fsmount fsopen fspick lookup_dcookie mount mount_setattr "
     "move_mount open_tree perf_event_open quotactl quotactl_fd setdomainname sethostname setns syslog "
     "umount umount2 unshare"},
    {"CAP_SYS_BOOT", "reboot"},
    {"CAP_SYS_CHROOT", "chroot"},
    {"CAP_SYS_MODULE", "delete_module init_module finit_module"},
    {"CAP_SYS_PACCT", "acct"},
    {"CAP_SYS_PTRACE", "kcmp pidfd_getfd process_madvise"},
    {"CAP_SYS_RAWIO", "iopl ioperm"},
    {"CAP_SYS_TIME", "settimeofday stime clock_settime clock_settime64"},
    {"CAP_SYS_TTY_CONFIG", "vhangup"},
    {"CAP_SYS_NICE", "get_mempolicy mbind set_mempolicy set_mempolicy_home_node"},
    {"CAP_SYSLOG", "syslog"},
    {"CAP_BPF", "bpf"},
    {"CAP_PERFMON", "perf_event_open"},
    {"CAP_DAC_READ_SEARCH", "open_by_handle_at"},
};

// Architecture-specific calls of this build's family, and the family's seccomp arches.
#if defined(__x86_64__) || defined(__i386__)
constexpr const char* kArchAllowed = "arch_prctl modify_ldt";
constexpr const char* kArches[] = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"};
#elif defined(__aarch64__) || defined(__arm__)
constexpr const char* kArchAllowed = "arm_fadvise64_64 arm_sync_file_range sync_file_range2 breakpoint cacheflush set_tls";
constexpr const char* kArches[] = {"SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"};
#elif defined(__powerpc64__)
constexpr const char* kArchAllowed = "sync_file_range2 swapcontext";
constexpr const char* kArches[] = {"SCMP_ARCH_PPC64LE"};
#elif defined(__s390x__)
constexpr const char* kArchAllowed = "s390_pci_mmio_read s390_pci_mmio_write s390_runtime_instr";
constexpr const char* kArches[] = {"SCMP_ARCH_S390X", "SCMP_ARCH_S390"};
#elif defined(__riscv)
constexpr const char* kArchAllowed = "riscv_flush_icache";
constexpr const char* kArches[] = {"SCMP_ARCH_RISCV64"};
#else
#error "default seccomp profile: unknown architecture"
#endif

// Namespace flags a container without CAP_SYS_ADMIN may not pass to clone.
constexpr std::uint64_t kNamespaceFlags = 0x00020000 /*NEWNS*/ | 0x04000000 /*NEWUTS*/ | 0x08000000 /*NEWIPC*/ |
                                          0x10000000 /*NEWUSER*/ | 0x20000000 /*NEWPID*/ | 0x40000000 /*NEWNET*/ |
                                          0x02000000 /*NEWCGROUP*/;
// personality() values Docker allows: PER_LINUX, PER_LINUX32, UNAME26 (| PER_LINUX32), and the query.
constexpr std::uint64_t kPersonalities[] = {0x0, 0x8, 0x20000, 0x20008, 0xffffffff};
constexpr std::uint64_t kAfVsock = 40;

void append_words(nlohmann::json& names, const char* words) {
  std::istringstream in(words);
  std::string w;
  while (in >> w) names.push_back(w);
}

nlohmann::json allow(const char* words) {
  nlohmann::json names = nlohmann::json::array();
  append_words(names, words);
  return {{"names", names}, {"action", "SCMP_ACT_ALLOW"}};
}

nlohmann::json arg(unsigned index, std::uint64_t value, const char* op, std::uint64_t value_two = 0) {
  return {{"index", index}, {"value", value}, {"valueTwo", value_two}, {"op", op}};
}

}  // namespace

nlohmann::json default_seccomp_profile(const std::vector<std::string>& capabilities) {
  auto has = [&](const char* cap) {
    return std::find(capabilities.begin(), capabilities.end(), cap) != capabilities.end();
  };
  nlohmann::json syscalls = nlohmann::json::array();

  nlohmann::json base = {{"names", nlohmann::json::array()}, {"action", "SCMP_ACT_ALLOW"}};
  for (const char* group : kAlwaysAllowed) append_words(base["names"], group);
  append_words(base["names"], kArchAllowed);
  syscalls.push_back(base);

  auto socket = allow("socket");
  socket["args"] = {arg(0, kAfVsock, "SCMP_CMP_NE")};
  syscalls.push_back(socket);
  for (auto p : kPersonalities) {
    auto rule = allow("personality");
    rule["args"] = {arg(0, p, "SCMP_CMP_EQ")};
    syscalls.push_back(rule);
  }

  for (const auto& g : kWithCapability)
    if (has(g.capability)) syscalls.push_back(allow(g.names));

  if (!has("CAP_SYS_ADMIN")) {
    // Threads and plain forks yes, new namespaces no. s390 swaps clone's first two arguments.
#if defined(__s390x__)
    constexpr unsigned kCloneFlagsArg = 1;
#else
    constexpr unsigned kCloneFlagsArg = 0;
#endif
    auto clone = allow("clone");
    // MASKED_EQ: (arg & value) == valueTwo.
    clone["args"] = {arg(kCloneFlagsArg, kNamespaceFlags, "SCMP_CMP_MASKED_EQ", 0)};
    syscalls.push_back(clone);
    // clone3 passes its flags in memory seccomp cannot read: ENOSYS makes libc fall back to clone.
    syscalls.push_back({{"names", nlohmann::json::array({"clone3"})}, {"action", "SCMP_ACT_ERRNO"}, {"errnoRet", ENOSYS}});
  }

  return {{"defaultAction", "SCMP_ACT_ERRNO"},
          {"defaultErrnoRet", EPERM},
          {"architectures", kArches},
          {"syscalls", syscalls}};
}

}  // namespace mycompose::runtime
