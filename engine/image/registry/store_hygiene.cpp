#include "registry/store_hygiene.hpp"

#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>

#include "mycompose/common/error.hpp"

namespace mycompose::image::registry {

namespace stdfs = std::filesystem;

StoreHygiene::StoreHygiene(ImageStore& store) : store_(store) {
  auto path = store.root() / "content" / "tmp" / ".pull.lock";
  lock_.reset(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (!lock_) throw SystemError("open " + path.string(), errno);
  if (::flock(lock_.get(), LOCK_EX | LOCK_NB) == 0) {
    std::error_code ec;
    for (const auto& e : stdfs::directory_iterator(store.root() / "content" / "tmp", ec)) {
      auto name = e.path().filename().string();
      if (name.rfind("blob-", 0) == 0) stdfs::remove(e.path(), ec);
      if (name.rfind("load-", 0) == 0) stdfs::remove_all(e.path(), ec);  // loads hold the lock shared too
    }
    for (const auto& e : stdfs::directory_iterator(store.root() / "layers", ec)) {
      auto name = e.path().filename().string();
      if (name.rfind(".tmp-", 0) == 0 || name.rfind(".del-", 0) == 0) stdfs::remove_all(e.path(), ec);
    }
  }
  // Shared from here on: other pulls may run beside us, nobody cleans under our feet.
  check_syscall(::flock(lock_.get(), LOCK_SH), "flock " + path.string());
}

void StoreHygiene::discard(const std::set<std::string>& blobs, const std::vector<std::string>& layer_chain_ids) {
  try {
    for (auto it = layer_chain_ids.rbegin(); it != layer_chain_ids.rend(); ++it) store_.remove_layer_if_unused(*it);
    for (const auto& b : blobs) store_.remove_blob_if_unused(b);
  } catch (const std::exception&) {
    // Best effort: the original error matters more than a failed clean-up.
  }
}

}  // namespace mycompose::image::registry
