// Hostile files inside an `image load` tarball: a FIFO as manifest.json, as the image config or
// as a layer made the load wait forever for a writer (and a kill then left content/tmp/load-*);
// a device would have been opened; a symlink could point at a host file. Each is refused naming
// the file, fast, and leaves no staging folder behind. A tarball the user hands over through a
// FIFO of their own still loads.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <chrono>
#include <thread>

#include "mycompose/common/fs.hpp"
#include "mycompose/common/sha256.hpp"
#include "support/run.hpp"
#include "unit/image/tar_builder.hpp"

using namespace mycompose::image::test;
using nlohmann::json;
namespace stdfs = std::filesystem;

namespace {

struct LoadCase {
  TempDir t;
  stdfs::path root = t.path / "root";
  stdfs::path input = t.path / "hostile.tar";

  mycompose::test::RunResult mycompose(std::vector<std::string> args) {
    mycompose::test::RunOptions o;
    o.env = {{"MYCOMPOSE_ROOT", root.string()}};
    o.timeout_seconds = 60;  // a hang guard: the old code never returned
    args.insert(args.begin(), mycompose::test::mycompose_bin());
    return mycompose::test::run(args, o);
  }
  mycompose::test::RunResult load(const std::vector<TarEntry>& entries) {
    mycompose::fs::write_file_atomic(input, make_tar(entries));
    return mycompose({"image", "load", "-i", input.string()});
  }
  // Staging folders of loads (content/tmp/load-*), whatever the name says about its owner.
  std::vector<std::string> staging_left() {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : stdfs::directory_iterator(root / "content/tmp", ec))
      if (e.path().filename().string().rfind("load-", 0) == 0) out.push_back(e.path().filename().string());
    return out;
  }
};

TarEntry fifo(const std::string& name) { return entry(name, AE_IFIFO, 0644); }

std::string manifest(const std::string& config, const std::string& layer) {
  return json::array({{{"Config", config}, {"RepoTags", {"evil:1"}}, {"Layers", {layer}}}}).dump();
}

const std::string kConfig =
    json{{"architecture", "amd64"}, {"os", "linux"}, {"rootfs", {{"type", "layers"}, {"diff_ids", {"sha256:" + std::string(64, '0')}}}}}.dump();

}  // namespace

TEST_CASE("untrusted archive: a FIFO as manifest.json is refused naming it, and no staging folder is left") {
  LoadCase c;
  auto r = c.load({fifo("manifest.json")});
  INFO(r.err);
  CHECK_FALSE(r.timed_out);
  CHECK(r.exit_code == 1);
  CHECK(r.err == "error: " + c.input.string() + ": manifest.json is a FIFO, not a regular file\n");
  CHECK(c.staging_left().empty());
}

TEST_CASE("untrusted archive: a FIFO as the image config is refused naming it") {
  LoadCase c;
  auto r = c.load({file("manifest.json", manifest("config.json", "layer.tar")), fifo("config.json"), file("layer.tar", make_tar({file("a", "1")}))});
  INFO(r.err);
  CHECK_FALSE(r.timed_out);
  CHECK(r.exit_code == 1);
  CHECK(r.err == "error: " + c.input.string() + ": config.json is a FIFO, not a regular file\n");
  CHECK(c.staging_left().empty());
  CHECK(c.mycompose({"image", "ls", "-q"}).out.empty());
}

TEST_CASE("untrusted archive: a FIFO as a layer is refused naming it") {
  LoadCase c;
  auto r = c.load({file("manifest.json", manifest("config.json", "sub/layer.tar")), file("config.json", kConfig), dir("sub"), fifo("sub/layer.tar")});
  INFO(r.err);
  CHECK_FALSE(r.timed_out);
  CHECK(r.exit_code == 1);
  CHECK(r.err == "error: " + c.input.string() + ": sub/layer.tar is a FIFO, not a regular file\n");
  CHECK(c.staging_left().empty());
}

TEST_CASE("untrusted archive: a device as index.json is refused, never opened") {
  LoadCase c;
  auto null_dev = entry("index.json", AE_IFCHR, 0666);
  null_dev.rdev_major = 1;
  null_dev.rdev_minor = 3;
  auto r = c.load({null_dev});
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err == "error: " + c.input.string() + ": index.json is a character device, not a regular file\n");
  CHECK(c.staging_left().empty());
}

TEST_CASE("untrusted archive: manifest.json as a symlink to /etc/shadow resolves inside the archive, not on the host") {
  LoadCase c;
  auto r = c.load({symlink_entry("manifest.json", "/etc/shadow")});
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err == "error: " + c.input.string() + ": manifest.json: No such file or directory\n");
  CHECK(c.staging_left().empty());
  // The config named through "../../../etc/shadow" stays inside the archive too.
  r = c.load({file("manifest.json", manifest("../../../../../../etc/shadow", "layer.tar"))});
  CHECK(r.exit_code == 1);
  CHECK(r.err == "error: " + c.input.string() + ": ../../../../../../etc/shadow: No such file or directory\n");
  CHECK(c.staging_left().empty());
}

TEST_CASE("untrusted archive: a tarball the user passes through a FIFO of their own still loads") {
  LoadCase c;
  const std::string rootfs = make_tar({file("hello", "world\n")});
  mycompose::fs::write_file_atomic(c.t.path / "rootfs.tar", rootfs);
  REQUIRE(c.mycompose({"image", "import", (c.t.path / "rootfs.tar").string(), "piped:1"}).exit_code == 0);
  const auto saved = c.t.path / "saved.tar";
  REQUIRE(c.mycompose({"image", "save", "-o", saved.string(), "piped:1"}).exit_code == 0);
  REQUIRE(c.mycompose({"image", "rm", "piped:1"}).exit_code == 0);
  const auto pipe_path = c.t.path / "pipe";
  REQUIRE(::mkfifo(pipe_path.c_str(), 0600) == 0);
  // The writer waits (bounded) for the load to open its end: a write-only open fails with
  // ENXIO until a reader is there.
  std::thread writer([&] {
    const std::string data = mycompose::fs::read_file(saved);
    int fd = -1;
    for (int i = 0; i < 6000 && fd < 0; ++i) {
      fd = ::open(pipe_path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
      if (fd < 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (fd < 0) return;
    ::fcntl(fd, F_SETFL, 0);
    for (std::size_t off = 0; off < data.size();) {
      ssize_t n = ::write(fd, data.data() + off, data.size() - off);
      if (n <= 0) break;
      off += static_cast<std::size_t>(n);
    }
    ::close(fd);
  });
  auto r = c.mycompose({"image", "load", "-i", pipe_path.string()});
  writer.join();
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out == "Loaded image: piped:1\n");
  CHECK(c.staging_left().empty());
}

// Class: unbounded depth. nlohmann's parser is iterative, but copying and dump() recurse once a
// level: an image config nesting 100,000 levels is accepted by the parse and then overflows the
// stack of whoever prints or copies it (inspect, up, the engine's answers).
TEST_CASE("untrusted archive: an image config nesting 100,000 levels is refused naming the limit, nothing crashes") {
  LoadCase c;
  const std::string layer = make_tar({file("a", "1")});
  const std::string diff_id = "sha256:" + mycompose::sha256_hex(layer);
  const std::string config = R"({"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[")" + diff_id +
                             R"("]},"config":{"Labels":{"deep":"x"}},"deep":)" + std::string(100000, '[') +
                             std::string(100000, ']') + "}";
  auto r = c.load({file("manifest.json", manifest("config.json", "layer.tar")), file("config.json", config), file("layer.tar", layer)});
  INFO(r.err);
  CHECK_FALSE(r.timed_out);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("config.json") != std::string::npos);
  CHECK(r.err.find("JSON nests deeper than 512 levels") != std::string::npos);
  CHECK(c.staging_left().empty());
  // Whatever a load let through, using it must not kill anyone.
  auto inspect = c.mycompose({"image", "inspect", "evil:1"});
  INFO(inspect.err);
  CHECK(inspect.exit_code < 128);
}
