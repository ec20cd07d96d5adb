// A container's "/" is 0755 owned by root, as Docker's: overlayfs takes the root's mode from the
// container's upper folder, which was made 0700, so every process that drops root (`user:`,
// `su mysql` in samples/webapp-mysql, nginx workers) got "Permission denied" on any path.
#include <fcntl.h>

#include <algorithm>

#include "store_fixture.hpp"

using namespace store_test;

namespace {

// Everything the container writes to its stdout FIFO until `lines` lines arrived (up to 10 s;
// O_RDWR never waits for a writer, O_NONBLOCK never waits for data).
std::string stdout_lines(const stdfs::path& fifo, int lines) {
  int fd = ::open(fifo.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return "open failed";
  std::string out;
  char buf[4096];
  for (int i = 0; i < 1000 && std::count(out.begin(), out.end(), '\n') < lines; ++i) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) out.append(buf, static_cast<std::size_t>(n));
    else std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::close(fd);
  return out;
}

}  // namespace

TEST_CASE("container rootfs: / is 0755 root, so a user: service can run and read the image") {
  Root r;
  ContainerStore store(r.root());
  auto rec = store.create(request(R"(services:
  web:
    image: busybox:test
    user: "1000:1000"
    command: ["sh", "-c", "busybox stat -c '%a %u:%g' /; busybox id -u; cat /www/index.html; exec sleep 1000"]
)"));
  store.start(rec.id);
  CHECK(stdout_lines(r.root() / "containers" / rec.id / "stdout", 3) == "755 0:0\n1000\npong\n");
  store.remove(rec.id, true);
}
