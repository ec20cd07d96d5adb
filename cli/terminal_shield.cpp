#include "terminal_shield.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "mycompose/common/error.hpp"

namespace mycompose::cli {
namespace {

void copy_until_end(int from, int to) {
  char buf[16384];
  for (;;) {
    ssize_t n = ::read(from, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    for (ssize_t off = 0; off < n;) {
      ssize_t w = ::write(to, buf + off, static_cast<size_t>(n - off));
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) return;
      off += w;
    }
  }
}

}  // namespace

TerminalShield::TerminalShield() {
  for (int fd = 0; fd < 3; ++fd) {
    if (!::isatty(fd)) continue;
    int p[2];
    check_syscall(::pipe2(p, O_CLOEXEC), "pipe for the exec'd process's stdio");
    UniqueFd read_end(p[0]), write_end(p[1]);
    saved_[fd].reset(::fcntl(fd, F_DUPFD_CLOEXEC, 3));
    if (!saved_[fd]) throw SystemError("dup the terminal", errno);
    const int theirs = fd == 0 ? read_end.get() : write_end.get();
    check_syscall(::dup2(theirs, fd), "dup2 a pipe over the terminal");  // dup2 clears CLOEXEC on fd
    if (fd == 0) {
      // Detached: it may sit in a read of the terminal until our process ends.
      std::thread([term = saved_[0].get(), out = write_end.release()] {
        copy_until_end(term, out);
        ::close(out);
      }).detach();
    } else {
      outputs_.emplace_back([in = read_end.release(), term = saved_[fd].get()] {
        copy_until_end(in, term);
        ::close(in);
      });
    }
  }
}

TerminalShield::~TerminalShield() {
  // Our copies of the write ends go with the dup2s, so the output pipes end once the
  // process (and whatever it left running with them) has closed its own.
  for (int fd = 0; fd < 3; ++fd)
    if (saved_[fd]) ::dup2(saved_[fd].get(), fd);
  for (auto& t : outputs_) t.join();
  saved_[0].release();  // the stdin copier may still read it
}

}  // namespace mycompose::cli
