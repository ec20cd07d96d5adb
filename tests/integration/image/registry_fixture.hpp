#pragma once
// Test fixtures for the registry client: a real registry (Debian's docker-registry,
// distribution 2.8) on 127.0.0.1 with a temporary storage folder, the mycompose binary run
// with its own MYCOMPOSE_ROOT / DOCKER_CONFIG, and a busybox image made from
// /bin/busybox (busybox-static). Every guard removes what it made, even on failure.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>

#include "../../support/free_port.hpp"
#include "mycompose/common/fs.hpp"
#include "mycompose/common/sha256.hpp"
#include "mycompose/image/store.hpp"

namespace registry_test {

namespace stdfs = std::filesystem;

struct TempDir {
  stdfs::path path;
  explicit TempDir(const char* prefix = "registry-test") {
    std::string tmpl = (stdfs::temp_directory_path() / (std::string(prefix) + "-XXXXXX")).string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    stdfs::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

using mycompose::test::free_port;

struct RunResult {
  int rc = -1;  // exit status, or 128+signal
  std::string out, err;
};

// Runs argv with extra environment, stdin from `input`; captures stdout/stderr.
inline RunResult run(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env = {},
                     const std::string& input = "") {
  TempDir io("registry-io");
  auto out_path = io.path / "out", err_path = io.path / "err", in_path = io.path / "in";
  mycompose::fs::write_file_atomic(in_path, input);
  pid_t pid = ::fork();
  if (pid == 0) {
    for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
    int in = ::open(in_path.c_str(), O_RDONLY);
    int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  RunResult r;
  r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  std::error_code ec;
  if (stdfs::exists(out_path, ec)) r.out = mycompose::fs::read_file(out_path);
  if (stdfs::exists(err_path, ec)) r.err = mycompose::fs::read_file(err_path);
  return r;
}

inline std::string mycompose_bin() {
  const char* b = std::getenv("MYCOMPOSE_BIN");
  return b ? b : "mycompose";
}

// A docker-registry process on 127.0.0.1:<free port>, optionally behind htpasswd auth.
class Registry {
 public:
  explicit Registry(const std::string& user = "", const std::string& password = "") : dir_("registry-srv") {
    port_ = free_port();
    std::string auth;
    if (!user.empty()) {
      auto r = run({"htpasswd", "-Bbn", user, password});
      if (r.rc != 0) throw std::runtime_error("htpasswd failed: " + r.err);
      mycompose::fs::write_file_atomic(dir_.path / "htpasswd", r.out);
      auth = "auth:\n  htpasswd:\n    realm: basic-realm\n    path: " + (dir_.path / "htpasswd").string() + "\n";
    }
    mycompose::fs::write_file_atomic(dir_.path / "config.yml",
                                     "version: 0.1\n"
                                     "log:\n  level: error\n  accesslog:\n    disabled: true\n"
                                     "storage:\n  filesystem:\n    rootdirectory: " +
                                         (dir_.path / "storage").string() +
                                         "\n  delete:\n    enabled: true\n"
                                         "http:\n  addr: 127.0.0.1:" +
                                         std::to_string(port_) + "\n" + auth);
    pid_ = ::fork();
    if (pid_ == 0) {
      int log = ::open((dir_.path / "registry.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(log, 1);
      ::dup2(log, 2);
      ::setpgid(0, 0);
      ::execlp("docker-registry", "docker-registry", "serve", (dir_.path / "config.yml").c_str(), nullptr);
      ::_exit(127);
    }
    httplib::Client c("http://127.0.0.1:" + std::to_string(port_));
    c.set_connection_timeout(1);
    for (int i = 0; i < 200; ++i) {
      if (auto res = c.Get("/v2/"); res && (res->status == 200 || res->status == 401)) return;
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        throw std::runtime_error("docker-registry exited: " + mycompose::fs::read_file(dir_.path / "registry.log"));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    stop();
    throw std::runtime_error("docker-registry did not answer on port " + std::to_string(port_));
  }
  ~Registry() { stop(); }
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }
  const stdfs::path& dir() const { return dir_.path; }
  // Where distribution keeps a blob's bytes.
  stdfs::path blob_data(const std::string& digest) const {
    std::string hex = digest.substr(7);
    return dir_.path / "storage/docker/registry/v2/blobs/sha256" / hex.substr(0, 2) / hex / "data";
  }

 private:
  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    for (int i = 0; i < 100; ++i) {
      if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

  TempDir dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

// One mycompose "machine": its own MYCOMPOSE_ROOT, HOME and DOCKER_CONFIG.
struct Machine {
  TempDir dir{"registry-root"};
  std::map<std::string, std::string> env() const {
    return {{"MYCOMPOSE_ROOT", (dir.path / "root").string()},
            {"DOCKER_CONFIG", (dir.path / "docker").string()},
            {"HOME", (dir.path / "home").string()}};
  }
  RunResult mycompose(std::vector<std::string> args, std::map<std::string, std::string> extra = {},
                      const std::string& input = "") const {
    args.insert(args.begin(), mycompose_bin());
    auto e = env();
    for (auto& [k, v] : extra) e[k] = v;
    return run(args, e, input);
  }
  stdfs::path root() const { return dir.path / "root"; }
  mycompose::image::ImageStore store() const { return mycompose::image::ImageStore(root()); }
};

// A busybox image made as a user would: a rootfs tarball (bin/busybox from busybox-static,
// bin/sh → busybox), gzip-compressed, given to `mycompose image import` under `ref`.
// Returns the image id.
inline std::string make_busybox_image(const Machine& m, const std::string& ref) {
  TempDir work("registry-busybox");
  auto rootfs = work.path / "rootfs";
  stdfs::create_directories(rootfs / "bin");
  stdfs::copy_file("/bin/busybox", rootfs / "bin/busybox");
  stdfs::create_symlink("busybox", rootfs / "bin/sh");
  auto tgz = work.path / "rootfs.tar.gz";
  auto r = run({"sh", "-c", "tar --sort=name --owner=0 --group=0 --numeric-owner -C '" + rootfs.string() +
                                "' -cf - . | gzip -n > '" + tgz.string() + "'"});
  if (r.rc != 0) throw std::runtime_error("tar failed: " + r.err);
  auto imp = m.mycompose({"image", "import", tgz.string(), ref});
  if (imp.rc != 0) throw std::runtime_error("mycompose image import failed: " + imp.err);
  auto id = m.store().resolve(mycompose::image::Reference::parse(ref).str());
  if (!id) throw std::runtime_error("imported image " + ref + " not found in the store");
  return *id;
}

// Files left in the store's temp areas (a clean store has none).
inline std::vector<std::string> leftovers(const stdfs::path& root) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : stdfs::directory_iterator(root / "content/tmp", ec))
    if (e.path().filename().string().rfind("blob-", 0) == 0) out.push_back(e.path().string());
  for (const auto& e : stdfs::directory_iterator(root / "layers", ec)) {
    auto n = e.path().filename().string();
    if (n.rfind(".tmp-", 0) == 0 || n.rfind(".del-", 0) == 0) out.push_back(e.path().string());
  }
  return out;
}

}  // namespace registry_test
