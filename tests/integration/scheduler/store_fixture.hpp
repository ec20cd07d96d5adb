#pragma once
// Shared by the scheduler's integration tests: a temp MYCOMPOSE_ROOT with a busybox image
// "busybox:test" (made with `mycompose image import`), and service requests from YAML.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "../../support/run.hpp"
#include "mycompose/common/fs.hpp"
#include "mycompose/compose/normalize.hpp"
#include "mycompose/compose/yaml.hpp"
#include "mycompose/scheduler/container_store.hpp"

namespace store_test {

namespace stdfs = std::filesystem;
using mycompose::scheduler::ContainerStore;
using mycompose::scheduler::CreateRequest;


// A temp MYCOMPOSE_ROOT with a busybox image "busybox:test"; the destructor removes every
// container (runtime state, overlay mount, cgroup) and the folder.
struct Root {
  stdfs::path dir;
  Root() {
    // This test program links the runtime; the init it copies is the one built beside mycompose.
    mycompose::runtime::set_init_program(
        (stdfs::path(mycompose::test::mycompose_bin()).parent_path() / "mycompose-init").string());
    char tmpl[] = "/tmp/mycompose-store-XXXXXX";
    if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    dir = tmpl;
    auto rootfs = dir / "image-rootfs";
    stdfs::create_directories(rootfs / "bin");
    stdfs::copy_file("/bin/busybox", rootfs / "bin/busybox");
    for (const char* applet : {"sh", "sleep", "hostname", "cat", "echo", "httpd", "wget", "nslookup"}) stdfs::create_symlink("busybox", rootfs / "bin" / applet);
    // Content at a volume target, which a new volume gets a copy of.
    stdfs::create_directories(rootfs / "srv/site");
    mycompose::fs::write_file_atomic(rootfs / "srv/site/index.html", "<h1>shop</h1>\n", 0640);
    stdfs::create_symlink("index.html", rootfs / "srv/site/home.html");
    stdfs::permissions(rootfs / "srv/site", stdfs::perms(0750));
    stdfs::create_directories(rootfs / "www");
    mycompose::fs::write_file_atomic(rootfs / "www/index.html", "pong\n", 0644);
    auto tar = dir / "image.tar";
    auto t = mycompose::test::run({"tar", "--owner=0", "--group=0", "-C", rootfs.string(), "-cf", tar.string(), "."});
    if (t.exit_code != 0) throw std::runtime_error("tar: " + t.err);
    mycompose::test::RunOptions o;
    o.env = {{"MYCOMPOSE_ROOT", (dir / "root").string()}};
    auto imp = mycompose::test::run({mycompose::test::mycompose_bin(), "image", "import", tar.string(), "busybox:test"}, o);
    if (imp.exit_code != 0) throw std::runtime_error("image import: " + imp.err);
  }
  ~Root() {
    try {
      ContainerStore store(dir / "root");
      for (const auto& c : store.list()) store.remove(c.id, true);
    } catch (...) {
    }
    std::error_code ec;
    stdfs::remove_all(dir, ec);
  }
  stdfs::path root() const { return dir / "root"; }
};

inline CreateRequest request(const std::string& yaml, const std::string& service = "web") {
  mycompose::compose::NormalizeContext ctx;
  ctx.project_name = "shop";
  ctx.working_dir = "/srv/shop";
  ctx.resolve_env_files = false;
  auto model = mycompose::compose::normalize(mycompose::compose::parse_yaml(yaml, "compose.yaml"), ctx).model;
  CreateRequest r;
  r.project = "shop";
  r.service = service;
  r.definition = model["services"][service];
  r.desired.name = "shop-" + service + "-1";
  r.desired.labels = {{"com.docker.compose.project", "shop"}, {"com.docker.compose.service", service}};
  r.config_hash = "hash";
  return r;
}

// Polls (the container runs on its own) until the file has content, up to 10 s.
inline std::string wait_for_file(const stdfs::path& p) {
  for (int i = 0; i < 1000; ++i) {
    std::error_code ec;
    if (stdfs::exists(p, ec) && stdfs::file_size(p, ec) > 0) return mycompose::fs::read_file(p);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return "";
}

inline bool mounted(const stdfs::path& p) {
  return mycompose::fs::read_file("/proc/self/mountinfo").find(" " + p.string() + " ") != std::string::npos;
}

}  // namespace store_test
