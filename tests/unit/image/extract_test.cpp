// Layer extraction: file kinds and metadata, whiteouts, and moby go-archive's breakout cases
// (archive_test.go TestUntarInvalidFilenames / InvalidHardlink / InvalidSymlink /
// HardlinkToSymlink). These need root for chown, mknod and trusted.* xattrs.
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include <catch2/catch.hpp>

#include "mycompose/common/error.hpp"
#include "mycompose/common/fs.hpp"
#include "../engine/image/extract.hpp"  // internal: unpack into a chosen folder, as moby's tests do
#include "mycompose/image/store.hpp"
#include "unit/image/tar_builder.hpp"

using namespace mycompose::image;
using namespace mycompose::image::test;
namespace stdfs = std::filesystem;

namespace {

// As moby's testBreakout: <tmp>/dest is unpacked into directly, next to <tmp>/victim holding
// hello = "hello", so "../victim" from the layer is exactly the victim. A store under
// <tmp>/root checks that a refused layer leaves nothing there.
struct Sandbox {
  TempDir t;
  stdfs::path victim = t.path / "victim";
  ImageStore store{t.path / "root"};
  Sandbox() {
    stdfs::create_directories(victim);
    mycompose::fs::write_file_atomic(victim / "hello", "hello");
  }
  LayerInfo add(const std::string& tar) {
    auto blob = store.put_blob(tar);
    return store.add_layer("", blob, "", "", "layer test");
  }
  void extract_direct(const std::string& tar) {
    mycompose::fs::write_file_atomic(t.path / "layer.tar", tar);
    stdfs::create_directories(t.path / "dest");
    extract_layer(t.path / "layer.tar", t.path / "dest", "layer test");
  }
  bool victim_untouched() const {
    return list_tree(victim) == std::vector<std::string>{"hello"} &&
           mycompose::fs::read_file(victim / "hello") == "hello";
  }
  bool no_layers_left() const { return list_tree(t.path / "root" / "layers").empty(); }
};

void expect_refused(const std::vector<TarEntry>& entries, const std::string& message) {
  Sandbox sb;
  CHECK_THROWS_WITH(sb.extract_direct(make_tar(entries)), message);
  CHECK(sb.victim_untouched());
  CHECK_THROWS_WITH(sb.add(make_tar(entries)), message);
  CHECK(sb.victim_untouched());
  CHECK(sb.no_layers_left());
}

struct stat lstat_of(const stdfs::path& p) {
  struct stat st {};
  REQUIRE(::lstat(p.c_str(), &st) == 0);
  return st;
}

}  // namespace

TEST_CASE("extract: files, folders, links, devices keep type, mode, owner, xattrs and times") {
  Sandbox sb;
  auto suid = file("bin/tool", "#!/bin/sh\n", 04755);
  suid.uid = 1000;
  suid.gid = 2000;
  suid.xattrs["user.note"] = "kept";
  auto fifo = entry("run/fifo", AE_IFIFO, 0600);
  auto null = entry("dev/null", AE_IFCHR, 0666);
  null.rdev_major = 1;
  null.rdev_minor = 3;
  auto layer = sb.add(make_tar({dir("bin"), suid, symlink_entry("bin/sh", "tool"), hardlink_entry("bin/tool2", "bin/tool"), dir("run", 01777),
                                fifo, dir("dev"), null, dir("empty", 0700)}));
  auto d = sb.store.layer_dir(layer.chain_id);
  auto st = lstat_of(d / "bin/tool");
  CHECK(S_ISREG(st.st_mode));
  CHECK((st.st_mode & 07777) == 04755);
  CHECK(st.st_uid == 1000);
  CHECK(st.st_gid == 2000);
  CHECK(st.st_mtime == 1700000000);
  char buf[16] = {};
  CHECK(::getxattr((d / "bin/tool").c_str(), "user.note", buf, sizeof buf) == 4);
  CHECK(std::string(buf) == "kept");
  CHECK(stdfs::read_symlink(d / "bin/sh") == "tool");
  CHECK(lstat_of(d / "bin/tool2").st_ino == st.st_ino);
  CHECK(S_ISFIFO(lstat_of(d / "run/fifo").st_mode));
  CHECK((lstat_of(d / "run").st_mode & 07777) == 01777);
  CHECK(lstat_of(d / "run").st_mtime == 1700000000);  // set after its children were made
  auto nst = lstat_of(d / "dev/null");
  CHECK(S_ISCHR(nst.st_mode));
  CHECK(nst.st_rdev == makedev(1, 3));
  CHECK((lstat_of(d / "empty").st_mode & 07777) == 0700);
  CHECK(layer.size == static_cast<std::int64_t>(std::string("#!/bin/sh\n").size()));
}

TEST_CASE("extract: Docker whiteouts become overlay whiteouts") {
  Sandbox sb;
  auto layer = sb.add(make_tar({dir("etc"), file("etc/.wh.passwd", ""), dir("var"), file("var/.wh..wh..opq", ""),
                                file("var/new", "n"), file(".wh.gone", "")}));
  auto d = sb.store.layer_dir(layer.chain_id);
  auto st = lstat_of(d / "etc/passwd");
  CHECK(S_ISCHR(st.st_mode));
  CHECK(st.st_rdev == makedev(0, 0));
  CHECK(S_ISCHR(lstat_of(d / "gone").st_mode));
  char v[4] = {};
  CHECK(::getxattr((d / "var").c_str(), "trusted.overlay.opaque", v, sizeof v) == 1);
  CHECK(v[0] == 'y');
  CHECK_FALSE(stdfs::exists(d / "etc/.wh.passwd"));
  CHECK_FALSE(stdfs::exists(d / "var/.wh..wh..opq"));
  CHECK(stdfs::exists(d / "var/new"));
}

TEST_CASE("extract: names with .. are refused naming the entry (moby TestUntarInvalidFilenames)") {
  expect_refused({file("../victim/dotdot", "x")}, "layer test: entry \"../victim/dotdot\": path leads outside the layer");
  expect_refused({dir("a"), file("a/../../victim/x", "x")},
                 "layer test: entry \"a/../../victim/x\": path leads outside the layer");
}

TEST_CASE("extract: absolute names are refused naming the entry") {
  expect_refused({file("/etc/x", "y")}, "layer test: entry \"/etc/x\": absolute path in a layer");
  expect_refused({file("/../victim/slash-dotdot", "x")},
                 "layer test: entry \"/../victim/slash-dotdot\": absolute path in a layer");
}

TEST_CASE("extract: hardlinks leading outside are refused (moby TestUntarInvalidHardlink)") {
  expect_refused({hardlink_entry("dotdot", "../victim/hello")},
                 "layer test: entry \"dotdot\": hardlink to \"../victim/hello\" leads outside the layer");
  expect_refused({hardlink_entry("slash-dotdot", "/../victim/hello")},
                 "layer test: entry \"slash-dotdot\": hardlink to \"/../victim/hello\" leads outside the layer");
  const std::string loophole = "layer test: entry \"loophole-victim\": hardlink to \"../victim\" leads outside the layer";
  expect_refused({hardlink_entry("loophole-victim", "../victim"), file("loophole-victim/file", "x")}, loophole);
  expect_refused({hardlink_entry("loophole-victim", "../victim"), symlink_entry("symlink", "loophole-victim/hello")}, loophole);
  expect_refused({hardlink_entry("loophole-victim", "../victim"), hardlink_entry("hardlink", "loophole-victim/hello")}, loophole);
  expect_refused({hardlink_entry("loophole-victim", "../victim"), file("loophole-victim", "x")}, loophole);
}

TEST_CASE("extract: symlinks leading outside are refused (moby TestUntarInvalidSymlink)") {
  expect_refused({symlink_entry("dotdot", "../victim/hello")},
                 "layer test: entry \"dotdot\": symlink to \"../victim/hello\" leads outside the layer");
  expect_refused({symlink_entry("slash-dotdot", "/../victim/hello")},
                 "layer test: entry \"slash-dotdot\": symlink to \"/../victim/hello\" leads outside the layer");
  const std::string loophole = "layer test: entry \"loophole-victim\": symlink to \"../victim\" leads outside the layer";
  expect_refused({symlink_entry("loophole-victim", "../victim"), file("loophole-victim/file", "x")}, loophole);
  expect_refused({symlink_entry("loophole-victim", "../victim"), symlink_entry("symlink", "loophole-victim/hello")}, loophole);
  expect_refused({symlink_entry("loophole-victim", "../victim"), hardlink_entry("hardlink", "loophole-victim/hello")}, loophole);
  expect_refused({symlink_entry("loophole-victim", "../victim"), file("loophole-victim", "x")}, loophole);
  expect_refused({symlink_entry("dir/loophole", "../../victim"), file("dir/loophole/newdir/newfile", "x")},
                 "layer test: entry \"dir/loophole\": symlink to \"../../victim\" leads outside the layer");
}

TEST_CASE("extract: a symlink chain that only escapes once resolved is refused at its real place") {
  // x/a -> . ; x/a/b -> . (really x/b) ; x/a/b/c -> ../.. (really x/c, pointing above the root).
  expect_refused({dir("x"), symlink_entry("x/a", "."), symlink_entry("x/a/b", "."), symlink_entry("x/a/b/c", "../.."),
                  file("x/c/victim/pwned", "x")},
                 "layer test: entry \"x/a/b/c\": symlink to \"../..\" leads outside the layer");
}

TEST_CASE("extract: writing through an absolute symlink stays inside the layer") {
  Sandbox sb;
  const std::string host_name = "mycompose-extract-test-" + std::to_string(::getpid());
  auto layer = sb.add(make_tar({symlink_entry("escape", "/"), file("escape/etc/x", "inside"), dir("etc"),
                                symlink_entry("e", "/etc"), file("e/" + host_name, "inside too")}));
  auto d = sb.store.layer_dir(layer.chain_id);
  CHECK(mycompose::fs::read_file(d / "etc/x") == "inside");
  CHECK(mycompose::fs::read_file(d / "etc" / host_name) == "inside too");
  CHECK_FALSE(stdfs::exists("/etc/" + host_name));
  // A link to a host folder that does not exist in the layer cannot be written through.
  auto victim_abs = sb.victim.string();
  CHECK_THROWS_WITH(sb.extract_direct(make_tar({symlink_entry("v", victim_abs), file("v/hello", "pwned")})),
                    "layer test: entry \"v/hello\": open folder \"v\": No such file or directory");
  CHECK(sb.victim_untouched());
}

TEST_CASE("extract: a hardlink to a symlink links the symlink (moby TestUntarHardlinkToSymlink)") {
  Sandbox sb;
  auto layer = sb.add(make_tar({symlink_entry("symlink1", "regfile"), hardlink_entry("symlink2", "symlink1"), file("regfile", "r")}));
  auto d = sb.store.layer_dir(layer.chain_id);
  CHECK(stdfs::read_symlink(d / "symlink2") == "regfile");
  CHECK(sb.victim_untouched());
}

TEST_CASE("extract: a truncated gzip layer fails naming the layer and leaves nothing") {
  Sandbox sb;
  std::string big(1 << 20, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>((i * 7919) >> 3);
  auto tgz = make_tar({file("big", big)}, "gzip");
  CHECK_THROWS_WITH(sb.add(tgz.substr(0, tgz.size() / 2)), Catch::StartsWith("layer test: "));
  CHECK(sb.no_layers_left());
}

TEST_CASE("extract: something that is not a tar is refused") {
  Sandbox sb;
  CHECK_THROWS_WITH(sb.add("this is not a tar archive at all, just text, long enough to be sniffed............"),
                    Catch::StartsWith("layer test: "));
  CHECK(sb.no_layers_left());
}
