#pragma once
// What the e2e tests keep between runs on one machine, so a warm run builds nothing:
//
//   /var/cache/mycompose/base-images/   the debootstrap tarball (scripts/bootstrap-base-image)
//   /var/cache/mycompose/e2e-store/     content/, layers/, build-cache/records/ and images.json
//                                       of earlier runs (override: MYCOMPOSE_E2E_CACHE)
//
// A test's fresh MYCOMPOSE_ROOT is seeded with hard links to that store (content blobs and
// unpacked layers are never written in place: the store publishes each by rename, and
// containers use layers as read-only overlay lowerdirs), so `up --build` finds every step in
// the build cache. After a build the test adds what it made: each blob, layer and record is
// published whole (temp name, then rename), so a test killed half-way leaves no partial layer.
// A changed Dockerfile just misses the cache for its steps. `rm -rf` the folder to start over.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>

#include "support/run.hpp"

namespace e2e {

namespace stdfs = std::filesystem;

inline stdfs::path store_cache_dir() {
  const char* d = std::getenv("MYCOMPOSE_E2E_CACHE");
  return d && *d ? stdfs::path(d) : stdfs::path("/var/cache/mycompose/e2e-store");
}

// Exclusive flock on the cache for the duration of a seed or a save (both are short: links).
class CacheLock {
 public:
  explicit CacheLock(const stdfs::path& dir) {
    stdfs::create_directories(dir);
    fd_ = ::open((dir / ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0 || ::flock(fd_, LOCK_EX) != 0) throw std::runtime_error("e2e cache: lock " + (dir / ".lock").string());
  }
  ~CacheLock() { ::close(fd_); }
  CacheLock(const CacheLock&) = delete;
  CacheLock& operator=(const CacheLock&) = delete;

 private:
  int fd_ = -1;
};

// `from` → `to` (absent): hard links for a folder tree or a file, a copy where links cannot
// be made (another filesystem); published by rename so `to` is whole or missing.
inline void publish_linked(const stdfs::path& from, const stdfs::path& to) {
  auto tmp = to.parent_path() / (".tmp-" + std::to_string(::getpid()) + "-" + to.filename().string());
  std::error_code ec;
  stdfs::remove_all(tmp, ec);
  stdfs::create_directories(to.parent_path());
  auto r = mycompose::test::run({"cp", "-al", from.string(), tmp.string()});
  if (r.exit_code != 0) {
    stdfs::remove_all(tmp, ec);
    r = mycompose::test::run({"cp", "-a", from.string(), tmp.string()});
    if (r.exit_code != 0) throw std::runtime_error("e2e cache: cp " + from.string() + ": " + r.err);
  }
  stdfs::rename(tmp, to, ec);
  if (ec) stdfs::remove_all(tmp, ec);  // someone published the same entry meanwhile
}

// Every entry of from/<sub> (one level: blobs, layers, records) missing in to/<sub>.
inline void publish_missing(const stdfs::path& from, const stdfs::path& to, const std::string& sub) {
  std::error_code ec;
  if (!stdfs::is_directory(from / sub, ec)) return;
  for (const auto& e : stdfs::directory_iterator(from / sub)) {
    auto name = e.path().filename().string();
    if (name.rfind(".tmp", 0) == 0 || stdfs::exists(to / sub / name)) continue;
    publish_linked(e.path(), to / sub / name);
  }
}

inline void copy_file_whole(const stdfs::path& from, const stdfs::path& to) {
  auto tmp = to.string() + ".tmp-" + std::to_string(::getpid());
  stdfs::copy_file(from, tmp, stdfs::copy_options::overwrite_existing);
  stdfs::rename(tmp, to);
}

// The parts of a store that carry images and build results (not engine, containers, networks,
// volumes or the overlay link folder, whose links are absolute paths of one root).
inline void transfer(const stdfs::path& from, const stdfs::path& to) {
  publish_missing(from, to, "content/sha256");
  publish_missing(from, to, "layers");
  publish_missing(from, to, "build-cache/records");
}

// Seeds `root` from the cache; false when the cache has no images yet.
inline bool seed_from_cache(const stdfs::path& root) {
  auto cache = store_cache_dir();
  CacheLock lock(cache);
  if (!stdfs::exists(cache / "images.json")) return false;
  stdfs::create_directories(root);
  transfer(cache, root);
  copy_file_whole(cache / "images.json", root / "images.json");  // rewritten by the store: a copy
  return true;
}

// Adds what `root` built to the cache; images.json only the first time (it names the base
// image; built images are found through build-cache records, not names).
inline void save_to_cache(const stdfs::path& root) {
  auto cache = store_cache_dir();
  CacheLock lock(cache);
  transfer(root, cache);
  if (!stdfs::exists(cache / "images.json")) copy_file_whole(root / "images.json", cache / "images.json");
}

}  // namespace e2e
