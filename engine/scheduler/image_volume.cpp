#include "image_volume.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "mycompose/common/error.hpp"
#include "mycompose/common/unique_fd.hpp"

namespace mycompose::scheduler {
namespace {

std::vector<std::string> components(const std::string& service, const std::string& subpath) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i <= subpath.size()) {
    std::size_t j = subpath.find('/', i);
    if (j == std::string::npos) j = subpath.size();
    const std::string part = subpath.substr(i, j - i);
    i = j + 1;
    if (part.empty() || part == ".") continue;
    // ".." would climb out of the image; ':' and ',' would split overlay's lowerdir option.
    if (part == ".." || part.find_first_of(":,\\") != std::string::npos)
      throw Error("service \"" + service + "\": volumes: image subpath \"" + subpath + "\" is not a plain relative path");
    out.push_back(part);
  }
  return out;
}

enum class Found { Folder, Missing, Hidden };

// Where the subpath stands in one layer; `opaque`: a folder on the way hides lower layers.
Found look_up(const std::string& layer, const std::vector<std::string>& parts, bool& opaque) {
  UniqueFd dir(::open(layer.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!dir) return Found::Missing;
  for (const auto& part : parts) {
    struct stat st {};
    if (::fstatat(dir.get(), part.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return Found::Missing;
    if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0)) return Found::Hidden;  // whiteout
    if (!S_ISDIR(st.st_mode)) return Found::Hidden;  // a file or link here covers what is below
    UniqueFd next(::openat(dir.get(), part.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!next) return Found::Missing;
    char v = 0;
    if (::fgetxattr(next.get(), "trusted.overlay.opaque", &v, 1) == 1 && v == 'y') opaque = true;
    dir = std::move(next);
  }
  return Found::Folder;
}

}  // namespace

std::vector<std::string> image_volume_dirs(const image::ImageStore& images, const std::string& service, const std::string& ref,
                                           const std::string& subpath) {
  const auto id = images.resolve(ref);
  if (!id) throw Error("service \"" + service + "\": volumes: image \"" + ref + "\" is not in the image store (pull it first)");
  const auto parts = components(service, subpath);
  std::string rel;
  for (const auto& p : parts) rel += "/" + p;
  const auto layers = images.layer_dirs(*id);
  std::vector<std::string> out;
  for (auto it = layers.rbegin(); it != layers.rend(); ++it) {
    bool opaque = false;
    const Found f = look_up(it->string(), parts, opaque);
    if (f == Found::Hidden) break;
    if (f == Found::Folder) out.push_back(it->string() + rel);
    if (opaque) break;
  }
  if (out.empty())
    throw Error("service \"" + service + "\": volumes: \"" + (subpath.empty() ? "/" : subpath) + "\" is not a folder in image \"" + ref + "\"");
  return out;
}

}  // namespace mycompose::scheduler
