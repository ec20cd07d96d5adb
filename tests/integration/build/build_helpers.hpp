#pragma once
// Helpers for the builder's integration tests: a temp state root + build context, a busybox
// base image imported from Debian's busybox-static (never a registry), and builds that record
// their progress events.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "mycompose/build/builder.hpp"
#include "mycompose/common/fs.hpp"
#include "mycompose/image/store.hpp"
#include "mycompose/image/transfer.hpp"
#include "mycompose/runtime/runtime.hpp"

namespace buildtest {

namespace stdfs = std::filesystem;
using mycompose::build::BuildEvent;
using mycompose::build::BuildRequest;

struct Recorded {
  std::string id;
  std::vector<BuildEvent> events;
  int count(BuildEvent::Kind k) const {
    int n = 0;
    for (const auto& e : events) n += e.kind == k;
    return n;
  }
  std::string output() const {
    std::string s;
    for (const auto& e : events)
      if (e.kind == BuildEvent::Kind::Output) s += e.text;
    return s;
  }
  // Step lines ("[2/3] RUN …") of the steps that were CACHED.
  std::vector<std::string> cached_steps() const {
    std::vector<std::string> out;
    for (const auto& e : events)
      if (e.kind == BuildEvent::Kind::Cached)
        for (const auto& s : events)
          if (s.kind == BuildEvent::Kind::Step && s.step == e.step) out.push_back(s.text);
    return out;
  }
};

// A temp folder with the state root and a build context; removes everything, including any
// build container the runtime still knows, whatever the test did.
struct Sandbox {
  stdfs::path dir, root, ctx;
  mycompose::image::ImageStore store;

  static stdfs::path make_temp() {
    char tmpl[] = "/tmp/mycompose-build-XXXXXX";
    return ::mkdtemp(tmpl);
  }
  Sandbox() : dir(make_temp()), root(dir / "root"), ctx(dir / "ctx"), store(dir / "root") { stdfs::create_directories(ctx); }
  ~Sandbox() {
    std::error_code ec;
    mycompose::runtime::Runtime rt(root / "build" / "runtime");
    for (const auto& e : stdfs::directory_iterator(root / "build" / "runtime", ec)) {
      try {
        rt.remove(e.path().filename().string(), true);
      } catch (...) {
      }
    }
    stdfs::remove_all(dir, ec);
  }
  Sandbox(const Sandbox&) = delete;

  void write(const std::string& rel, const std::string& content, unsigned mode = 0644) const {
    auto p = ctx / rel;
    stdfs::create_directories(p.parent_path());
    mycompose::fs::write_file_atomic(p, content, mode);
  }

  // busybox:test — /bin/busybox with its applets, /etc/passwd, /etc/group, plus extra
  // symlinks (name → target) in the rootfs.
  std::string import_busybox(const std::string& ref = "busybox:test",
                             const std::vector<std::pair<std::string, std::string>>& links = {}) {
    auto rootfs = dir / ("rootfs-" + std::to_string(links.size()));
    stdfs::create_directories(rootfs / "bin");
    stdfs::create_directories(rootfs / "etc");
    stdfs::create_directories(rootfs / "tmp");
    stdfs::copy_file("/bin/busybox", rootfs / "bin" / "busybox", stdfs::copy_options::overwrite_existing);
    for (const char* a : {"sh", "echo", "cat", "ls", "mkdir", "touch", "test", "wc", "id", "stat", "grep", "true", "false", "env", "readlink"}) {
      std::error_code ec;
      stdfs::create_symlink("busybox", rootfs / "bin" / a, ec);
    }
    mycompose::fs::write_file_atomic(rootfs / "etc" / "passwd", "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n");
    mycompose::fs::write_file_atomic(rootfs / "etc" / "group", "root:x:0:\napp:x:1000:\n");
    for (const auto& [name, target] : links) {
      std::error_code ec;
      stdfs::create_symlink(target, rootfs / name, ec);
    }
    auto tar = dir / "rootfs.tar";
    // Fixed times and owners: two sandboxes that import busybox:test in different seconds get
    // the same layer, as two machines that pull one image do (the local cache test relies on it).
    std::string cmd = "tar --mtime=@946684800 --owner=0 --group=0 --numeric-owner --sort=name -C " +
                      rootfs.string() + " -cf " + tar.string() + " .";
    if (std::system(cmd.c_str()) != 0) throw std::runtime_error("tar failed: " + cmd);
    return mycompose::image::import_rootfs(store, tar.string(), ref, {});
  }

  Recorded build(BuildRequest req = {}) {
    if (req.context.empty() || req.context == ".") req.context = ctx;
    Recorded r;
    mycompose::build::Builder b(store);
    try {
      r.id = b.build(req, [&](const BuildEvent& e) { r.events.push_back(e); });
    } catch (...) {
      // Shown with the failure a build that should not have failed causes.
      UNSCOPED_INFO("what the build printed before it failed:\n" << r.output());
      throw;
    }
    return r;
  }
  Recorded build_text(const std::string& dockerfile, BuildRequest req = {}) {
    write("Dockerfile", dockerfile);
    return build(std::move(req));
  }

  // The file as the image shows it: the top-most layer that has it.
  std::optional<std::string> image_file(const std::string& id, const std::string& path) const {
    auto dirs = store.layer_dirs(id);
    for (auto it = dirs.rbegin(); it != dirs.rend(); ++it) {
      auto p = *it / path.substr(1);
      struct stat st {};
      if (::lstat(p.c_str(), &st) == 0) {
        if (S_ISCHR(st.st_mode)) return std::nullopt;  // whiteout
        if (S_ISREG(st.st_mode)) return mycompose::fs::read_file(p);
        if (S_ISLNK(st.st_mode)) return "-> " + stdfs::read_symlink(p).string();
        return "<dir>";
      }
    }
    return std::nullopt;
  }
};

struct Result {
  int status = -1;
  std::string out, err;
};

// `mycompose ARGS…` in the sandbox's context folder with its state root.
inline Result run_cli(const Sandbox& sb, std::vector<std::string> args) {
  const char* bin = std::getenv("MYCOMPOSE_BIN");
  REQUIRE(bin);
  args.insert(args.begin(), bin);
  auto out = sb.dir / ".out", err = sb.dir / ".err";
  pid_t pid = ::fork();
  if (pid == 0) {
    ::setenv("MYCOMPOSE_ROOT", sb.root.c_str(), 1);
    if (::chdir(sb.ctx.c_str()) != 0) _exit(126);
    int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600), e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(o, 1);
    ::dup2(e, 2);
    std::vector<char*> a;
    for (auto& s : args) a.push_back(s.data());
    a.push_back(nullptr);
    ::execv(a[0], a.data());
    _exit(127);
  }
  int st = 0;
  ::waitpid(pid, &st, 0);
  return {WIFEXITED(st) ? WEXITSTATUS(st) : 128, mycompose::fs::read_file(out), mycompose::fs::read_file(err)};
}

}  // namespace buildtest
