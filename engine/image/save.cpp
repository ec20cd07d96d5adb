// `docker save`: the layout Docker 25+ writes, which older `docker load` also reads through
// manifest.json: blobs/sha256/<hex> for configs, uncompressed layers and OCI manifests,
// index.json + oci-layout (an OCI image layout), manifest.json and repositories.
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <set>

#include "extract.hpp"
#include "registry/pack_layer.hpp"
#include "mycompose/common/error.hpp"
#include "mycompose/common/sha256.hpp"
#include "mycompose/common/unique_fd.hpp"
#include "mycompose/image/transfer.hpp"

namespace mycompose::image {
namespace {

using nlohmann::json;
namespace stdfs = std::filesystem;

constexpr const char* kLayerTar = "application/vnd.oci.image.layer.v1.tar";

bool is_uncompressed(const LayerInfo& l) {
  return l.media_type == "application/vnd.docker.image.rootfs.diff.tar" || l.media_type == kLayerTar;
}

class TarOut {
 public:
  explicit TarOut(int fd, std::string target) : target_(std::move(target)) {
    a_ = archive_write_new();
    archive_write_set_format_pax_restricted(a_);
    archive_write_set_bytes_in_last_block(a_, 1);
    if (archive_write_open_fd(a_, fd) != ARCHIVE_OK) fail();
  }
  ~TarOut() { archive_write_free(a_); }

  void dir(const std::string& name) { header(name, AE_IFDIR, 0755, 0); }

  void bytes(const std::string& name, std::string_view data) {
    header(name, AE_IFREG, 0644, static_cast<std::int64_t>(data.size()));
    write(data.data(), data.size());
  }

  // A regular file whose content the callback produces; size must be known up front.
  void stream(const std::string& name, std::int64_t size, const std::function<void(const std::function<void(const void*, std::size_t)>&)>& fill) {
    header(name, AE_IFREG, 0644, size);
    std::int64_t written = 0;
    fill([&](const void* p, std::size_t n) {
      write(p, n);
      written += static_cast<std::int64_t>(n);
    });
    if (written != size) throw Error("save: " + name + ": produced " + std::to_string(written) + " bytes, expected " + std::to_string(size));
  }

  void close() {
    if (archive_write_close(a_) != ARCHIVE_OK) fail();
  }

 private:
  void header(const std::string& name, unsigned type, unsigned perm, std::int64_t size) {
    std::unique_ptr<archive_entry, void (*)(archive_entry*)> e(archive_entry_new(), archive_entry_free);
    archive_entry_set_pathname(e.get(), name.c_str());
    archive_entry_set_filetype(e.get(), type);
    archive_entry_set_perm(e.get(), perm);
    archive_entry_set_size(e.get(), size);
    archive_entry_set_mtime(e.get(), 0, 0);  // reproducible output
    if (archive_write_header(a_, e.get()) != ARCHIVE_OK) fail();
  }
  void write(const void* p, std::size_t n) {
    if (archive_write_data(a_, p, n) < 0) fail();
  }
  [[noreturn]] void fail() { throw Error("save to " + target_ + ": " + archive_error_string(a_)); }

  struct archive* a_;
  std::string target_;
};

struct SavedImage {
  std::string id;
  std::vector<Reference> tags;
};

}  // namespace

void save_images(const ImageStore& store, const std::vector<std::string>& refs, const std::string& target) {
  // Resolve everything before writing a byte: a bad name must not leave a half tarball.
  std::vector<SavedImage> images;
  for (const auto& r : refs) {
    auto id = store.resolve_or_throw(r);
    std::optional<Reference> tag;
    try {
      auto ref = Reference::parse(r);
      if (ref.digest.empty() && store.resolve(ref.str()) == id) tag = ref;
    } catch (const Error&) {
    }
    auto it = std::find_if(images.begin(), images.end(), [&](const SavedImage& s) { return s.id == id; });
    if (it == images.end()) it = images.insert(images.end(), SavedImage{id, {}});
    if (tag && std::find(it->tags.begin(), it->tags.end(), *tag) == it->tags.end()) it->tags.push_back(*tag);
  }

  UniqueFd fd;
  std::string tmp;
  if (target == "-") {
    fd.reset(::dup(1));
  } else {
    tmp = target + ".tmp-" + std::to_string(::getpid());
    fd.reset(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!fd) throw SystemError("open " + tmp, errno);
  }
  try {
    TarOut out(fd.get(), target == "-" ? "stdout" : target);
    out.dir("blobs");
    out.dir("blobs/sha256");
    std::set<std::string> written;
    json manifest = json::array(), index_manifests = json::array(), repositories = json::object();
    for (const auto& img : images) {
      auto config = store.image_config_bytes(img.id);
      if (written.insert(img.id).second) out.bytes("blobs/sha256/" + img.id.substr(7), config);
      json layer_paths = json::array(), oci_layers = json::array();
      for (const auto& l : store.image_layers(img.id)) {
        std::string label = "save: layer " + l.diff_id;
        std::int64_t size = 0;
        if (l.blob.empty()) {
          // A built layer exists only as a folder: its tar is written the way its diff id was taken.
          auto dir = store.layer_dir(l.chain_id);
          registry::write_layer_tar(dir, [&](const void*, std::size_t n) { size += static_cast<std::int64_t>(n); }, label);
          if (written.insert(l.diff_id).second)
            out.stream("blobs/sha256/" + l.diff_id.substr(7), size, [&](const auto& sink) {
              registry::write_layer_tar(dir, [&](const void* p, std::size_t n) { sink(p, n); }, label);
            });
        } else {
          auto blob = store.blob_path(l.blob);
          size = is_uncompressed(l) ? l.blob_size : read_uncompressed(blob, label, {});
          if (written.insert(l.diff_id).second) {
            out.stream("blobs/sha256/" + l.diff_id.substr(7), size, [&](const auto& sink) { read_uncompressed(blob, label, sink); });
          }
        }
        layer_paths.push_back("blobs/sha256/" + l.diff_id.substr(7));
        oci_layers.push_back({{"mediaType", kLayerTar}, {"digest", l.diff_id}, {"size", size}});
      }
      json oci_manifest = {{"schemaVersion", 2},
                           {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                           {"config", {{"mediaType", "application/vnd.oci.image.config.v1+json"}, {"digest", img.id}, {"size", config.size()}}},
                           {"layers", oci_layers}};
      auto mbytes = oci_manifest.dump();
      std::string mdigest = "sha256:" + sha256_hex(mbytes);
      if (written.insert(mdigest).second) out.bytes("blobs/sha256/" + mdigest.substr(7), mbytes);
      json desc = {{"mediaType", "application/vnd.oci.image.manifest.v1+json"}, {"digest", mdigest}, {"size", mbytes.size()}};
      json repo_tags = json::array();
      for (const auto& t : img.tags) {
        auto d = desc;
        d["annotations"] = {{"io.containerd.image.name", t.str()}, {"org.opencontainers.image.ref.name", t.tag}};
        index_manifests.push_back(d);
        repo_tags.push_back(t.familiar());
        repositories[t.familiar_name()][t.tag] = img.id.substr(7);
      }
      if (img.tags.empty()) index_manifests.push_back(desc);
      manifest.push_back({{"Config", "blobs/sha256/" + img.id.substr(7)}, {"RepoTags", repo_tags}, {"Layers", layer_paths}});
    }
    json index = {{"schemaVersion", 2}, {"mediaType", "application/vnd.oci.image.index.v1+json"}, {"manifests", index_manifests}};
    out.bytes("index.json", index.dump() + "\n");
    out.bytes("manifest.json", manifest.dump() + "\n");
    out.bytes("oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
    if (!repositories.empty()) out.bytes("repositories", repositories.dump() + "\n");
    out.close();
    if (!tmp.empty()) {
      check_syscall(::fsync(fd.get()), "fsync " + tmp);
      check_syscall(::rename(tmp.c_str(), target.c_str()), "rename " + tmp + " to " + target);
    }
  } catch (...) {
    if (!tmp.empty()) ::unlink(tmp.c_str());
    throw;
  }
}

}  // namespace mycompose::image
