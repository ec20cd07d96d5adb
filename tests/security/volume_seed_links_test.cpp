// Class: seeding a volume follows a link a container put there (issue 14, escape 3,
// "volume seeding"). When a container is created with an empty volume, the engine copies the
// image's files at the target into it, as root, while other containers may already have the
// volume: service a swaps a file the engine is still copying for a symlink to a host file.
// The engine then set the file's mode through the name (fchmodat follows links) and changed
// the host file. Every step must act on the object just created (fchmod on its fd), and the
// image's own links and FIFOs are copied as what they are, never followed, never opened.
#include <sys/stat.h>

#include <fstream>

#include "mount_bait.hpp"

using namespace mount_attack;

namespace {

// An image with busybox and, at /seed, a large file (so a can swap it while it is copied),
// a FIFO and two links out of the root. Imported as seedimg:test.
void import_seed_image(const Project& p) {
  const stdfs::path rootfs = p.r.dir / "seed-rootfs";
  stdfs::create_directories(rootfs / "bin");
  stdfs::copy_file("/bin/busybox", rootfs / "bin/busybox");
  for (const char* applet : {"sh", "sleep"}) stdfs::create_symlink("busybox", rootfs / "bin" / applet);
  stdfs::create_directories(rootfs / "seed");
  {
    std::ofstream big(rootfs / "seed/big", std::ios::binary);
    const std::string mib(1 << 20, 'x');
    for (int i = 0; i < 64; ++i) big << mib;
  }
  stdfs::permissions(rootfs / "seed/big", stdfs::perms(0751));
  REQUIRE(::mkfifo((rootfs / "seed/fifo").c_str(), 0644) == 0);
  stdfs::create_symlink("/", rootfs / "seed/root");
  stdfs::create_symlink("../bin", rootfs / "seed/up");
  const stdfs::path tar = p.r.dir / "seed.tar";
  auto t = mycompose::test::run({"tar", "--owner=0", "--group=0", "-C", rootfs.string(), "-cf", tar.string(), "."});
  REQUIRE(t.exit_code == 0);
  p.ok({"image", "import", tar.string(), "seedimg:test"});
  stdfs::remove(tar);
}

}  // namespace

TEST_CASE("security: seeding a volume never follows a link swapped in by a container, nor the image's own") {
  Project p("");
  import_seed_image(p);
  const stdfs::path bait = p.r.dir / "bait-file";
  mycompose::fs::write_file_atomic(bait, "host\n", 0600);
  ::chmod(bait.c_str(), 0600);
  // a waits for the engine to create `big` in the shared volume, then replaces it with a link.
  write_compose(
      p,
      "services:\n"
      "  a:\n"
      "    image: busybox:test\n"
      "    command: [sh, -c, \"while [ ! -e /v/big ]; do busybox usleep 1000; done; busybox ln -sf '" + bait.string() +
          "' /v/big; echo swapped > /out/a; exec sleep 1000\"]\n"
      "    volumes: [\"data:/v\", \"@OUT@:/out\"]\n"
      "  b:\n"
      "    image: seedimg:test\n"
      "    command: [sleep, \"1000\"]\n"
      "    volumes: [\"data:/seed\"]\n"
      "volumes:\n"
      "  data: {}\n");
  p.ok({"up", "-d", "a"});
  auto r = p.run({"up", "-d", "b"});  // returns: a FIFO in the image does not hang the engine
  INFO("up b: exit " << r.exit_code << "\n" << r.err);
  CHECK(wait_for_file(p.out / "a") == "swapped\n");

  struct stat st{};
  REQUIRE(::stat(bait.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0600);
  CHECK(mycompose::fs::read_file(bait) == "host\n");
  if (r.exit_code == 0) {
    // The image's FIFO and links were copied as themselves.
    CHECK(p.ok({"exec", "-T", "b", "busybox", "stat", "-c", "%F", "/seed/fifo"}) == "fifo\n");
    CHECK(p.ok({"exec", "-T", "b", "sh", "-c", "busybox readlink /seed/root; busybox readlink /seed/up"}) == "/\n../bin\n");
  }
}
