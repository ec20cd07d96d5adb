// A FIFO where a container's file should be (seen on 4e3e14c): an image whose /etc/passwd is a
// FIFO plus `user: nobody` made `up` wait forever for a writer while holding its project's
// lock; four such projects took all the engine's workers and `ps` of every other project hung.
// `exec -u` read the same file. Files from images and containers are refused unless regular,
// naming the file; `cp` copies a FIFO as a FIFO and never opens it.
#include <sys/stat.h>
#include <sys/wait.h>

#include "cli_project_fixture.hpp"

using namespace cli_project;

namespace {

// An image whose /etc/passwd and /etc/group are FIFOs (and busybox, so it could run).
void import_fifo_image(const Project& p, const std::string& ref) {
  auto rootfs = p.r.dir / "fifo-rootfs";
  stdfs::create_directories(rootfs / "bin");
  stdfs::create_directories(rootfs / "etc");
  stdfs::copy_file("/bin/busybox", rootfs / "bin/busybox", stdfs::copy_options::overwrite_existing);
  for (const char* f : {"etc/passwd", "etc/group"}) REQUIRE(::mkfifo((rootfs / f).c_str(), 0644) == 0);
  auto tar = p.r.dir / "fifo-rootfs.tar";
  auto t = mycompose::test::run({"tar", "--owner=0", "--group=0", "-C", rootfs.string(), "-cf", tar.string(), "."});
  REQUIRE(t.exit_code == 0);
  p.ok({"image", "import", tar.string(), ref});
}

// Waits for a background command at most `seconds` (a hang guard), killing it after that.
int wait_bounded(Background& b, int seconds) {
  for (int i = 0; i < seconds * 20 && b.running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  if (b.running()) {
    b.stop();
    return -1;
  }
  return b.exit_code;
}

}  // namespace

TEST_CASE("image fifo: up of an image whose /etc/passwd is a FIFO fails naming it, and other projects answer meanwhile") {
  Project p(R"(services:
  app:
    image: fifo:1
    user: nobody
    command: ["/bin/busybox", "true"]
)");
  import_fifo_image(p, "fifo:1");
  // As many projects as the engine has workers, all at once.
  std::vector<std::unique_ptr<Background>> ups;
  for (int i = 1; i <= 4; ++i)
    ups.push_back(std::make_unique<Background>(p, std::vector<std::string>{"-p", "fifo" + std::to_string(i), "up", "-d"}, "up" + std::to_string(i)));
  auto ps = p.run({"-p", "other", "ps"});
  CHECK_FALSE(ps.timed_out);
  CHECK(ps.exit_code == 0);
  for (auto& up : ups) {
    int code = wait_bounded(*up, 60);
    INFO(up->err());
    CHECK(code == 1);
    CHECK(up->err().find("/etc/passwd in the image (") != std::string::npos);
    CHECK(up->err().find(") is a FIFO, not a regular file") != std::string::npos);
  }
  for (int i = 1; i <= 4; ++i) p.run({"-p", "fifo" + std::to_string(i), "down", "-v", "-t", "0"});
}

TEST_CASE("image fifo: exec -u of a container whose /etc/passwd became a FIFO fails naming it") {
  Project p(R"(services:
  web:
    image: busybox:test
    command: ["/bin/busybox", "sh", "-c", "/bin/busybox mkfifo /etc/passwd /fifo && exec sleep 1000"]
)");
  p.ok({"up", "-d"});
  bool ready = false;
  for (int i = 0; i < 200 && !ready; ++i) {
    ready = p.run({"exec", "-T", "web", "/bin/busybox", "test", "-p", "/fifo"}).exit_code == 0;
    if (!ready) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE(ready);
  auto r = p.run({"exec", "-T", "-u", "nobody", "web", "/bin/busybox", "id"});
  INFO(r.err);
  CHECK_FALSE(r.timed_out);
  CHECK(r.exit_code != 0);
  CHECK(r.err.find("/etc/passwd in the container is a FIFO, not a regular file") != std::string::npos);
  // Without -u the file is not needed: the process runs.
  CHECK(p.ok({"exec", "-T", "web", "/bin/busybox", "echo", "ok"}) == "ok\n");

  // cp of the FIFO: a FIFO on the host, never opened (no writer would ever come).
  auto copied = p.out / "fifo-copy";
  auto cp = p.run({"cp", "web:/fifo", copied.string()});
  INFO(cp.err);
  CHECK_FALSE(cp.timed_out);
  CHECK(cp.exit_code == 0);
  struct stat st {};
  CHECK(::lstat(copied.c_str(), &st) == 0);
  CHECK(S_ISFIFO(st.st_mode));
  auto tar = p.run({"cp", "web:/fifo", "-"});
  CHECK_FALSE(tar.timed_out);
  CHECK(tar.exit_code == 0);
}
