#include "container_hosts.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <sstream>

#include "mycompose/common/error.hpp"
#include "mycompose/common/unique_fd.hpp"
#include <sys/stat.h>

namespace mycompose::scheduler {

namespace {
constexpr std::size_t kMaxHosts = 1 << 20;  // the container may have grown it

// "<addr>\t<hostname> <name>": the own line, whatever address it has now.
bool own_line(const std::string& line, const std::string& name) {
  const auto tab = line.find('\t');
  if (tab == std::string::npos) return false;
  const std::string names = line.substr(tab + 1);
  return names.size() > name.size() && names.compare(names.size() - name.size() - 1, std::string::npos, " " + name) == 0;
}
}  // namespace

void set_own_address(const std::filesystem::path& container_dir, const std::string& name, const std::string& address) {
  const auto path = container_dir / "hosts";
  // The container can write its /etc/hosts: it is read as untrusted content, never followed.
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (!fd) return;
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) || static_cast<std::size_t>(st.st_size) > kMaxHosts) return;
  std::string text(static_cast<std::size_t>(st.st_size), '\0');
  if (::pread(fd.get(), text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) return;
  std::istringstream in(text);
  std::string out;
  bool changed = false;
  for (std::string line; std::getline(in, line);) {
    if (!changed && own_line(line, name)) {
      line = address + line.substr(line.find('\t'));
      changed = true;
    }
    out += line + "\n";
  }
  if (!changed) return;
  check_syscall(::ftruncate(fd.get(), 0), "truncate " + path.string());
  for (std::size_t off = 0; off < out.size();) {
    const ssize_t n = ::pwrite(fd.get(), out.data() + off, out.size() - off, static_cast<off_t>(off));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw SystemError("write " + path.string(), errno);
    off += static_cast<std::size_t>(n);
  }
}

}  // namespace mycompose::scheduler
