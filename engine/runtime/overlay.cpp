#include "mycompose/runtime/overlay.hpp"

#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <exception>
#include <filesystem>
#include <thread>

#include "mycompose/common/error.hpp"
#include "mycompose/common/fs.hpp"
#include "mycompose/common/sha256.hpp"

namespace mycompose::runtime {
namespace {

namespace stdfs = std::filesystem;

// 13 base32 characters (65 bits) of the path's digest: "l/" + 13 + ":" = 16 bytes a layer,
// so 128 layers take 2 KiB of the 4 KiB option page and leave room for upper/work.
std::string short_name(const std::string& layer_dir) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const auto hex = sha256_hex(layer_dir);
  std::string out;
  for (std::size_t i = 0; i < 13; ++i) {
    // Each hex pair is one byte; 5 bits of it are enough for one base32 character.
    const int byte = std::stoi(hex.substr(i * 2, 2), nullptr, 16);
    out.push_back(kAlphabet[byte & 31]);
  }
  return out;
}

}  // namespace

std::string layer_link(const std::string& links_dir, const std::string& layer_dir) {
  const auto target = stdfs::absolute(layer_dir).lexically_normal().string();
  const auto name = short_name(target);
  const auto link = links_dir + "/" + name;
  std::error_code ec;
  auto existing = stdfs::read_symlink(link, ec);
  if (!ec) {
    if (existing.string() != target) throw Error("layer link " + link + " points to " + existing.string() + ", not " + target);
    return name;
  }
  fs::make_dirs(links_dir, 0700);
  if (::symlink(target.c_str(), link.c_str()) != 0 && errno != EEXIST) throw SystemError("symlink " + link + " -> " + target, errno);
  // Another thread may have made it first; it must be ours.
  if (stdfs::read_symlink(link, ec).string() != target) throw Error("layer link " + link + " does not point to " + target);
  return name;
}

void mount_overlay(const std::string& target, const OverlayLayers& layers) {
  if (layers.lower.empty()) throw Error("overlay on " + target + ": no lower layers");
  if (layers.upper.empty() && layers.lower.size() < 2)
    throw Error("overlay on " + target + ": a read-only overlay needs at least two lower layers");
  if (!layers.upper.empty() && layers.work.empty()) throw Error("overlay on " + target + ": upper layer without a work folder");

  const auto links = stdfs::absolute(layers.links_dir).lexically_normal();
  const auto base = links.parent_path().string();
  const auto prefix = links.filename().string();

  // overlayfs lists the top-most layer first.
  std::string options = "lowerdir=";
  for (auto it = layers.lower.rbegin(); it != layers.lower.rend(); ++it) {
    if (it != layers.lower.rbegin()) options += ':';
    options += prefix + "/" + layer_link(links.string(), *it);
  }
  if (!layers.upper.empty()) {
    options += ",upperdir=" + stdfs::absolute(layers.upper).string();
    options += ",workdir=" + stdfs::absolute(layers.work).string();
  }
  const auto target_abs = stdfs::absolute(target).string();
  if (options.size() >= 4096)
    throw Error("overlay on " + target + ": mount options are " + std::to_string(options.size()) + " bytes, over the 4096-byte page");

  // chdir affects the whole process unless the thread has its own fs_struct.
  int err = 0;
  std::string failed;
  std::thread worker([&] {
    if (::unshare(CLONE_FS) != 0) {
      err = errno;
      failed = "unshare(CLONE_FS)";
    } else if (::chdir(base.c_str()) != 0) {
      err = errno;
      failed = "chdir " + base;
    } else if (::mount("overlay", target_abs.c_str(), "overlay", 0, options.c_str()) != 0) {
      err = errno;
      failed = "mount overlay on " + target_abs + " (" + std::to_string(layers.lower.size()) + " layers, " +
               std::to_string(options.size()) + " bytes of options)";
    }
  });
  worker.join();
  if (err) throw SystemError(failed, err);
}

void unmount_overlay(const std::string& target) {
  if (::umount2(target.c_str(), UMOUNT_NOFOLLOW) == 0) return;
  if (errno == EINVAL || errno == ENOENT) return;  // not a mount point (any more)
  if (errno == EBUSY && ::umount2(target.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW) == 0) return;
  throw SystemError("umount " + target, errno);
}

void prune_layer_links(const std::string& links_dir) {
  std::error_code ec;
  for (const auto& e : stdfs::directory_iterator(links_dir, ec)) {
    if (!e.is_symlink(ec)) continue;
    if (!stdfs::exists(e.path(), ec)) stdfs::remove(e.path(), ec);
  }
}

}  // namespace mycompose::runtime
