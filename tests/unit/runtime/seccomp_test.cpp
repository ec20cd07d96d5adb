// Seccomp filters from the OCI section, loaded in a forked child (with no_new_privs, so no
// root is needed) and observed through the syscalls' results.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <cerrno>

#include "mycompose/runtime/default_seccomp.hpp"
#include "mycompose/runtime/seccomp.hpp"
#include "mycompose/runtime/spec_generator.hpp"
#include "unit/runtime/policy_helpers.hpp"

using mycompose::runtime::apply_seccomp;
using mycompose::runtime::check_seccomp;
using mycompose::runtime::set_no_new_privs;
using policy_test::run_in_child;
using policy_test::TempDir;

namespace {
// Exit codes the child reports: 0 = behaved as expected, other values say what went wrong.
int load(const nlohmann::json& profile) {
  set_no_new_privs();
  apply_seccomp(profile);
  return 0;
}
}  // namespace

TEST_CASE("seccomp: a denied syscall returns errnoRet, others still work") {
  TempDir t("seccomp");
  const auto denied = (t.path() / "denied").string();
  const auto file = (t.path() / "file").string();
  nlohmann::json profile = {
      {"defaultAction", "SCMP_ACT_ALLOW"},
      {"architectures", {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"}},
      {"syscalls", {{{"names", {"mkdir", "mkdirat", "no_such_syscall_xyz"}}, {"action", "SCMP_ACT_ERRNO"}, {"errnoRet", EACCES}},
                    {{"names", {"rmdir"}}, {"action", "SCMP_ACT_ERRNO"}}}},
  };
  int status = run_in_child([&] {
    load(profile);
    if (::mkdir(denied.c_str(), 0755) == 0) return 1;
    if (errno != EACCES) return 2;
    if (::rmdir("/nonexistent-dir") == 0 || errno != EPERM) return 3;  // errnoRet defaults to EPERM
    int fd = ::open(file.c_str(), O_CREAT | O_WRONLY, 0644);
    if (fd < 0) return 4;
    ::close(fd);
    return 0;
  });
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK_FALSE(std::filesystem::exists(denied));
  CHECK(std::filesystem::exists(file));
}

TEST_CASE("seccomp: allow-list with defaultErrnoRet and argument comparisons") {
  // Everything not listed fails with ENOSYS; personality is allowed only for arg0 == 0xffffffff
  // (query), as Docker's profile does for a few values.
  nlohmann::json profile = {
      {"defaultAction", "SCMP_ACT_ERRNO"},
      {"defaultErrnoRet", ENOSYS},
      {"syscalls",
       {{{"names", {"exit", "exit_group", "write", "getpid", "rt_sigreturn", "brk", "mmap", "munmap"}}, {"action", "SCMP_ACT_ALLOW"}},
        {{"names", {"personality"}}, {"action", "SCMP_ACT_ALLOW"}, {"args", {{{"index", 0}, {"value", 0xffffffffu}, {"op", "SCMP_CMP_EQ"}}}}},
        {{"names", {"getppid"}}, {"action", "SCMP_ACT_ALLOW"}, {"args", {{{"index", 0}, {"value", 1}, {"valueTwo", 1}, {"op", "SCMP_CMP_MASKED_EQ"}}}}}}},
  };
  // The child may only use raw syscalls after loading: libc helpers could need others.
  int status = run_in_child([&] {
    load(profile);
    if (::syscall(SYS_getpid) <= 0) ::_exit(1);
    if (::syscall(SYS_personality, 0xffffffffUL) < 0) ::_exit(2);
    if (::syscall(SYS_personality, 0UL) != -1 || errno != ENOSYS) ::_exit(3);
    if (::syscall(SYS_getuid) != -1 || errno != ENOSYS) ::_exit(4);
    if (::syscall(SYS_getppid, 3UL) < 0) ::_exit(5);  // 3 & 1 == 1 → allowed
    if (::syscall(SYS_getppid, 2UL) != -1) ::_exit(6);
    ::_exit(0);
    return 0;
  });
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("seccomp: repeated argument index means any of the values (as runc)") {
  nlohmann::json profile = {
      {"defaultAction", "SCMP_ACT_ALLOW"},
      {"syscalls",
       {{{"names", {"getpriority"}}, {"action", "SCMP_ACT_ERRNO"}, {"errnoRet", EPERM},
         {"args", {{{"index", 1}, {"value", 7}, {"op", "SCMP_CMP_EQ"}}, {{"index", 1}, {"value", 9}, {"op", "SCMP_CMP_EQ"}}}}}}},
  };
  int status = run_in_child([&] {
    load(profile);
    if (::syscall(SYS_getpriority, PRIO_PROCESS, 7) != -1 || errno != EPERM) return 1;
    if (::syscall(SYS_getpriority, PRIO_PROCESS, 9) != -1 || errno != EPERM) return 2;
    if (::syscall(SYS_getpriority, PRIO_PROCESS, 0) < 0) return 3;
    return 0;
  });
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("seccomp: SCMP_ACT_KILL_PROCESS kills with SIGSYS") {
  nlohmann::json profile = {{"defaultAction", "SCMP_ACT_ALLOW"},
                            {"syscalls", {{{"names", {"getcwd"}}, {"action", "SCMP_ACT_KILL_PROCESS"}}}}};
  int status = run_in_child([&] {
    load(profile);
    char buf[256];
    ::syscall(SYS_getcwd, buf, sizeof buf);
    return 0;
  });
  REQUIRE(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGSYS);
}

TEST_CASE("seccomp: bad sections are refused with a clear message") {
  CHECK_THROWS_WITH(check_seccomp({{"defaultAction", "SCMP_ACT_NOTIFY"}}),
                    "linux.seccomp: SCMP_ACT_NOTIFY is not supported (no seccomp agent; use another action)");
  CHECK_THROWS_WITH(check_seccomp({{"defaultAction", "SCMP_ACT_ALLOW"}, {"syscalls", {{{"names", {"mkdir"}}, {"action", "SCMP_ACT_NOTIFY"}}}}}),
                    Catch::Contains("SCMP_ACT_NOTIFY is not supported"));
  CHECK_THROWS_WITH(check_seccomp({{"defaultAction", "SCMP_ACT_DANCE"}}), "linux.seccomp: unknown action \"SCMP_ACT_DANCE\"");
  CHECK_THROWS_WITH(check_seccomp({{"syscalls", nlohmann::json::array()}}), "linux.seccomp: defaultAction is required");
  CHECK_THROWS_WITH(check_seccomp({{"defaultAction", "SCMP_ACT_ALLOW"}, {"architectures", {"SCMP_ARCH_VAX"}}}),
                    "linux.seccomp: unknown architecture \"SCMP_ARCH_VAX\"");
  CHECK_THROWS_WITH(check_seccomp({{"defaultAction", "SCMP_ACT_ALLOW"},
                                   {"syscalls", {{{"names", {"mkdir"}}, {"action", "SCMP_ACT_ERRNO"}, {"args", {{{"index", 0}, {"op", "SCMP_CMP_SOMETIMES"}}}}}}}}),
                    "linux.seccomp: unknown argument operator \"SCMP_CMP_SOMETIMES\"");
  CHECK_THROWS_WITH(check_seccomp({{"defaultAction", "SCMP_ACT_ALLOW"}, {"flags", {"SECCOMP_FILTER_FLAG_NEW"}}}),
                    "linux.seccomp: unsupported flag \"SECCOMP_FILTER_FLAG_NEW\"");
  CHECK_NOTHROW(check_seccomp(nullptr));
  CHECK_NOTHROW(check_seccomp({{"defaultAction", "SCMP_ACT_ERRNO"}, {"flags", {"SECCOMP_FILTER_FLAG_SPEC_ALLOW"}}}));
}

TEST_CASE("seccomp: a filter compiled before fork behaves like apply_seccomp") {
  TempDir t("seccomp");
  const auto denied = (t.path() / "denied").string();
  nlohmann::json profile = {{"defaultAction", "SCMP_ACT_ALLOW"},
                            {"syscalls", {{{"names", {"mkdir", "mkdirat"}}, {"action", "SCMP_ACT_ERRNO"}, {"errnoRet", EROFS}}}}};
  const auto compiled = mycompose::runtime::compile_seccomp(profile);
  REQUIRE_FALSE(compiled.empty());
  CHECK(mycompose::runtime::compile_seccomp(nullptr).empty());
  int status = run_in_child([&] {
    set_no_new_privs();
    mycompose::runtime::load_seccomp(compiled);
    if (::mkdir(denied.c_str(), 0755) == 0) return 1;
    return errno == EROFS ? 0 : 2;
  });
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK_FALSE(std::filesystem::exists(denied));
}

TEST_CASE("seccomp: the default profile denies keyctl and namespace clones, allows fork and exec") {
  const auto profile = mycompose::runtime::default_seccomp_profile(mycompose::runtime::default_capabilities());
  // Outside the filter keyctl works, so the EPERM below comes from the profile.
  REQUIRE(::syscall(SYS_keyctl, 0 /*KEYCTL_GET_KEYRING_ID*/, -3 /*session*/, 0) >= 0);
  int status = run_in_child([&] {
    load(profile);
    if (::syscall(SYS_keyctl, 0, -3, 0) != -1 || errno != EPERM) return 1;
    if (::unshare(CLONE_NEWNET) != -1 || errno != EPERM) return 2;
    if (::syscall(SYS_personality, 0xffffffffUL) < 0) return 3;
    pid_t p = ::fork();
    if (p == 0) {
      ::execl("/bin/true", "true", nullptr);
      ::_exit(127);
    }
    int st = 0;
    if (p < 0 || ::waitpid(p, &st, 0) != p || !WIFEXITED(st) || WEXITSTATUS(st) != 0) return 4;
    return 0;
  });
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("seccomp: a profile compiled again gives the kept program, a changed profile its own") {
  nlohmann::json a = {{"defaultAction", "SCMP_ACT_ALLOW"},
                      {"syscalls", {{{"names", {"mkdir"}}, {"action", "SCMP_ACT_ERRNO"}}}}};
  nlohmann::json b = a;
  b["syscalls"][0]["names"] = {"mkdir", "rmdir"};
  auto first = mycompose::runtime::compile_seccomp(a);
  auto again = mycompose::runtime::compile_seccomp(a);
  auto other = mycompose::runtime::compile_seccomp(b);
  REQUIRE_FALSE(first.empty());
  CHECK(again.program == first.program);
  CHECK(other.program != first.program);
  CHECK(other.program.size() > first.program.size());  // one more syscall to match
}
