// `runtime exec`: joins every namespace and the cgroup of a running container, with the
// container's user/env/cwd handling and Docker's errors and exit codes.
#include <catch2/catch.hpp>

#include "runtime_helpers.hpp"

using namespace rttest;

namespace {

struct Running {
  Sandbox sb;
  Bundle b;
  Running() : b(sb.bundle("b", {"sleep", "1000"})) {
    REQUIRE(sb.rt({"run", "-d", "--bundle", b.dir.string(), "c1"}).status == 0);
  }
};

}  // namespace

TEST_CASE("runtime exec: joins the container's namespaces and cgroup") {
  Running c;
  pid_t init = c.sb.state("c1")["pid"].get<pid_t>();
  Result r = c.sb.rt({"exec", "c1", "sh", "-c", "hostname; cat /proc/1/comm; echo $$; readlink /proc/self/ns/net; readlink /proc/self/ns/mnt"});
  REQUIRE(r.status == 0);
  auto ns = [&](const char* n) { return stdfs::read_symlink("/proc/" + std::to_string(init) + "/ns/" + n).string(); };
  CHECK(r.out.find("mycompose-test\nmycompose-init\n") == 0);
  CHECK(r.out.find(ns("net") + "\n" + ns("mnt") + "\n") != std::string::npos);
  // Its pid in the container's namespace is small, and it sits in the container's cgroup.
  Result ps = c.sb.rt({"exec", "c1", "sh", "-c", "cat /proc/self/cgroup"});
  std::string host_cgroup = mycompose::fs::read_file("/proc/" + std::to_string(init) + "/cgroup");
  CHECK(ps.out.find("pids:/") != std::string::npos);
  CHECK(host_cgroup.find("/c1") != std::string::npos);
}

TEST_CASE("runtime exec: exit status, env, cwd and user") {
  Running c;
  CHECK(c.sb.rt({"exec", "c1", "sh", "-c", "exit 7"}).status == 7);
  Result env = c.sb.rt({"exec", "--env", "FOO=bar", "-e", "TERM=dumb", "c1", "sh", "-c", "echo $FOO $TERM"});
  CHECK(env.out == "bar dumb\n");
  Result cwd = c.sb.rt({"exec", "--cwd", "/tmp", "c1", "pwd"});
  CHECK(cwd.out == "/tmp\n");
  Result user = c.sb.rt({"exec", "--user", "alice", "c1", "id"});
  CHECK(user.out == "uid=1000(alice) gid=1000(alice) groups=50(staff)\n");
  Result num = c.sb.rt({"exec", "-u", "1234:50", "c1", "id", "-u"});
  CHECK(num.out == "1234\n");
  Result bad = c.sb.rt({"exec", "-u", "nobody", "c1", "id"});
  CHECK(bad.status == 1);
  CHECK(bad.err == "error: unable to find user nobody: no matching entries in passwd file\n");
  // Flags after the command belong to the command.
  Result flags = c.sb.rt({"exec", "c1", "ls", "-d", "/tmp"});
  CHECK(flags.out == "/tmp\n");
}

TEST_CASE("runtime exec: a missing or non-executable binary fails as Docker does") {
  Running c;
  Result r = c.sb.rt({"exec", "c1", "foo"});
  CHECK(r.status == 127);
  CHECK(r.err == "error: exec: \"foo\": executable file not found in $PATH\n");
  Result p = c.sb.rt({"exec", "c1", "/etc/passwd"});
  CHECK(p.status == 126);
  CHECK(p.err == "error: exec: \"/etc/passwd\": permission denied\n");
}

TEST_CASE("runtime exec --tty: a pty from the container's devpts") {
  Running c;
  Result r = c.sb.rt({"exec", "--tty", "c1", "sh", "-c", "tty; ls -1 /dev/pts"});
  REQUIRE(r.status == 0);
  CHECK(r.out == "/dev/pts/0\r\n0\r\nptmx\r\n");
}

TEST_CASE("runtime exec -d: the process runs on after the runtime returns") {
  Running c;
  REQUIRE(c.sb.rt({"exec", "-d", "c1", "sh", "-c", "echo started > /tmp/marker; sleep 1000"}).status == 0);
  Result ps = c.sb.rt({"ps", "--format", "json", "c1"});
  CHECK(json::parse(ps.out).size() == 3);  // init, the app's sleep, the exec'd sh (now its sleep)
  CHECK(c.sb.rt({"exec", "c1", "cat", "/tmp/marker"}).out == "started\n");
}
