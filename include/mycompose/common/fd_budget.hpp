#pragma once
// Descriptors are one pool for the whole engine: API connections, DNS clients, published
// port connections and the engine's own work (state files, netlink, container starts). A
// listener asks before it takes more, so a flood of connections is refused while a reserve
// is still free, instead of every command failing with EMFILE.
//
// Numbers matter too: below FD_SETSIZE is the engine's. libnftables select()s on its netlink
// socket and aborts the process ("bit out of range 0 - FD_SETSIZE on fd_set") when that
// socket's number is FD_SETSIZE or more, and the kernel hands out the lowest free number:
// 1,024 client connections in the low range made the next nft transaction kill the engine.
// So connections from outside (published ports) are moved above FD_SETSIZE when the limit
// allows.
#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>

namespace mycompose::fd_budget {

// Kept free for the engine's own work (capped at a quarter of a small limit).
inline constexpr rlim_t kReserve = 256;

// True when `want` more descriptors fit under RLIMIT_NOFILE with the reserve still free.
// The kernel hands out the lowest free number, so the number a new descriptor gets is the
// count in use (give or take holes, which are filled first): three syscalls, no /proc walk.
inline bool may_open(rlim_t want = 1, rlim_t reserve = kReserve) {
  rlimit r{};
  if (::getrlimit(RLIMIT_NOFILE, &r) != 0 || r.rlim_cur == RLIM_INFINITY) return true;
  const int probe = ::eventfd(0, EFD_CLOEXEC);
  if (probe < 0) return false;
  ::close(probe);
  return static_cast<rlim_t>(probe) + want + std::min(reserve, r.rlim_cur / 4) <= r.rlim_cur;
}

// A socket for a connection from outside: moved to a number >= FD_SETSIZE when
// RLIMIT_NOFILE leaves room there (the original is closed). Returns the descriptor to use,
// or -1 (closed) when the high range is full. With a limit of FD_SETSIZE or less every
// number is select()-safe and `fd` is kept as is (may_open guards the reserve there).
inline int for_connection(int fd) {
  rlimit r{};
  if (fd < 0 || fd >= FD_SETSIZE || ::getrlimit(RLIMIT_NOFILE, &r) != 0) return fd;
  if (r.rlim_cur != RLIM_INFINITY && r.rlim_cur <= static_cast<rlim_t>(FD_SETSIZE)) return fd;
  const int high = ::fcntl(fd, F_DUPFD_CLOEXEC, FD_SETSIZE);
  ::close(fd);
  return high;
}

}  // namespace mycompose::fd_budget
