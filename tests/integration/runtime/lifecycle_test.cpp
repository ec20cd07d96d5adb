// Container lifecycle through `mycompose runtime`: run, create/start/state/kill/delete,
// signals, exit codes, zombie reaping, pause/resume, and that delete leaves nothing.
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "runtime_helpers.hpp"

using namespace rttest;

TEST_CASE("runtime run: stdio passes through and the exit status is the app's") {
  Sandbox sb;
  Bundle b = sb.bundle("b", {"sh", "-c", "echo hello; echo oops >&2; exit 3"});
  Result r = sb.rt({"run", "--bundle", b.dir.string(), "c1"});
  CHECK(r.out == "hello\n");
  CHECK(r.err == "oops\n");
  CHECK(r.status == 3);
  CHECK(sb.leftovers("c1", b.rootfs()).empty());
}

TEST_CASE("runtime run: PID 1 is our init, the app is its child, the hostname is set") {
  Sandbox sb;
  Bundle b = sb.bundle("b", {"sh", "-c", "tr '\\0' ' ' < /proc/1/cmdline; echo; echo $$; hostname; cat /proc/$$/stat | cut -d' ' -f4"});
  Result r = sb.rt({"run", "--bundle", b.dir.string(), "c1"});
  REQUIRE(r.status == 0);
  CHECK(r.out == "mycompose-init runtime init \n2\nmycompose-test\n1\n");
}

TEST_CASE("runtime run: domainname is the uts namespace's NIS domain name") {
  Sandbox sb;
  Bundle b = sb.bundle("b", {"cat", "/proc/sys/kernel/domainname", "/proc/sys/kernel/hostname"});
  b.config["domainname"] = "example.test";
  b.write();
  Result r = sb.rt({"run", "--bundle", b.dir.string(), "c1"});
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out == "example.test\nmycompose-test\n");
}

TEST_CASE("runtime create/start/state/kill/delete") {
  Sandbox sb;
  Bundle b = sb.bundle("b", {"sleep", "1000"});
  Result c = sb.rt({"create", "--bundle", b.dir.string(), "--pid-file", (sb.dir / "pid").string(), "c1"});
  REQUIRE(c.status == 0);
  json st = sb.state("c1");
  CHECK(st["status"] == "created");
  CHECK(st["id"] == "c1");
  CHECK(st["bundle"] == b.dir.string());
  pid_t pid = st["pid"].get<pid_t>();
  CHECK(mycompose::fs::read_file(sb.dir / "pid") == std::to_string(pid));
  CHECK(sb.rt({"start", "c1"}).status == 0);
  CHECK(sb.state("c1")["status"] == "running");
  Result d = sb.rt({"delete", "c1"});
  CHECK(d.status == 1);
  CHECK(d.err == "error: cannot delete container \"c1\" that is not stopped: running\n");
  CHECK(sb.rt({"kill", "c1", "KILL"}).status == 0);
  wait_gone(pid);
  st = sb.state("c1");
  CHECK(st["status"] == "stopped");
  CHECK(sb.rt({"delete", "c1"}).status == 0);
  CHECK_FALSE(process_alive(pid));
  CHECK(sb.leftovers("c1", b.rootfs()).empty());
  Result gone = sb.rt({"state", "c1"});
  CHECK(gone.err == "error: container \"c1\" does not exist\n");
}

TEST_CASE("runtime kill: signals by name and number reach the app, the exit status is recorded") {
  Sandbox sb;
  Bundle b = sb.bundle("b", {"sh", "-c", "trap 'exit 42' USR1; trap 'exit 43' USR2; sleep 1000 & wait"});
  REQUIRE(sb.rt({"run", "-d", "--bundle", b.dir.string(), "c1"}).status == 0);
  pid_t pid = sb.state("c1")["pid"].get<pid_t>();
  CHECK(sb.rt({"kill", "c1", "SIGUSR1"}).status == 0);
  wait_gone(pid);
  json st = sb.state("c1");
  CHECK(st["status"] == "stopped");
  CHECK(st["exitCode"] == 42);
  CHECK(sb.rt({"delete", "c1"}).status == 0);

  REQUIRE(sb.rt({"run", "-d", "--bundle", b.dir.string(), "c2"}).status == 0);
  pid = sb.state("c2")["pid"].get<pid_t>();
  CHECK(sb.rt({"kill", "c2", "12"}).status == 0);  // SIGUSR2
  wait_gone(pid);
  CHECK(sb.state("c2")["exitCode"] == 43);

  Result bad = sb.rt({"kill", "c2", "SIGNOPE"});
  CHECK(bad.err == "error: invalid signal \"SIGNOPE\"\n");
}

TEST_CASE("runtime kill: an app killed by a signal exits with 128+signal") {
  Sandbox sb;
  Bundle b = sb.bundle("b", {"sleep", "1000"});
  REQUIRE(sb.rt({"run", "-d", "--bundle", b.dir.string(), "c1"}).status == 0);
  pid_t pid = sb.state("c1")["pid"].get<pid_t>();
  CHECK(sb.rt({"kill", "c1"}).status == 0);  // SIGTERM, forwarded to sleep
  wait_gone(pid);
  CHECK(sb.state("c1")["exitCode"] == 143);
}

TEST_CASE("runtime: the init reaps orphaned zombies") {
  Sandbox sb;
  // The orphan exits at once; without a reaping PID 1 it would stay a zombie.
  Bundle b = sb.bundle("b", {"sh", "-c", "sh -c 'true & true'; sleep 0.5; cat /proc/[0-9]*/stat"});
  Result r = sb.rt({"run", "--bundle", b.dir.string(), "c1"});
  REQUIRE(r.status == 0);
  CHECK(r.out.find(") Z ") == std::string::npos);
  CHECK(r.out.find("(mycompose-init) S 0") != std::string::npos);
}

TEST_CASE("runtime pause/resume freezes and thaws the container") {
  Sandbox sb;
  Bundle b = sb.bundle("b", {"sleep", "1000"});
  REQUIRE(sb.rt({"run", "-d", "--bundle", b.dir.string(), "c1"}).status == 0);
  CHECK(sb.rt({"pause", "c1"}).status == 0);
  CHECK(sb.state("c1")["status"] == "paused");
  pid_t pid = sb.state("c1")["pid"].get<pid_t>();
  std::string stat = mycompose::fs::read_file("/proc/" + std::to_string(pid) + "/status");
  CHECK(stat.find("State:\tD") != std::string::npos);  // frozen tasks sleep uninterruptibly
  Result again = sb.rt({"pause", "c1"});
  CHECK(again.err == "error: cannot pause container \"c1\": it is paused, not running\n");
  CHECK(sb.rt({"resume", "c1"}).status == 0);
  CHECK(sb.state("c1")["status"] == "running");
  stat = mycompose::fs::read_file("/proc/" + std::to_string(pid) + "/status");
  CHECK(stat.find("State:\tS") != std::string::npos);
}

TEST_CASE("runtime run -d then delete --force leaves no process, cgroup, mount or state") {
  Sandbox sb;
  Bundle b = sb.bundle("b", {"sh", "-c", "sleep 1000 & sleep 1000"});
  REQUIRE(sb.rt({"run", "-d", "--bundle", b.dir.string(), "c1"}).status == 0);
  // init, two sleeps (sh execs the last command); run -d returns before sh has forked.
  std::vector<pid_t> pids;
  for (int i = 0; i < 500 && pids.size() < 3; ++i) {
    if (!pids.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    Result ps = sb.rt({"ps", "--format", "json", "c1"});
    REQUIRE(ps.status == 0);
    pids = json::parse(ps.out).get<std::vector<pid_t>>();
  }
  CHECK(pids.size() == 3);
  Result list = sb.rt({"list", "-q"});
  CHECK(list.out == "c1\n");
  bool some_cgroup = false;
  for (const auto& c : sb.cgroup_dirs("c1")) some_cgroup |= stdfs::exists(c);
  CHECK(some_cgroup);
  CHECK(sb.rt({"delete", "--force", "c1"}).status == 0);
  for (pid_t p : pids) CHECK_FALSE(process_alive(p));
  CHECK(sb.leftovers("c1", b.rootfs()).empty());
  CHECK(sb.rt({"list", "-q"}).out.empty());
}

TEST_CASE("runtime: a user namespace with uid/gid maps, exec joins it") {
  Sandbox sb;
  // The container's root (host uid 100000) must be able to reach its rootfs, as with runc.
  stdfs::permissions(sb.dir, stdfs::perms(0755));
  Bundle b = sb.bundle("b", {"sleep", "1000"});
  b.config["linux"]["namespaces"].push_back({{"type", "user"}});
  b.config["linux"]["uidMappings"] = {{{"containerID", 0}, {"hostID", 100000}, {"size", 65536}}};
  b.config["linux"]["gidMappings"] = {{{"containerID", 0}, {"hostID", 100000}, {"size", 65536}}};
  b.write();
  REQUIRE(sb.rt({"run", "-d", "--bundle", b.dir.string(), "c1"}).status == 0);
  pid_t init = sb.state("c1")["pid"].get<pid_t>();
  // Root inside, uid 100000 outside.
  CHECK(mycompose::fs::read_file("/proc/" + std::to_string(init) + "/status").find("Uid:\t100000\t100000\t100000") != std::string::npos);
  Result r = sb.rt({"exec", "c1", "sh", "-c", "id; tr -s ' ' < /proc/self/uid_map"});
  CHECK(r.out == "uid=0(root) gid=0(root)\n 0 100000 65536\n");
  CHECK(sb.rt({"delete", "--force", "c1"}).status == 0);
  CHECK(sb.leftovers("c1", b.rootfs()).empty());

  // Its init, uid 100000 on the host, records the exit status through the file the runtime
  // opened for it (the state folder stays root's).
  Bundle e = sb.bundle("e", {"sh", "-c", "exit 7"});
  e.config["linux"] = b.config["linux"];
  e.write();
  REQUIRE(sb.rt({"run", "-d", "--bundle", e.dir.string(), "c2"}).status == 0);
  wait_gone(sb.state("c2")["pid"].get<pid_t>());
  CHECK(sb.state("c2")["exitCode"] == 7);
  CHECK(sb.rt({"delete", "c2"}).status == 0);
}

TEST_CASE("runtime: namespaces joined by path (network, uts, ipc) are the other container's") {
  Sandbox sb;
  Bundle first = sb.bundle("first", {"sleep", "1000"});
  first.config["hostname"] = "first-host";
  first.write();
  REQUIRE(sb.rt({"run", "-d", "--bundle", first.dir.string(), "c1"}).status == 0);
  const pid_t pid = sb.state("c1")["pid"].get<pid_t>();
  const std::string ns = "/proc/" + std::to_string(pid) + "/ns/";

  Bundle second = sb.bundle("second", {"sh", "-c", "for n in net uts ipc; do readlink /proc/self/ns/$n; done; hostname"});
  second.config.erase("hostname");  // the uts namespace, and its hostname, are c1's
  for (auto& n : second.config["linux"]["namespaces"])
    if (n["type"] == "network" || n["type"] == "uts" || n["type"] == "ipc") n["path"] = ns + (n["type"] == "network" ? "net" : n["type"].get<std::string>());
  second.write();
  Result r = sb.rt({"run", "--bundle", second.dir.string(), "c2"});
  INFO(r.err);
  REQUIRE(r.status == 0);
  const std::string expected = stdfs::read_symlink(ns + "net").string() + "\n" + stdfs::read_symlink(ns + "uts").string() +
                               "\n" + stdfs::read_symlink(ns + "ipc").string() + "\nfirst-host\n";
  CHECK(r.out == expected);
  CHECK(sb.rt({"delete", "--force", "c1"}).status == 0);
}
