// The v2 writer against a fake cgroupfs (a temp folder with the interface files the kernel
// would create), since v2 controllers cannot be enabled on the hybrid test host.
#include <catch2/catch.hpp>

#include "mycompose/runtime/cgroup.hpp"
#include "unit/runtime/policy_helpers.hpp"

using mycompose::runtime::Cgroup;
using mycompose::runtime::CgroupMode;
using mycompose::runtime::detect_cgroup_mode;
using policy_test::read_text;
using policy_test::TempDir;
using policy_test::write_text;
namespace stdfs = std::filesystem;

namespace {

const char* kLeafFiles[] = {"cgroup.procs", "cgroup.freeze", "cgroup.subtree_control", "memory.max",
                            "memory.low", "memory.swap.max", "cpu.weight", "cpu.max", "cpuset.cpus",
                            "cpuset.mems", "pids.max", "io.weight"};

// root/ with cgroup.controllers, and the container folder pre-made with its files.
stdfs::path make_fake_v2(const stdfs::path& root, const std::string& rel) {
  write_text(root / "cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc");
  write_text(root / "cgroup.subtree_control", "");
  write_text(root / "cgroup.procs", "");
  stdfs::path cur = root;
  for (const auto& part : stdfs::path(rel)) {
    cur /= part;
    write_text(cur / "cgroup.controllers", "cpuset cpu io memory pids");
    write_text(cur / "cgroup.subtree_control", "");
  }
  for (const char* f : kLeafFiles) write_text(cur / f, "");
  write_text(cur / "cgroup.events", "populated 1\nfrozen 0");
  return cur;
}

}  // namespace

TEST_CASE("cgroup mode is detected from the interface files") {
  TempDir v2("cg-v2"), hybrid("cg-hybrid"), v1("cg-v1");
  write_text(v2.path() / "cgroup.controllers", "memory");
  write_text(hybrid.path() / "unified" / "cgroup.controllers", "");
  stdfs::create_directories(v1.path() / "memory");
  CHECK(detect_cgroup_mode(v2.path().string()) == CgroupMode::V2);
  CHECK(detect_cgroup_mode(hybrid.path().string()) == CgroupMode::Hybrid);
  CHECK(detect_cgroup_mode(v1.path().string()) == CgroupMode::V1);
}

TEST_CASE("v2 writer: limits land in the interface files") {
  TempDir t("cg-v2");
  const auto leaf = make_fake_v2(t.path(), "mycompose/abc/c1");
  nlohmann::json res = {
      {"memory", {{"limit", 268435456}, {"reservation", 134217728}, {"swap", 536870912}}},
      {"cpu", {{"shares", 1024}, {"quota", 50000}, {"period", 100000}, {"cpus", "0-1"}, {"mems", "0"}}},
      {"pids", {{"limit", 64}}},
      {"blockIO", {{"weight", 500}}},
  };  // device rules need a real cgroup2 folder (BPF attach): see the integration tests
  auto cg = Cgroup::create("/mycompose/abc/c1", res, t.path().string());
  CHECK(cg->path() == (t.path() / "mycompose/abc/c1").string());
  CHECK(read_text(leaf / "memory.max") == "268435456");
  CHECK(read_text(leaf / "memory.low") == "134217728");
  CHECK(read_text(leaf / "memory.swap.max") == "268435456");  // OCI swap is memory+swap
  CHECK(read_text(leaf / "cpu.weight") == "39");              // runc's shares→weight mapping
  CHECK(read_text(leaf / "cpu.max") == "50000 100000");
  CHECK(read_text(leaf / "cpuset.cpus") == "0-1");
  CHECK(read_text(leaf / "cpuset.mems") == "0");
  CHECK(read_text(leaf / "pids.max") == "64");
  CHECK(read_text(leaf / "io.weight") == "default 4950");
  // Every ancestor delegates the controllers it offers to its children.
  CHECK(read_text(t.path() / "cgroup.subtree_control").rfind("+", 0) == 0);
  CHECK(read_text(t.path() / "mycompose" / "abc" / "cgroup.subtree_control").rfind("+", 0) == 0);

  cg->update({{"memory", {{"limit", -1}}}, {"pids", {{"limit", 0}}}, {"cpu", {{"quota", -1}}}});
  CHECK(read_text(leaf / "memory.max") == "max");
  CHECK(read_text(leaf / "pids.max") == "max");
  CHECK(read_text(leaf / "cpu.max") == "max 100000");
}

TEST_CASE("v2 writer: add_process, freeze, pids and stats read the interface files") {
  TempDir t("cg-v2");
  const auto leaf = make_fake_v2(t.path(), "mycompose/abc/c2");
  auto cg = Cgroup::create("mycompose/abc/c2", nlohmann::json::object(), t.path().string());
  cg->add_process(4242);
  CHECK(read_text(leaf / "cgroup.procs") == "4242");

  write_text(leaf / "cgroup.procs", "10\n11\n12\n");
  CHECK(cg->pids() == std::vector<pid_t>{10, 11, 12});

  write_text(leaf / "cgroup.events", "populated 1\nfrozen 1\n");
  cg->freeze(true);
  CHECK(read_text(leaf / "cgroup.freeze") == "1");
  cg->freeze(false);
  CHECK(read_text(leaf / "cgroup.freeze") == "0");

  write_text(leaf / "memory.current", "1048576");
  write_text(leaf / "memory.max", "max");
  write_text(leaf / "memory.stat", "anon 100\nfile 4096\ninactive_file 2048\n");
  write_text(leaf / "cpu.stat", "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\n");
  write_text(leaf / "pids.current", "3");
  write_text(leaf / "pids.max", "100");
  auto s = cg->stats();
  CHECK(s["memory"]["usage"] == 1048576);
  CHECK(s["memory"]["limit"].is_null());
  CHECK(s["memory"]["inactive_file"] == 2048);
  CHECK(s["cpu"]["usage_ns"] == 1500000);
  CHECK(s["cpu"]["system_ns"] == 500000);
  CHECK(s["pids"]["current"] == 3);
  CHECK(s["pids"]["limit"] == 100);

  auto again = Cgroup::open("mycompose/abc/c2", t.path().string());
  CHECK(again->pids() == std::vector<pid_t>{10, 11, 12});
}

TEST_CASE("v2 writer: errors name the file written, and the swap/limit rule") {
  TempDir t("cg-v2");
  const auto leaf = make_fake_v2(t.path(), "mycompose/abc/c3");
  stdfs::remove(leaf / "pids.max");
  CHECK_THROWS_WITH(Cgroup::create("mycompose/abc/c3", {{"pids", {{"limit", 10}}}}, t.path().string()),
                    "write 10 to " + (leaf / "pids.max").string() + ": No such file or directory");
  make_fake_v2(t.path(), "mycompose/abc/c4");
  CHECK_THROWS_WITH(Cgroup::create("mycompose/abc/c4", {{"memory", {{"limit", 1000}, {"swap", 10}}}}, t.path().string()),
                    "linux.resources.memory: swap (memory+swap) 10 is below the memory limit 1000");
  CHECK_THROWS_WITH(Cgroup::create("mycompose/../etc", {}, t.path().string()),
                    Catch::Contains("must be a plain relative path"));
  CHECK_THROWS_WITH(Cgroup::open("mycompose/abc/none", t.path().string()),
                    "cgroup mycompose/abc/none does not exist under " + t.path().string());
}

TEST_CASE("v2 writer: destroy removes the container folder and empty parents only") {
  TempDir t("cg-v2");
  write_text(t.path() / "cgroup.controllers", "memory pids");
  write_text(t.path() / "cgroup.subtree_control", "");
  // Plain folders stand in for cgroupfs folders, whose files vanish with rmdir.
  auto a = Cgroup::create("mycompose/h/a", nlohmann::json::object(), t.path().string());
  auto b = Cgroup::create("mycompose/h/b", nlohmann::json::object(), t.path().string());
  a->destroy();
  CHECK_FALSE(stdfs::exists(t.path() / "mycompose/h/a"));
  CHECK(stdfs::exists(t.path() / "mycompose/h/b"));
  b->destroy();
  CHECK_FALSE(stdfs::exists(t.path() / "mycompose"));
}

TEST_CASE("v2 writer: what the host has no file for is refused by field - unified and hugetlb written") {
  TempDir tmp("cg-v2");
  const std::string rel = "mycompose/abc/c1";
  stdfs::path leaf = make_fake_v2(tmp.path(), rel);
  write_text(leaf / "memory.high", "");
  write_text(leaf / "hugetlb.2MB.max", "");
  auto cg = Cgroup::create(rel, {{"unified", {{"memory.high", "1000000"}}}, {"hugepageLimits", {{{"pageSize", "2MB"}, {"limit", 4194304}}}}},
                           tmp.path().string());
  CHECK(read_text(leaf / "memory.high") == "1000000");
  CHECK(read_text(leaf / "hugetlb.2MB.max") == "4194304");
  auto refused = [&](const nlohmann::json& r) {
    try {
      cg->update(r);
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  CHECK(refused({{"network", {{"classID", 1}}}}) == "linux.resources.network: net_cls and net_prio do not exist on cgroup v2");
  CHECK(refused({{"unified", {{"memory.oom.group", "1"}}}}) == "linux.resources.unified.memory.oom.group: this host's cgroup has no such file");
  CHECK(refused({{"unified", {{"../x.y", "1"}}}}) == "linux.resources.unified.../x.y: not a cgroup interface file name");
  CHECK(refused({{"hugepageLimits", {{{"pageSize", "1GB"}, {"limit", 1}}}}}) ==
        "linux.resources.hugepageLimits[0]: this host's cgroup has no hugetlb.1GB.max");
}
