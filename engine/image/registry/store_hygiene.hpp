#pragma once
// Keeps a store clean around registry transfers.
// - What a killed pull or load left (content/tmp/blob-*, content/tmp/load-*, layers/.tmp-*, layers/.del-*) is removed by
//   the next pull, when no other pull holds the root's pull lock (flock, shared while a
//   pull runs, exclusive for the clean-up).
// - A failed pull takes away the blobs and layers it added that no image uses, so an error
//   leaves the store as it found it.
#include <set>
#include <string>
#include <vector>

#include "mycompose/common/unique_fd.hpp"
#include "mycompose/image/store.hpp"

namespace mycompose::image::registry {

class StoreHygiene {
 public:
  explicit StoreHygiene(ImageStore& store);
  void discard(const std::set<std::string>& blobs, const std::vector<std::string>& layer_chain_ids);

 private:
  ImageStore& store_;
  UniqueFd lock_;
};

}  // namespace mycompose::image::registry
