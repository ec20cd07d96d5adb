// The Docker-parity spec generator: defaults, privileged, capabilities, limits and users.
#include <catch2/catch.hpp>

#include <algorithm>

#include "mycompose/runtime/capabilities.hpp"
#include "mycompose/runtime/seccomp.hpp"
#include "mycompose/runtime/spec_generator.hpp"
#include "unit/runtime/policy_helpers.hpp"

using namespace mycompose::runtime;
using policy_test::TempDir;
using policy_test::write_text;

namespace {

struct FakeRootfs {
  TempDir dir{"rootfs"};
  FakeRootfs() {
    write_text(dir.path() / "etc/passwd",
               "root:x:0:0:root:/root:/bin/sh\n"
               "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
               "app:x:1000:1000:App:/home/app:/bin/sh\n");
    write_text(dir.path() / "etc/group",
               "root:x:0:\n"
               "wheel:x:10:root,app\n"
               "audio:x:29:app\n"
               "app:x:1000:\n"
               "docker:x:999:\n");
  }
  ContainerSettings settings() const {
    ContainerSettings s;
    s.rootfs = dir.path().string();
    s.hostname = "web";
    s.cgroupns_private = false;
    return s;
  }
};

ImageConfig busybox() {
  ImageConfig i;
  i.cmd = {"sh"};
  i.env = {"PATH=/bin:/usr/bin", "LANG=C"};
  return i;
}

std::uint64_t cap_mask(const nlohmann::json& names) {
  std::uint64_t mask = 0;
  for (int n : capability_numbers(names.get<std::vector<std::string>>())) mask |= 1ULL << n;
  return mask;
}

std::vector<std::string> strings(const nlohmann::json& j) { return j.get<std::vector<std::string>>(); }

const nlohmann::json* find_mount(const nlohmann::json& spec, const std::string& dest) {
  for (const auto& m : spec["mounts"])
    if (m["destination"] == dest) return &m;
  return nullptr;
}

bool contains(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

}  // namespace

TEST_CASE("spec: Docker's defaults") {
  FakeRootfs root;
  auto spec = generate_spec(busybox(), root.settings());
  const auto& caps = spec["process"]["capabilities"];
  CHECK(cap_mask(caps["effective"]) == 0x00000000a80425fbULL);
  CHECK(cap_mask(caps["bounding"]) == 0x00000000a80425fbULL);
  CHECK(cap_mask(caps["permitted"]) == 0x00000000a80425fbULL);
  CHECK(caps["effective"].size() == 14);
  CHECK_FALSE(caps.contains("inheritable"));
  CHECK(spec["process"]["args"] == nlohmann::json{"sh"});
  CHECK(spec["process"]["cwd"] == "/");
  CHECK(spec["process"]["noNewPrivileges"] == false);
  CHECK(spec["process"]["user"]["uid"] == 0);
  CHECK(strings(spec["process"]["env"]) == std::vector<std::string>{"PATH=/bin:/usr/bin", "HOSTNAME=web", "LANG=C", "HOME=/root"});
  CHECK(spec["hostname"] == "web");
  CHECK(spec["root"]["readonly"] == false);

  const auto& linux_ = spec["linux"];
  CHECK(strings(linux_["maskedPaths"]).size() == 11);
  CHECK(contains(strings(linux_["maskedPaths"]), "/proc/kcore"));
  CHECK(contains(strings(linux_["maskedPaths"]), "/sys/devices/virtual/powercap"));
  CHECK(strings(linux_["readonlyPaths"]) == std::vector<std::string>{"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"});
  CHECK(linux_["sysctl"]["net.ipv4.ip_unprivileged_port_start"] == "0");
  CHECK(linux_["sysctl"]["net.ipv4.ping_group_range"] == "0 2147483647");
  std::vector<std::string> ns;
  for (const auto& n : linux_["namespaces"]) ns.push_back(n["type"]);
  CHECK(ns == std::vector<std::string>{"mount", "network", "uts", "pid", "ipc"});
  CHECK(linux_["resources"]["devices"][0] == nlohmann::json{{"allow", false}, {"access", "rwm"}});

  // Seccomp is on, denies by default with EPERM, and is a profile libseccomp accepts.
  REQUIRE(linux_.contains("seccomp"));
  CHECK(linux_["seccomp"]["defaultAction"] == "SCMP_ACT_ERRNO");
  CHECK_NOTHROW(check_seccomp(linux_["seccomp"]));
  auto allowed = strings(linux_["seccomp"]["syscalls"][0]["names"]);
  CHECK(contains(allowed, "read"));
  CHECK_FALSE(contains(allowed, "mount"));  // needs CAP_SYS_ADMIN
  CHECK_FALSE(contains(allowed, "reboot"));

  auto* shm = find_mount(spec, "/dev/shm");
  REQUIRE(shm);
  CHECK(contains(strings((*shm)["options"]), "size=67108864"));
  auto* sys = find_mount(spec, "/sys");
  REQUIRE(sys);
  CHECK(contains(strings((*sys)["options"]), "ro"));
  REQUIRE(find_mount(spec, "/sys/fs/cgroup"));
  CHECK(contains(strings((*find_mount(spec, "/sys/fs/cgroup"))["options"]), "ro"));
  for (const char* d : {"/proc", "/dev", "/dev/pts", "/dev/mqueue"}) CHECK(find_mount(spec, d));
}

TEST_CASE("spec: ipc none has its own namespace and no /dev/shm, ipc host binds the host's") {
  FakeRootfs root;
  auto none = root.settings();
  none.no_shm = true;
  auto spec = generate_spec(busybox(), none);
  CHECK_FALSE(find_mount(spec, "/dev/shm"));
  bool own_ipc = false;
  for (const auto& n : spec["linux"]["namespaces"]) own_ipc = own_ipc || (n["type"] == "ipc" && !n.contains("path"));
  CHECK(own_ipc);

  auto host = root.settings();
  host.ipc = NamespaceMode::host();
  spec = generate_spec(busybox(), host);
  REQUIRE(find_mount(spec, "/dev/shm"));
  CHECK((*find_mount(spec, "/dev/shm"))["source"] == "/dev/shm");
  CHECK((*find_mount(spec, "/dev/shm"))["type"] == "bind");
}

TEST_CASE("spec: privileged gets every capability, no seccomp, no masks, all devices") {
  FakeRootfs root;
  auto s = root.settings();
  s.privileged = true;
  auto spec = generate_spec(busybox(), s);
  // Every capability this process may hand on: a host that withholds one (this machine's
  // bounding set lacks CAP_SYS_RESOURCE) made every privileged container fail at cap_set_proc.
  CHECK(strings(spec["process"]["capabilities"]["bounding"]) == bounding_capability_names());
  CHECK_FALSE(spec["linux"].contains("seccomp"));
  CHECK_FALSE(spec["linux"].contains("maskedPaths"));
  CHECK_FALSE(spec["linux"].contains("readonlyPaths"));
  CHECK(spec["linux"]["resources"]["devices"] == nlohmann::json::array({{{"allow", true}, {"access", "rwm"}}}));
  bool has_null = false;
  for (const auto& d : spec["linux"]["devices"]) has_null |= d["path"] == "/dev/null" && d["major"] == 1 && d["minor"] == 3;
  CHECK(has_null);
  CHECK(contains(strings((*find_mount(spec, "/sys"))["options"]), "rw"));
}

TEST_CASE("spec: cap_add and cap_drop follow Docker's rules") {
  CHECK(effective_capabilities({"SYS_ADMIN"}, {"NET_RAW", "cap_mknod"}, false).size() == 13);
  auto caps = effective_capabilities({"sys_admin"}, {"NET_RAW"}, false);
  CHECK(contains(caps, "CAP_SYS_ADMIN"));
  CHECK_FALSE(contains(caps, "CAP_NET_RAW"));
  CHECK(effective_capabilities({"CHOWN"}, {"ALL"}, false) == std::vector<std::string>{"CAP_CHOWN"});
  CHECK(effective_capabilities({}, {"ALL"}, false).empty());
  auto all_but = effective_capabilities({"ALL"}, {"CAP_SYS_ADMIN"}, false);
  const auto grantable = bounding_capability_names();
  CHECK(all_but.size() == grantable.size() - (contains(grantable, "CAP_SYS_ADMIN") ? 1 : 0));
  for (const auto& c : all_but) CHECK(contains(grantable, c));
  CHECK_FALSE(contains(all_but, "CAP_SYS_ADMIN"));
  CHECK_THROWS_WITH(effective_capabilities({"CAP_LEVITATE"}, {}, false), "unknown capability: \"CAP_LEVITATE\"");

  // The seccomp profile follows the capabilities: SYS_ADMIN opens mount, clone without mask.
  FakeRootfs root;
  auto s = root.settings();
  s.cap_add = {"SYS_ADMIN"};
  auto spec = generate_spec(busybox(), s);
  bool mount_allowed = false, clone_masked = false;
  for (const auto& r : spec["linux"]["seccomp"]["syscalls"]) {
    auto names = strings(r["names"]);
    mount_allowed |= contains(names, "mount") && r["action"] == "SCMP_ACT_ALLOW";
    clone_masked |= contains(names, "clone") && r.contains("args");
  }
  CHECK(mount_allowed);
  CHECK_FALSE(clone_masked);
}

TEST_CASE("spec: security_opt, read_only, shm_size, sysctls, ulimits") {
  FakeRootfs root;
  auto s = root.settings();
  s.security_opt = {"seccomp=unconfined", "no-new-privileges:true"};
  s.read_only = true;
  s.shm_size = 128 * 1024 * 1024;
  s.sysctls = {{"net.core.somaxconn", "1024"}};
  s.ulimits = {{"nofile", 1024, 4096}};
  s.tty = true;
  auto spec = generate_spec(busybox(), s);
  CHECK_FALSE(spec["linux"].contains("seccomp"));
  CHECK(spec["process"]["noNewPrivileges"] == true);
  CHECK(spec["root"]["readonly"] == true);
  CHECK(contains(strings((*find_mount(spec, "/dev/shm"))["options"]), "size=134217728"));
  CHECK(spec["linux"]["sysctl"]["net.core.somaxconn"] == "1024");
  CHECK(spec["process"]["rlimits"] == nlohmann::json::array({{{"type", "RLIMIT_NOFILE"}, {"soft", 1024}, {"hard", 4096}}}));
  CHECK(spec["process"]["terminal"] == true);
  CHECK(contains(strings(spec["process"]["env"]), "TERM=xterm"));

  s.security_opt = {"seccomp=/tmp/profile.json"};
  CHECK_THROWS_WITH(generate_spec(busybox(), s), Catch::Contains("only seccomp=unconfined is supported"));
  s.security_opt = {};
  s.ulimits = {{"bananas", 1, 1}};
  CHECK_THROWS_WITH(generate_spec(busybox(), s), "invalid ulimit type: bananas");
}

TEST_CASE("spec: limits become linux.resources") {
  FakeRootfs root;
  auto s = root.settings();
  s.memory = 256 * 1024 * 1024;
  s.memory_reservation = 64 * 1024 * 1024;
  s.cpus = 1.5;
  s.cpu_shares = 512;
  s.cpuset_cpus = "0";
  s.pids_limit = 100;
  s.device_cgroup_rules = {"c 10:200 rwm"};
  auto r = generate_spec(busybox(), s)["linux"]["resources"];
  CHECK(r["memory"]["limit"] == 268435456);
  CHECK(r["memory"]["swap"] == 536870912);  // Docker: swap as large as memory by default
  CHECK(r["memory"]["reservation"] == 67108864);
  CHECK(r["cpu"]["quota"] == 150000);
  CHECK(r["cpu"]["period"] == 100000);
  CHECK(r["cpu"]["shares"] == 512);
  CHECK(r["cpu"]["cpus"] == "0");
  CHECK(r["pids"]["limit"] == 100);
  CHECK(r["devices"].back() == nlohmann::json{{"allow", true}, {"type", "c"}, {"major", 10}, {"minor", 200}, {"access", "rwm"}});

  s.memory_swap = -1;
  CHECK(generate_spec(busybox(), s)["linux"]["resources"]["memory"]["swap"] == -1);
  s.memory_swap = 1000;
  CHECK_THROWS_WITH(generate_spec(busybox(), s), "memory_swap 1000 must be at least the memory limit 268435456");
  s.memory_swap.reset();
  s.device_cgroup_rules = {"x 1 2"};
  CHECK_THROWS_WITH(generate_spec(busybox(), s), "invalid device cgroup rule \"x 1 2\" (want e.g. \"c 1:3 rwm\")");
}

TEST_CASE("spec: user resolves through the rootfs's /etc/passwd and /etc/group") {
  FakeRootfs root;
  auto s = root.settings();
  auto image = busybox();
  image.user = "app";
  auto spec = generate_spec(image, s);
  CHECK(spec["process"]["user"]["uid"] == 1000);
  CHECK(spec["process"]["user"]["gid"] == 1000);
  CHECK(spec["process"]["user"]["additionalGids"] == nlohmann::json{10, 29});
  CHECK(contains(strings(spec["process"]["env"]), "HOME=/home/app"));

  s.user = "daemon:docker";  // the container's user overrides the image's; a named group drops supplementary ones
  spec = generate_spec(image, s);
  CHECK(spec["process"]["user"]["uid"] == 1);
  CHECK(spec["process"]["user"]["gid"] == 999);
  CHECK_FALSE(spec["process"]["user"].contains("additionalGids"));

  auto numeric = resolve_image_user(root.dir.path().string(), "4242", {"audio", "7"});
  CHECK(numeric.uid == 4242);
  CHECK(numeric.gid == 0);
  CHECK(numeric.additional_gids == std::vector<std::uint32_t>{29, 7});
  CHECK(numeric.home == "/");

  CHECK_THROWS_WITH(resolve_image_user(root.dir.path().string(), "nobody"), "unable to find user nobody: no matching entries in passwd file");
  CHECK_THROWS_WITH(resolve_image_user(root.dir.path().string(), "app:staff"), "unable to find group staff: no matching entries in group file");
}

TEST_CASE("spec: /etc/passwd symlinked out of the rootfs is read inside it") {
  FakeRootfs root;
  TempDir outside("outside");
  write_text(outside.path() / "passwd", "evil:x:0:0::/:/bin/sh\n");
  std::filesystem::remove(root.dir.path() / "etc/passwd");
  std::filesystem::create_symlink(outside.path() / "passwd", root.dir.path() / "etc/passwd");
  // Resolved inside the root, the absolute target does not exist: no user "evil".
  CHECK_THROWS_WITH(resolve_image_user(root.dir.path().string(), "evil"), "unable to find user evil: no matching entries in passwd file");
}

TEST_CASE("spec: entrypoint/command overrides, mounts and namespaces") {
  FakeRootfs root;
  auto s = root.settings();
  auto image = busybox();
  image.entrypoint = {"/docker-entrypoint.sh"};
  image.cmd = {"nginx", "-g", "daemon off;"};
  CHECK(generate_spec(image, s)["process"]["args"] == nlohmann::json{"/docker-entrypoint.sh", "nginx", "-g", "daemon off;"});
  s.command = std::vector<std::string>{"echo", "hi"};
  CHECK(generate_spec(image, s)["process"]["args"] == nlohmann::json{"/docker-entrypoint.sh", "echo", "hi"});
  s.command.reset();
  s.entrypoint = std::vector<std::string>{"/bin/true"};
  CHECK(generate_spec(image, s)["process"]["args"] == nlohmann::json{"/bin/true"});
  // As Docker merges them: an empty command is the image's Cmd; an empty entrypoint drops the
  // image's entrypoint but keeps its Cmd.
  s.entrypoint.reset();
  s.command = std::vector<std::string>{};
  CHECK(generate_spec(image, s)["process"]["args"] == nlohmann::json{"/docker-entrypoint.sh", "nginx", "-g", "daemon off;"});
  s.command.reset();
  s.entrypoint = std::vector<std::string>{};
  CHECK(generate_spec(image, s)["process"]["args"] == nlohmann::json{"nginx", "-g", "daemon off;"});
  s.entrypoint = std::vector<std::string>{"/bin/true"};
  s.command = std::vector<std::string>{};
  CHECK(generate_spec(image, s)["process"]["args"] == nlohmann::json{"/bin/true"});
  s.entrypoint = std::vector<std::string>{};
  s.command.reset();
  image.cmd = {};
  CHECK_THROWS_WITH(generate_spec(image, s), "No command specified");

  s = root.settings();
  s.mounts = {{"/data/sub", "/srv/b", "bind", {"ro"}}, {"/data", "/srv/a", "bind", {}}, {"/dev/shm", "", "tmpfs", {"size=1m"}}};
  s.network = NamespaceMode::join("/run/netns/x");
  s.pid = NamespaceMode::host();
  auto spec = generate_spec(busybox(), s);
  std::vector<std::string> dests;
  for (const auto& m : spec["mounts"]) dests.push_back(m["destination"]);
  CHECK(std::count(dests.begin(), dests.end(), "/dev/shm") == 1);  // the user's replaces the default
  auto pos = [&](const char* d) { return std::find(dests.begin(), dests.end(), d) - dests.begin(); };
  CHECK(pos("/data") < pos("/data/sub"));  // parents before children
  CHECK(strings((*find_mount(spec, "/data/sub"))["options"]) == std::vector<std::string>{"ro", "rbind", "rprivate"});
  CHECK(spec["linux"]["namespaces"][1] == nlohmann::json{{"type", "network"}, {"path", "/run/netns/x"}});
  for (const auto& n : spec["linux"]["namespaces"]) CHECK(n["type"] != "pid");

  s.network = NamespaceMode::host();
  CHECK_FALSE(generate_spec(busybox(), s)["linux"]["sysctl"].contains("net.ipv4.ping_group_range"));
}
