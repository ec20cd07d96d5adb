#include "cloned_binary.hpp"

#include <elf.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <string>

#include "mycompose/common/error.hpp"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

namespace mycompose::runtime {
namespace {

// Bytes of the ELF file the kernel and ld.so need: up to the end of the last loadable
// segment. Debug sections (most of a RelWithDebInfo binary) follow it and are not copied,
// which makes the copy several times cheaper.
off_t loadable_size(int fd, off_t file_size, bool* trimmed) {
  *trimmed = false;
  Elf64_Ehdr eh;
  if (::pread(fd, &eh, sizeof eh, 0) != sizeof eh || std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
      eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_phentsize != sizeof(Elf64_Phdr))
    return file_size;
  off_t end = static_cast<off_t>(eh.e_phoff + eh.e_phnum * sizeof(Elf64_Phdr));
  for (int i = 0; i < eh.e_phnum; ++i) {
    Elf64_Phdr ph;
    if (::pread(fd, &ph, sizeof ph, static_cast<off_t>(eh.e_phoff + i * sizeof ph)) != sizeof ph) return file_size;
    end = std::max(end, static_cast<off_t>(ph.p_offset + ph.p_filesz));
  }
  if (end >= file_size) return file_size;
  *trimmed = true;
  return end;
}

// The small init program installed beside our binary (engine/runtime_init), if there is one:
// it starts in ~1 ms where a re-exec of this binary, with all its libraries, takes ~6 ms.
std::string& init_program_override() {
  static std::string path;
  return path;
}

std::string init_program_path() {
  std::string path = init_program_override();
  if (path.empty()) {
    char self[4096];
    ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) return "mycompose-init";
    path.assign(self, static_cast<std::size_t>(n));
    path = path.substr(0, path.rfind('/') + 1) + "mycompose-init";
  }
  return path;
}

UniqueFd open_init_program() {
  const std::string path = init_program_path();
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  struct stat st;
  if (fd && (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode))) fd.reset();
  return fd;
}

}  // namespace

void set_init_program(const std::string& path) { init_program_override() = path; }

namespace {

UniqueFd sealed_copy_of(int self, const struct stat& st) {
  UniqueFd mem(::memfd_create("mycompose-init", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC));
  if (!mem && errno == EINVAL) mem.reset(::memfd_create("mycompose-init", MFD_CLOEXEC | MFD_ALLOW_SEALING));
  if (!mem) throw SystemError("memfd_create for the init binary", errno);
  bool trimmed = false;
  off_t left = loadable_size(self, st.st_size, &trimmed);
  while (left > 0) {
    ssize_t n = ::sendfile(mem.get(), self, nullptr, static_cast<size_t>(left));
    if (n < 0 && errno == EINTR) continue;
    check_syscall(n, "copy the init program into a memfd");
    if (n == 0) throw Error("copy the init program into a memfd: unexpected end of file");
    left -= n;
  }
  if (trimmed) {
    // The section headers were not copied: say so in the header instead of pointing past the end.
    Elf64_Ehdr eh;
    check_syscall(::pread(mem.get(), &eh, sizeof eh, 0), "read the init memfd");
    eh.e_shoff = 0;
    eh.e_shnum = 0;
    eh.e_shstrndx = SHN_UNDEF;
    check_syscall(::pwrite(mem.get(), &eh, sizeof eh, 0), "write the init memfd");
  }
  check_syscall(::fcntl(mem.get(), F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE),
                "seal the init memfd");
  return mem;
}

}  // namespace

// Sealed, the copy can be written by no one, so every container of this process may exec
// the same one (one copy per engine instead of one per container start). It is made again
// when the program on disk changes (an upgrade while the engine runs).
UniqueFd sealed_self_copy() {
  // No fallback to our own (dynamically linked) binary: as PID 1 it would keep the host's
  // libraries mapped in every container for its whole life (reachable through
  // /proc/1/map_files with cap_add).
  UniqueFd self = open_init_program();
  if (!self)
    throw Error("the container init program mycompose-init is missing beside this program (" + init_program_path() +
                "): install the four mycompose programs together (cmake --install)");
  struct stat st;
  check_syscall(::fstat(self.get(), &st), "stat " + init_program_path());
  static std::mutex m;
  static UniqueFd cached;
  static struct stat cached_st {};
  std::lock_guard<std::mutex> l(m);
  const bool same = cached && cached_st.st_dev == st.st_dev && cached_st.st_ino == st.st_ino &&
                    cached_st.st_size == st.st_size && cached_st.st_mtim.tv_sec == st.st_mtim.tv_sec &&
                    cached_st.st_mtim.tv_nsec == st.st_mtim.tv_nsec;
  if (!same) {
    cached = sealed_copy_of(self.get(), st);
    cached_st = st;
  }
  UniqueFd out(::fcntl(cached.get(), F_DUPFD_CLOEXEC, 0));
  if (!out) throw SystemError("dup the init memfd", errno);
  return out;
}

}  // namespace mycompose::runtime
