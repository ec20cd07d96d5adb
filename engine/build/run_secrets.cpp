#include "run_secrets.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>

#include "mycompose/common/error.hpp"
#include "mycompose/common/fs.hpp"
#include "mycompose/common/untrusted_file.hpp"
#include "ssh_forward.hpp"

namespace mycompose::build {
namespace stdfs = std::filesystem;

namespace {

std::string option(const MountOptions& o, std::initializer_list<const char*> names) {
  for (const char* n : names)
    if (auto it = o.find(n); it != o.end()) return it->second;
  return "";
}

bool flag(const MountOptions& o, const char* name) {
  auto it = o.find(name);
  if (it == o.end()) return false;
  if (it->second == "true" || it->second == "1") return true;
  if (it->second == "false" || it->second == "0") return false;
  throw Error(std::string(name) + "=" + it->second + ": expected true or false");
}

unsigned number(const MountOptions& o, const char* name, unsigned fallback, int base) {
  auto it = o.find(name);
  if (it == o.end()) return fallback;
  try {
    std::size_t used = 0;
    auto v = std::stoul(it->second, &used, base);
    if (used == it->second.size() && v <= 0xFFFFFFFEu && (base != 8 || v <= 07777)) return static_cast<unsigned>(v);
  } catch (const std::exception&) {
  }
  throw Error(std::string(name) + "=" + it->second + ": expected " + (base == 8 ? "an octal mode such as 0400" : "a number"));
}

void owner_and_mode(const MountOptions& o, RunMount& m, unsigned default_mode) {
  m.mode = number(o, "mode", default_mode, 8);
  m.uid = number(o, "uid", 0, 10);
  m.gid = number(o, "gid", 0, 10);
  m.readonly = true;
}

std::optional<std::string> secret_value(const std::string& id, const BuildRequest& req) {
  auto it = req.secrets.find(id);
  if (it == req.secrets.end()) return std::nullopt;
  const auto& src = it->second;
  if (src.value) {
    if (src.value->size() > kMaxSecretBytes) throw Error("secret " + id + ": larger than 500 KiB");
    return src.value;
  }
  if (!src.env.empty()) {
    const char* v = std::getenv(src.env.c_str());
    if (!v) return std::nullopt;
    if (std::strlen(v) > kMaxSecretBytes) throw Error("secret " + id + ": larger than 500 KiB");
    return std::string(v);
  }
  if (src.file.empty()) return std::nullopt;  // an unset project variable
  // The user named the file; it may still be a FIFO or a device, which must not stall us.
  auto v = fs::read_untrusted_if_exists(AT_FDCWD, src.file, "secret " + id + " (" + src.file + ")", kMaxSecretBytes,
                                        {.in_root = false});
  if (!v) throw Error("secret " + id + ": file " + src.file + " does not exist");
  return v;
}

}  // namespace

std::optional<RunMount> secret_mount(const MountOptions& o, const BuildRequest& req, std::vector<std::string>& env) {
  std::string target = option(o, {"target", "dst", "destination"});
  std::string id = option(o, {"id"});
  const std::string env_name = option(o, {"env"});
  if (id.empty()) id = stdfs::path(target).filename().string();
  if (id.empty()) throw Error("secret mount needs an id or a target");
  if (target.empty() && env_name.empty()) target = "/run/secrets/" + id;
  RunMount m;
  owner_and_mode(o, m, 0400);  // checked even when the secret is not there
  const bool required = flag(o, "required");
  auto value = secret_value(id, req);
  if (!value) {
    if (required) throw Error("secret " + id + ": not found (give it with build.secrets or --secret id=" + id + ",src=FILE)");
    return std::nullopt;
  }
  if (!env_name.empty()) env.push_back(env_name + "=" + *value);
  if (target.empty()) return m;  // env only: nothing to mount
  m.target = target;
  m.secret = std::move(*value);
  return m;
}

std::optional<RunMount> ssh_mount(const MountOptions& o, const BuildRequest& req, int index, std::vector<std::string>& env) {
  std::string id = option(o, {"id"});
  if (id.empty()) id = "default";
  RunMount m;
  owner_and_mode(o, m, 0600);
  const bool required = flag(o, "required");
  auto it = req.ssh.find(id);
  if (it == req.ssh.end()) {
    if (required) throw Error("ssh " + id + ": not forwarded (give it with build.ssh or --ssh " + id + ")");
    return std::nullopt;
  }
  m.target = option(o, {"target", "dst", "destination"});
  if (m.target.empty()) m.target = "/run/buildkit/ssh_agent." + std::to_string(index);
  std::vector<std::string> sources = it->second;
  if (sources.empty()) {
    const char* sock = std::getenv("SSH_AUTH_SOCK");
    if (!sock || !*sock) throw Error("ssh " + id + ": invalid empty ssh agent socket: make sure SSH_AUTH_SOCK is set");
    sources.push_back(sock);
  }
  m.ssh = sources;
  bool have_sock = false;
  for (const auto& e : env) have_sock |= e.rfind("SSH_AUTH_SOCK=", 0) == 0;
  if (!have_sock) env.push_back("SSH_AUTH_SOCK=" + m.target);
  return m;
}

StepPrivateFiles::StepPrivateFiles(const stdfs::path& dir, std::vector<RunMount>& mounts) {
  bool any = false;
  for (const auto& m : mounts) any |= m.secret || m.ssh;
  if (!any) return;
  fs::make_dirs(dir, 0700);
  // Bounded: a few secrets of at most 500 KiB each, and sockets.
  if (::mount("tmpfs", dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0700,size=16m") != 0)
    throw SystemError("mount a tmpfs for the step's secrets at " + dir.string(), errno);
  int n = 0;
  for (auto& m : mounts) {
    if (m.secret) {
      auto file = dir / ("secret-" + std::to_string(n++));
      UniqueFd fd(::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
      if (!fd) throw SystemError("create " + file.string(), errno);
      const std::string& v = *m.secret;
      if (::write(fd.get(), v.data(), v.size()) != static_cast<ssize_t>(v.size())) throw SystemError("write " + file.string(), errno);
      if (::fchown(fd.get(), m.uid, m.gid) != 0 || ::fchmod(fd.get(), m.mode) != 0) throw SystemError("chown " + file.string(), errno);
      m.source = file.string();
    } else if (m.ssh) {
      // One upstream agent per mount: a socket path as is, key files served by an agent of our own.
      std::string upstream;
      std::vector<std::string> keys;
      for (const auto& s : *m.ssh) {
        struct stat st {};
        if (::stat(s.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) upstream = s;
        else keys.push_back(s);
      }
      if (!keys.empty() && !upstream.empty()) throw Error("ssh: give either an agent socket or key files for one id, not both");
      if (!keys.empty()) {
        auto agent_sock = dir / ("keys-" + std::to_string(n));
        children_.push_back(start_key_agent(agent_sock, keys));
        upstream = agent_sock.string();
      }
      auto sock = dir / ("ssh-" + std::to_string(n++));
      children_.push_back(start_agent_forward(sock, upstream, m.mode, m.uid, m.gid));
      m.source = sock.string();
    }
  }
}

StepPrivateFiles::~StepPrivateFiles() {
  for (pid_t p : children_) {
    ::kill(p, SIGKILL);
    while (::waitpid(p, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
}

}  // namespace mycompose::build
