// OCI hooks (config.md "POSIX-platform Hooks", runtime.md "Lifecycle") through
// `mycompose runtime`: the state on stdin, the order, the namespaces each kind runs in, the
// timeout, and what a failing hook of each kind does.
#include <catch2/catch.hpp>

#include "runtime_helpers.hpp"

using namespace rttest;

namespace {

// A hook running `script` with sh: /bin/sh of the host, or of the container for startContainer.
json hook(const std::string& script, int timeout = 0) {
  json h = {{"path", "/bin/sh"}, {"args", {"sh", "-c", script}}, {"env", {"PATH=/usr/bin:/bin"}}};
  if (timeout) h["timeout"] = timeout;
  return h;
}

// Each hook saves its stdin as <kind>.json in `dir`, appends its kind to `dir`/order and
// notes where it ran: "container" when it sees the container's /proc (its mount and pid
// namespaces), else "host".
json recording_hook(const std::string& kind, const std::string& dir, const std::string& container_proc) {
  return hook("cat > " + dir + "/" + kind + ".json; if test \"$(cat " + container_proc +
              "/1/comm 2>/dev/null)\" = mycompose-init; then echo container; else echo host; fi > " + dir + "/" + kind +
              ".where; echo " + kind + " >> " + dir + "/order");
}

std::string slurp(const stdfs::path& p) {
  std::error_code ec;
  return stdfs::exists(p, ec) ? mycompose::fs::read_file(p) : "(missing)";
}

struct HookBundle {
  Bundle b;
  stdfs::path out;
};

// Every kind recorded; startContainer (inside the container, after pivot_root) writes through
// a bind mount of `out` on /out.
HookBundle recording_bundle(const Sandbox& sb, const std::vector<std::string>& args) {
  Bundle b = sb.bundle("b", args);
  stdfs::path out = sb.dir / "out";
  stdfs::create_directories(out);
  const std::string rootfs_proc = (b.rootfs() / "proc").string();
  b.config["mounts"].push_back({{"destination", "/out"}, {"type", "bind"}, {"source", out.string()}, {"options", {"rbind", "rw"}}});
  for (const char* kind : {"prestart", "createRuntime", "createContainer", "poststart", "poststop"})
    b.config["hooks"][kind] = {recording_hook(kind, out.string(), rootfs_proc)};
  b.config["hooks"]["startContainer"] = {recording_hook("startContainer", "/out", "/proc")};
  b.write();
  return {b, out};
}

}  // namespace

TEST_CASE("runtime hooks: every kind runs in the lifecycle's order - with the state on stdin - in its namespaces") {
  Sandbox sb;
  auto [b, out] = recording_bundle(sb, {"true"});
  Result r = sb.rt({"run", "--bundle", b.dir.string(), "c1"});
  INFO(r.err);
  REQUIRE(r.status == 0);
  std::string order = slurp(out / "order");
  // startContainer (in the container, before the app's exec) and poststart (in `start`, once
  // the app is told to go) run at the same time: only their place among the others is fixed.
  CHECK(order.rfind("prestart\ncreateRuntime\ncreateContainer\n", 0) == 0);
  CHECK(order.size() > 12);
  CHECK(order.substr(order.size() - 9) == "poststop\n");
  CHECK(order.find("startContainer\n") != std::string::npos);
  CHECK(order.find("poststart\n") != std::string::npos);

  for (const char* kind : {"prestart", "createRuntime", "poststart", "poststop"}) {
    INFO(kind);
    CHECK(slurp(out / (std::string(kind) + ".where")) == "host\n");
  }
  CHECK(slurp(out / "createContainer.where") == "container\n");
  CHECK(slurp(out / "startContainer.where") == "container\n");

  json prestart = json::parse(slurp(out / "prestart.json"));
  CHECK(prestart["id"] == "c1");
  CHECK(prestart["status"] == "creating");
  CHECK(prestart["bundle"] == b.dir.string());
  CHECK(prestart["pid"].get<int>() > 0);
  CHECK(json::parse(slurp(out / "createRuntime.json")) == prestart);
  json cc = json::parse(slurp(out / "createContainer.json"));
  CHECK(cc["pid"] == prestart["pid"]);
  CHECK(json::parse(slurp(out / "poststart.json"))["status"] == "running");
  json poststop = json::parse(slurp(out / "poststop.json"));
  CHECK(poststop["status"] == "stopped");
  CHECK(poststop["id"] == "c1");
  CHECK(sb.leftovers("c1", b.rootfs()).empty());
}

TEST_CASE("runtime hooks: create runs prestart to createContainer - start the rest - delete poststop") {
  Sandbox sb;
  auto [b, out] = recording_bundle(sb, {"sleep", "1000"});
  Result c = sb.rt({"create", "--bundle", b.dir.string(), "c1"});
  INFO(c.err);
  REQUIRE(c.status == 0);
  CHECK(slurp(out / "order") == "prestart\ncreateRuntime\ncreateContainer\n");
  CHECK(json::parse(slurp(out / "prestart.json"))["pid"] == sb.state("c1")["pid"]);
  REQUIRE(sb.rt({"start", "c1"}).status == 0);
  CHECK(slurp(out / "poststart.json") != "(missing)");
  CHECK(sb.rt({"kill", "c1", "KILL"}).status == 0);
  CHECK(sb.rt({"delete", "--force", "c1"}).status == 0);
  std::string order = slurp(out / "order");
  CHECK(order.substr(order.size() - 9) == "poststop\n");
  CHECK(order.find("startContainer\n") != std::string::npos);
}

TEST_CASE("runtime hooks: a failing prestart hook fails create - leaves nothing and poststop still runs") {
  Sandbox sb;
  Bundle b = sb.bundle("b", {"true"});
  const stdfs::path mark = sb.dir / "poststop-ran";
  b.config["hooks"]["prestart"] = {hook("echo nope; exit 3")};
  b.config["hooks"]["poststop"] = {hook("touch " + mark.string())};
  b.write();
  Result c = sb.rt({"create", "--bundle", b.dir.string(), "c1"});
  CHECK(c.status != 0);
  CHECK(c.err == "error: hooks.prestart[0] /bin/sh: exit status 3 (output: nope)\n");
  CHECK(sb.leftovers("c1", b.rootfs()).empty());
  CHECK(stdfs::exists(mark));
  CHECK(sb.rt({"state", "c1"}).status != 0);
}

TEST_CASE("runtime hooks: a failing createRuntime or createContainer hook fails create and leaves nothing") {
  Sandbox sb;
  for (const char* kind : {"createRuntime", "createContainer"}) {
    INFO(kind);
    Bundle b = sb.bundle(std::string("b-") + kind, {"true"});
    b.config["hooks"][kind] = {hook("exit 1")};
    b.write();
    Result c = sb.rt({"create", "--bundle", b.dir.string(), "c1"});
    CHECK(c.status != 0);
    CHECK(c.err == std::string("error: hooks.") + kind + "[0] /bin/sh: exit status 1\n");
    CHECK(sb.leftovers("c1", b.rootfs()).empty());
  }
}

TEST_CASE("runtime hooks: a hook that outlives its timeout is killed and fails create") {
  Sandbox sb;
  Bundle b = sb.bundle("b", {"true"});
  const stdfs::path pid_file = sb.dir / "hook.pid";
  b.config["hooks"]["createRuntime"] = {hook("echo $$ > " + pid_file.string() + "; exec sleep 1000", 1)};
  b.write();
  Result c = sb.rt({"create", "--bundle", b.dir.string(), "c1"});
  CHECK(c.status != 0);
  CHECK(c.err == "error: hooks.createRuntime[0] /bin/sh: timed out after 1s\n");
  CHECK(sb.leftovers("c1", b.rootfs()).empty());
  // Killed, not left running.
  REQUIRE(stdfs::exists(pid_file));
  CHECK_FALSE(process_alive(std::stoi(mycompose::fs::read_file(pid_file))));
}

TEST_CASE("runtime hooks: a failing poststart or poststop hook is only a warning") {
  Sandbox sb;
  Bundle b = sb.bundle("b", {"sleep", "1000"});
  b.config["hooks"]["poststart"] = {hook("exit 4"), hook("touch " + (sb.dir / "second-ran").string())};
  b.config["hooks"]["poststop"] = {hook("exit 5")};
  b.write();
  REQUIRE(sb.rt({"create", "--bundle", b.dir.string(), "c1"}).status == 0);
  Result s = sb.rt({"start", "c1"});
  CHECK(s.status == 0);
  CHECK(s.err == "warning: hooks.poststart[0] /bin/sh: exit status 4\n");
  CHECK(stdfs::exists(sb.dir / "second-ran"));
  CHECK(sb.state("c1")["status"] == "running");
  Result d = sb.rt({"delete", "--force", "c1"});
  CHECK(d.status == 0);
  CHECK(d.err == "warning: hooks.poststop[0] /bin/sh: exit status 5\n");
  CHECK(sb.leftovers("c1", b.rootfs()).empty());
}

TEST_CASE("runtime hooks: a malformed hook is refused by create naming it") {
  Sandbox sb;
  Bundle b = sb.bundle("b", {"true"});
  b.config["hooks"]["prestart"] = {{{"path", "relative/hook"}}};
  b.write();
  Result c = sb.rt({"create", "--bundle", b.dir.string(), "c1"});
  CHECK(c.status != 0);
  CHECK(c.err == "error: config.json: hooks.prestart[0].path must be an absolute path\n");
  b.config["hooks"]["prestart"] = {{{"path", "/bin/true"}, {"timeout", 0}}};
  b.write();
  c = sb.rt({"create", "--bundle", b.dir.string(), "c1"});
  CHECK(c.err == "error: config.json: hooks.prestart[0].timeout must be a number of seconds greater than zero\n");
  CHECK(sb.leftovers("c1", b.rootfs()).empty());
}

TEST_CASE("runtime hooks: a hook that cannot be executed fails create with the reason") {
  Sandbox sb;
  Bundle b = sb.bundle("b", {"true"});
  b.config["hooks"]["createRuntime"] = {{{"path", (sb.dir / "no-such-hook").string()}}};
  b.write();
  Result c = sb.rt({"create", "--bundle", b.dir.string(), "c1"});
  CHECK(c.status != 0);
  CHECK(c.err == "error: hooks.createRuntime[0] " + (sb.dir / "no-such-hook").string() +
                     ": exit status 127 (output: exec: No such file or directory)\n");
  CHECK(sb.leftovers("c1", b.rootfs()).empty());
}

TEST_CASE("runtime hooks: a failing startContainer hook stops the container before its process runs") {
  Sandbox sb;
  Bundle b = sb.bundle("b", {"sh", "-c", "echo app ran"});
  b.config["hooks"]["startContainer"] = {hook("echo refused; exit 2")};
  b.write();
  Result r = sb.rt({"run", "--bundle", b.dir.string(), "c1"});
  CHECK(r.status == 1);
  CHECK(r.out == "");
  CHECK(r.err == "error: hooks.startContainer[0] /bin/sh: exit status 2 (output: refused)\n");
  CHECK(sb.leftovers("c1", b.rootfs()).empty());
}
