// `mycompose image import/ls/inspect/tag/rm/prune` on a busybox rootfs made from Debian's
// busybox-static, each case with its own MYCOMPOSE_ROOT.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "integration/image/cli_helper.hpp"
#include "mycompose/common/fs.hpp"
#include "mycompose/common/sha256.hpp"
#include "unit/image/tar_builder.hpp"

using namespace mycompose::image::test;
using nlohmann::json;
namespace stdfs = std::filesystem;

namespace {

std::vector<TarEntry> busybox_rootfs() {
  auto bb = mycompose::fs::read_file("/bin/busybox");
  return {dir("bin"), file("bin/busybox", bb, 0755), symlink_entry("bin/sh", "busybox"), dir("etc"),
          file("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n"), dir("tmp", 01777)};
}

struct Env {
  TempDir t;
  stdfs::path root = t.path / "root";
  stdfs::path tarball = t.path / "rootfs.tar.gz";
  std::string plain_tar = make_tar(busybox_rootfs());
  Env() { mycompose::fs::write_file_atomic(tarball, make_tar(busybox_rootfs(), "gzip")); }
  RunResult run(const std::string& args) { return run_mycompose(root, args); }
  std::string import(const std::string& ref, const std::string& extra = "") {
    auto r = run("image import " + extra + " " + shell_quote(tarball.string()) + " " + ref);
    INFO(r.err);
    REQUIRE(r.status == 0);
    auto id = r.out.substr(0, r.out.find('\n'));
    REQUIRE(id.size() == 71);
    return id;
  }
  json inspect(const std::string& name) {
    auto r = run("image inspect " + shell_quote(name));
    INFO(r.err);
    REQUIRE(r.status == 0);
    return json::parse(r.out);
  }
  bool store_empty() {
    return list_tree(root / "layers").empty() && list_tree(root / "content/sha256").empty();
  }
};

}  // namespace

TEST_CASE("image import: busybox rootfs becomes a one-layer image with the --change config") {
  Env e;
  auto id = e.import("busybox:test", "--change 'CMD [\"sh\"]' -c 'ENV A=1 B=\"two words\"' -c 'EXPOSE 80 53/udp' "
                                     "-c 'WORKDIR /tmp' -c 'USER root' -c 'LABEL x=y' -c 'STOPSIGNAL SIGTERM' "
                                     "-c 'ENTRYPOINT [\"/bin/busybox\"]' -c 'VOLUME /data' -m 'test import'");
  auto j = e.inspect("busybox:test");
  REQUIRE(j.size() == 1);
  auto img = j[0];
  CHECK(img["Id"] == id);
  CHECK(img["RepoTags"] == json::array({"busybox:test"}));
  CHECK(img["Comment"] == "test import");
  CHECK(img["Os"] == "linux");
  CHECK(img["Architecture"] == "amd64");
  CHECK(img["Config"]["Cmd"] == json::array({"sh"}));
  CHECK(img["Config"]["Entrypoint"] == json::array({"/bin/busybox"}));
  CHECK(img["Config"]["Env"] == json::array({"A=1", "B=two words"}));
  CHECK(img["Config"]["ExposedPorts"] == json({{"80/tcp", json::object()}, {"53/udp", json::object()}}));
  CHECK(img["Config"]["WorkingDir"] == "/tmp");
  CHECK(img["Config"]["User"] == "root");
  CHECK(img["Config"]["Labels"] == json({{"x", "y"}}));
  CHECK(img["Config"]["StopSignal"] == "SIGTERM");
  CHECK(img["Config"]["Volumes"] == json({{"/data", json::object()}}));
  // The diff id is the digest of the uncompressed tar, though the input was gzip.
  CHECK(img["RootFS"]["Layers"] == json::array({"sha256:" + mycompose::sha256_hex(e.plain_tar)}));
  auto busybox_size = static_cast<std::int64_t>(stdfs::file_size("/bin/busybox"));
  CHECK(img["Size"] == busybox_size + 30);

  // The unpacked layer is a usable rootfs: same busybox bytes, mode and the sh symlink.
  auto lower = img["GraphDriver"]["Data"]["LowerDir"].get<std::string>();
  CHECK(mycompose::fs::read_file(stdfs::path(lower) / "bin/busybox") == mycompose::fs::read_file("/bin/busybox"));
  CHECK(stdfs::read_symlink(stdfs::path(lower) / "bin/sh") == "busybox");
  struct stat st {};
  REQUIRE(::stat((stdfs::path(lower) / "tmp").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 01777);
}

TEST_CASE("image import: a bad --change or reference is refused before anything is stored") {
  Env e;
  auto r = e.run("image import -c 'RUN echo' " + shell_quote(e.tarball.string()) + " x");
  CHECK(r.status == 1);
  CHECK(r.err == "error: --change \"RUN echo\": RUN is not supported (allowed: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, "
                 "WORKDIR, VOLUME, STOPSIGNAL)\n");
  r = e.run("image import " + shell_quote(e.tarball.string()) + " UPPER:tag");
  CHECK(r.status == 1);
  CHECK(r.err == "error: invalid reference format: repository name (library/UPPER) must be lowercase\n");
  r = e.run("image import " + shell_quote(e.tarball.string()) + " a::b");
  CHECK(r.err == "error: invalid reference format: \"a::b\"\n");
  CHECK(e.store_empty());
}

TEST_CASE("image ls: table, -q and --format json") {
  Env e;
  auto id = e.import("busybox:test");
  auto r = e.run("image ls");
  REQUIRE(r.status == 0);
  auto nl = r.out.find('\n');
  CHECK(r.out.substr(0, nl).rfind("REPOSITORY   TAG       IMAGE ID       CREATED", 0) == 0);
  auto row = r.out.substr(nl + 1);
  CHECK(row.rfind("busybox      test      " + id.substr(7, 12) + "   ", 0) == 0);
  CHECK(row.find("second") != std::string::npos);  // "Less than a second ago", "1 second ago", "5 seconds ago"

  r = e.run("image ls -q");
  CHECK(r.out == id.substr(7, 12) + "\n");

  r = e.run("image ls --format json");
  auto j = json::parse(r.out);
  CHECK(j["Repository"] == "busybox");
  CHECK(j["Tag"] == "test");
  CHECK(j["ID"] == id.substr(7, 12));
  CHECK(j["Digest"] == "<none>");

  r = e.run("image ls --format '{{.Repository}}:{{.Tag}}' other");
  CHECK(r.out.empty());
  r = e.run("image ls --format '{{.Repository}}:{{.Tag}}' busybox");
  CHECK(r.out == "busybox:test\n");
}

TEST_CASE("image tag and rm: untag one name, refuse an id with several names, delete the last") {
  Env e;
  auto id = e.import("busybox:test");
  REQUIRE(e.run("image tag busybox:test localhost:5000/bb:1").status == 0);
  CHECK(e.inspect("localhost:5000/bb:1")[0]["Id"] == id);
  CHECK(e.inspect(id.substr(7, 6))[0]["RepoTags"].size() == 2);

  auto r = e.run("image tag busybox:nope x");
  CHECK(r.status == 1);
  CHECK(r.err == "error: No such image: busybox:nope\n");

  r = e.run("image rm " + id);
  CHECK(r.status == 1);
  CHECK(r.err == "error: conflict: unable to delete " + id.substr(7, 12) +
                     " (must be forced) - image is referenced in multiple repositories\n");

  r = e.run("image rm busybox:test");
  CHECK(r.status == 0);
  CHECK(r.out == "Untagged: busybox:test\n");
  CHECK_FALSE(e.store_empty());

  r = e.run("image rm localhost:5000/bb:1");
  CHECK(r.status == 0);
  CHECK(r.out.rfind("Untagged: localhost:5000/bb:1\nDeleted: " + id + "\n", 0) == 0);
  CHECK(e.store_empty());

  r = e.run("image inspect busybox:test");
  CHECK(r.status == 1);
  CHECK(r.out == "[]\n");
  CHECK(r.err == "error: No such image: busybox:test\n");
}

TEST_CASE("image prune: dangling images only, then -a") {
  Env e;
  auto tagged = e.import("busybox:keep");
  auto dangling = e.import("", "-m other");  // a different config, so a different image
  REQUIRE(tagged != dangling);
  auto r = e.run("image prune -f");
  CHECK(r.status == 0);
  CHECK(r.out.rfind("Deleted Images:\ndeleted: " + dangling + "\n", 0) == 0);
  CHECK(r.out.find("Total reclaimed space: ") != std::string::npos);
  CHECK(e.run("image ls -q").out == tagged.substr(7, 12) + "\n");

  r = e.run("image prune -f");
  CHECK(r.out == "Total reclaimed space: 0B\n");

  r = e.run("image prune -a -f");
  CHECK(r.out.rfind("Deleted Images:\nuntagged: busybox:keep\ndeleted: " + tagged + "\n", 0) == 0);
  CHECK(e.run("image ls -q").out.empty());
  CHECK(e.store_empty());
}
