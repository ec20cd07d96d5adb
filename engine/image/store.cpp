#include "mycompose/common/json_limits.hpp"
#include "mycompose/image/store.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <set>

#include "extract.hpp"
#include "registry/pack_layer.hpp"
#include "mycompose/common/error.hpp"
#include "mycompose/common/fs.hpp"
#include "mycompose/common/state_record.hpp"
#include "mycompose/common/state_root.hpp"
#include "mycompose/common/sha256.hpp"
#include "mycompose/common/temp_name.hpp"
#include "mycompose/common/unique_fd.hpp"
#include "mycompose/common/time_text.hpp"

namespace mycompose::image {
namespace stdfs = std::filesystem;
using nlohmann::json;

namespace {

std::string_view hex_of(std::string_view digest) {
  if (!is_valid_digest(digest)) throw Error("invalid digest \"" + std::string(digest) + "\": expected sha256:<64 hex digits>");
  return digest.substr(7);
}

// Exclusive flock on <root>/images.lock for the lifetime of the object, so the CLI and the
// engine never interleave read-modify-write cycles of images.json.
class StoreLock {
 public:
  explicit StoreLock(const stdfs::path& root, int op = LOCK_EX) {
    auto p = root / "images.lock";
    fd_.reset(::open(p.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
    if (!fd_) throw SystemError("open " + p.string(), errno);
    while (::flock(fd_.get(), op) < 0) {
      if (errno != EINTR) throw SystemError("flock " + p.string(), errno);
    }
  }

 private:
  UniqueFd fd_;
};

LayerInfo layer_from_json(const json& j);
json layer_to_json(const LayerInfo& l);
void save_state(const stdfs::path& root, const json& state);

// images.json as the store uses it; throws on anything else.
json checked_state(const json& j) {
  json s = j;
  if (!s.is_object()) throw Error("not an object");
  if (!s.contains("refs")) s["refs"] = json::object();
  if (!s.contains("images")) s["images"] = json::object();
  if (!s["refs"].is_object() || !s["images"].is_object()) throw Error("refs and images must be objects");
  for (const auto& [ref, id] : s["refs"].items()) (void)id.get<std::string>();
  for (const auto& [id, img] : s["images"].items())
    if (!img.is_object() || !img.value("layers", json()).is_array()) throw Error("image " + id + " has no layers");
  return s;
}

// The images the content store still has whole (config blob and every layer), untagged: what
// a torn images.json is rebuilt from. Its tags are lost; containers keep their image by id.
json state_from_content(const stdfs::path& root) {
  json state{{"refs", json::object()}, {"images", json::object()}};
  std::error_code ec;
  for (const auto& e : stdfs::directory_iterator(root / "content" / "sha256", ec)) {
    if (!e.is_regular_file(ec) || e.file_size(ec) > (4u << 20)) continue;
    try {
      const json config = parse_json_bounded(fs::read_file(e.path(), 4u << 20));
      const json diff_ids = config.at("rootfs").at("diff_ids");
      json layers = json::array();
      std::string parent;
      for (const auto& d : diff_ids) {
        const std::string diff = d.get<std::string>();
        const std::string chain = parent.empty() ? diff : "sha256:" + sha256_hex(parent + " " + diff);
        const auto meta = root / "layers" / chain.substr(7) / "layer.json";
        layers.push_back(layer_to_json(layer_from_json(parse_json_bounded(fs::read_file(meta, 1 << 20)))));
        parent = chain;
      }
      if (layers.empty()) continue;
      state["images"]["sha256:" + e.path().filename().string()] =
          json{{"layers", layers}, {"added", now_rfc3339()}, {"repo_digests", json::array()}};
    } catch (const std::exception&) {
      // not an image config (a manifest, a layer), or one whose layers are gone
    }
  }
  return state;
}

json load_state(const stdfs::path& root) {
  auto p = root / "images.json";
  std::error_code ec;
  const bool had_state = stdfs::exists(p, ec);
  if (auto j = fs::read_record(p, 256u << 20, checked_state)) return *j;
  if (!had_state) return json{{"refs", json::object()}, {"images", json::object()}};
  // Torn or garbage, now moved aside: one file must not stop every image and every `up`.
  json state = state_from_content(root);
  try {
    save_state(root, state);
  } catch (const std::exception&) {
  }
  return state;
}

void save_state(const stdfs::path& root, const json& state) {
  fs::write_file_atomic(root / "images.json", state.dump(1) + "\n", 0600);
}

json layer_to_json(const LayerInfo& l) {
  return json{{"diff_id", l.diff_id}, {"chain_id", l.chain_id}, {"blob", l.blob}, {"media_type", l.media_type},
              {"blob_size", l.blob_size}, {"size", l.size}};
}

LayerInfo layer_from_json(const json& j) {
  LayerInfo l;
  l.diff_id = j.value("diff_id", "");
  l.chain_id = j.value("chain_id", "");
  l.blob = j.value("blob", "");
  l.media_type = j.value("media_type", "");
  l.blob_size = j.value("blob_size", std::int64_t{0});
  l.size = j.value("size", std::int64_t{0});
  return l;
}

std::string familiar_of(const std::string& full) {
  try {
    return Reference::parse(full).familiar();
  } catch (const Error&) {
    return full;
  }
}

bool is_hex_string(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

void remove_tree(const stdfs::path& p) {
  // Rename first so a crash half-way never leaves a half-deleted layer under its real name.
  auto doomed = p.parent_path() / fs::owned_temp_name(".del-");
  std::error_code ec;
  stdfs::rename(p, doomed, ec);
  stdfs::remove_all(ec ? p : doomed, ec);
}

}  // namespace

// ---------------------------------------------------------------------------------------------

ImageStore::ImageStore(stdfs::path root) : root_(std::move(root)) {
  state_root::ensure(root_);
  fs::make_dirs(root_ / "content" / "sha256", 0700);
  fs::make_dirs(root_ / "content" / "tmp", 0700);
  fs::make_dirs(root_ / "layers", 0700);
}

stdfs::path ImageStore::default_root() {
  const char* r = std::getenv("MYCOMPOSE_ROOT");
  return (r && *r) ? stdfs::path(r) : stdfs::path("/var/lib/mycompose");
}

// ---- blobs ----

stdfs::path ImageStore::blob_path(std::string_view digest) const {
  return root_ / "content" / "sha256" / std::string(hex_of(digest));
}

bool ImageStore::has_blob(std::string_view digest) const {
  if (!is_valid_digest(digest)) return false;
  struct stat st {};
  return ::stat(blob_path(digest).c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::string ImageStore::read_blob(std::string_view digest, std::size_t max_bytes) const {
  auto p = blob_path(digest);
  if (!stdfs::exists(p)) throw Error("blob " + std::string(digest) + " is not in the image store");
  return fs::read_file(p, max_bytes);
}

struct ImageStore::BlobWriter::Impl {
  stdfs::path tmp;
  stdfs::path dir;
  std::string label;
  UniqueFd fd;
  Sha256 hash;
  std::int64_t size = 0;
  bool done = false;
  ~Impl() {
    if (!done && !tmp.empty()) ::unlink(tmp.c_str());
  }
};

ImageStore::BlobWriter::BlobWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ImageStore::BlobWriter::BlobWriter(BlobWriter&&) noexcept = default;
ImageStore::BlobWriter& ImageStore::BlobWriter::operator=(BlobWriter&&) noexcept = default;
ImageStore::BlobWriter::~BlobWriter() = default;

void ImageStore::BlobWriter::write(const void* data, std::size_t len) {
  if (impl_->done) throw Error(impl_->label + ": write after commit");
  impl_->hash.update(data, len);
  impl_->size += static_cast<std::int64_t>(len);
  auto* p = static_cast<const char*>(data);
  while (len > 0) {
    ssize_t n = ::write(impl_->fd.get(), p, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw SystemError(impl_->label + ": write " + impl_->tmp.string(), errno);
    }
    p += n;
    len -= static_cast<std::size_t>(n);
  }
}

std::int64_t ImageStore::BlobWriter::size() const { return impl_->size; }

std::string ImageStore::BlobWriter::commit(std::string_view expected_digest, std::int64_t expected_size) {
  if (impl_->done) throw Error(impl_->label + ": blob committed twice");
  std::string digest = "sha256:" + impl_->hash.hex();
  struct stat st {};
  check_syscall(::fstat(impl_->fd.get(), &st), "fstat " + impl_->tmp.string());
  impl_->size = st.st_size;
  if (expected_size >= 0 && st.st_size != expected_size)
    throw Error(impl_->label + ": size mismatch: expected " + std::to_string(expected_size) + " bytes, got " +
                std::to_string(st.st_size));
  if (!expected_digest.empty() && digest != expected_digest)
    throw Error(impl_->label + ": digest mismatch: expected " + std::string(expected_digest) + ", got " + digest);
  check_syscall(::fchmod(impl_->fd.get(), 0644), "chmod " + impl_->tmp.string());
  check_syscall(::fsync(impl_->fd.get()), "fsync " + impl_->tmp.string());
  impl_->fd.reset();
  auto final_path = impl_->dir / digest.substr(7);
  check_syscall(::rename(impl_->tmp.c_str(), final_path.c_str()),
                "rename " + impl_->tmp.string() + " to " + final_path.string());
  impl_->done = true;
  return digest;
}

ImageStore::BlobWriter ImageStore::write_blob(std::string label) {
  auto impl = std::make_unique<BlobWriter::Impl>();
  impl->label = std::move(label);
  impl->dir = root_ / "content" / "sha256";
  impl->tmp = root_ / "content" / "tmp" / fs::owned_temp_name("blob-");
  impl->fd.reset(::open(impl->tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!impl->fd) throw SystemError("create " + impl->tmp.string(), errno);
  return BlobWriter(std::move(impl));
}

std::string ImageStore::put_blob(std::string_view data, std::string_view expected_digest) {
  if (!expected_digest.empty() && has_blob(expected_digest)) {
    if ("sha256:" + sha256_hex(data) != expected_digest)
      throw Error("blob: digest mismatch: expected " + std::string(expected_digest) + ", got sha256:" + sha256_hex(data));
    return std::string(expected_digest);
  }
  auto w = write_blob("blob");
  w.write(data.data(), data.size());
  return w.commit(expected_digest, static_cast<std::int64_t>(data.size()));
}

// ---- layers ----

std::string ImageStore::chain_id(std::string_view parent_chain_id, std::string_view diff_id) {
  if (parent_chain_id.empty()) return std::string(diff_id);
  return "sha256:" + sha256_hex(std::string(parent_chain_id) + " " + std::string(diff_id));
}

stdfs::path ImageStore::layer_dir(std::string_view chain) const {
  return root_ / "layers" / std::string(hex_of(chain)) / "diff";
}

bool ImageStore::has_layer(std::string_view chain) const {
  if (!is_valid_digest(chain)) return false;
  return stdfs::exists(root_ / "layers" / std::string(hex_of(chain)) / "layer.json");
}

std::optional<LayerInfo> ImageStore::layer_info(std::string_view chain) const {
  if (!has_layer(chain)) return std::nullopt;
  auto p = root_ / "layers" / std::string(hex_of(chain)) / "layer.json";
  return layer_from_json(parse_json_bounded(fs::read_file(p)));
}

namespace {
// tmp holds the layer's diff/: its layer.json goes beside it and the folder is renamed into
// layers/<chain>. If someone else put the same layer there meanwhile, theirs is as good as ours.
void publish_layer(const stdfs::path& root, const stdfs::path& tmp, const LayerInfo& info, std::string_view parent_chain_id) {
  json meta = layer_to_json(info);
  meta["parent"] = std::string(parent_chain_id);
  fs::write_file_atomic(tmp / "layer.json", meta.dump(1) + "\n");
  auto final_dir = root / "layers" / std::string(hex_of(info.chain_id));
  if (::rename(tmp.c_str(), final_dir.c_str()) < 0) {
    if (errno != EEXIST && errno != ENOTEMPTY) throw SystemError("rename " + tmp.string() + " to " + final_dir.string(), errno);
    remove_tree(tmp);
  }
}
}  // namespace

LayerInfo ImageStore::add_layer(std::string_view parent_chain_id, std::string_view blob_digest,
                                std::string_view expected_diff_id, std::string_view media_type,
                                std::string_view label_in) {
  std::string label = label_in.empty() ? "layer " + std::string(blob_digest) : std::string(label_in);
  if (!parent_chain_id.empty() && !has_layer(parent_chain_id))
    throw Error(label + ": parent layer " + std::string(parent_chain_id) + " is not in the image store");
  if (!has_blob(blob_digest)) throw Error(label + ": blob " + std::string(blob_digest) + " is not in the image store");
  struct stat bst {};
  check_syscall(::stat(blob_path(blob_digest).c_str(), &bst), "stat " + blob_path(blob_digest).string());

  LayerInfo info;
  info.blob = std::string(blob_digest);
  info.media_type = std::string(media_type);
  info.blob_size = bst.st_size;
  // Shared layer: when the expected diff id is known and that chain exists, nothing to do.
  if (!expected_diff_id.empty()) {
    hex_of(expected_diff_id);
    auto chain = chain_id(parent_chain_id, expected_diff_id);
    if (auto existing = layer_info(chain)) {
      info.diff_id = existing->diff_id;
      info.chain_id = chain;
      info.size = existing->size;
      return info;
    }
  }

  auto tmp = root_ / "layers" / fs::owned_temp_name(".tmp-");
  fs::make_dirs(tmp / "diff", 0755);
  try {
    auto r = extract_layer(blob_path(blob_digest), tmp / "diff", label);
    if (!expected_diff_id.empty() && r.diff_id != expected_diff_id)
      throw Error(label + ": diff id mismatch: expected " + std::string(expected_diff_id) + ", got " + r.diff_id);
    info.diff_id = r.diff_id;
    info.size = r.size;
    info.chain_id = chain_id(parent_chain_id, r.diff_id);
    publish_layer(root_, tmp, info, parent_chain_id);
  } catch (...) {
    remove_tree(tmp);
    throw;
  }
  return info;
}

LayerInfo ImageStore::add_layer_from_dir(std::string_view parent_chain_id, const stdfs::path& dir,
                                        std::string_view label_in) {
  std::string label = label_in.empty() ? "layer from " + dir.string() : std::string(label_in);
  if (!parent_chain_id.empty() && !has_layer(parent_chain_id))
    throw Error(label + ": parent layer " + std::string(parent_chain_id) + " is not in the image store");
  Sha256 plain;
  registry::write_layer_tar(dir, [&](const void* p, std::size_t n) { plain.update(p, n); }, label);
  LayerInfo info;
  info.diff_id = "sha256:" + plain.hex();
  info.chain_id = chain_id(parent_chain_id, info.diff_id);
  if (auto existing = layer_info(info.chain_id)) {
    remove_tree(dir);
    return *existing;
  }
  std::error_code ec;
  for (auto it = stdfs::recursive_directory_iterator(dir, ec); !ec && it != stdfs::recursive_directory_iterator(); it.increment(ec))
    if (it->is_regular_file(ec) && !it->is_symlink(ec)) info.size += static_cast<std::int64_t>(it->file_size(ec));
  auto tmp = root_ / "layers" / fs::owned_temp_name(".tmp-");
  fs::make_dirs(tmp, 0755);
  try {
    if (::rename(dir.c_str(), (tmp / "diff").c_str()) != 0)
      throw SystemError("rename " + dir.string() + " to " + (tmp / "diff").string(), errno);
    publish_layer(root_, tmp, info, parent_chain_id);
  } catch (...) {
    remove_tree(tmp);
    throw;
  }
  return info;
}

static bool referenced(const json& state, std::string_view digest, const char* field) {
  for (const auto& [id, img] : state["images"].items()) {
    if (std::string_view(field) == "blob" && (id == digest || (img.contains("manifest") && img["manifest"].value("digest", "") == digest)))
      return true;
    for (const auto& l : img["layers"])
      if (l.value(field, "") == digest) return true;
  }
  return false;
}

void ImageStore::remove_blob_if_unused(std::string_view digest) {
  if (!is_valid_digest(digest)) return;
  StoreLock lock(root_);
  if (referenced(load_state(root_), digest, "blob")) return;
  std::error_code ec;
  stdfs::remove(blob_path(digest), ec);
}

void ImageStore::remove_layer_if_unused(std::string_view chain) {
  if (!is_valid_digest(chain)) return;
  StoreLock lock(root_);
  if (referenced(load_state(root_), chain, "chain_id")) return;
  auto dir = root_ / "layers" / std::string(hex_of(chain));
  if (stdfs::exists(dir)) remove_tree(dir);
}

// ---- images ----

std::string ImageStore::add_image(std::string_view config_json, const std::vector<LayerInfo>& layers,
                                  const ManifestInfo& manifest) {
  json config;
  try {
    config = parse_json_bounded(config_json);
  } catch (const json::exception& e) {
    throw Error(std::string("image config is not valid JSON: ") + e.what());
  }
  auto diff_ids = config.contains("rootfs") ? config["rootfs"].value("diff_ids", json::array()) : json::array();
  if (diff_ids.size() != layers.size())
    throw Error("image config lists " + std::to_string(diff_ids.size()) + " layers (rootfs.diff_ids) but " +
                std::to_string(layers.size()) + " were given");
  std::string parent;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    if (diff_ids[i].get<std::string>() != layers[i].diff_id)
      throw Error("image config layer " + std::to_string(i) + " has diff id " + diff_ids[i].get<std::string>() +
                  " but the layer given is " + layers[i].diff_id);
    auto chain = chain_id(parent, layers[i].diff_id);
    if (chain != layers[i].chain_id || !has_layer(chain))
      throw Error("layer " + layers[i].diff_id + " (chain " + chain + ") is not in the image store");
    parent = chain;
  }
  std::string id = put_blob(config_json);
  if (!manifest.bytes.empty()) put_blob(manifest.bytes, manifest.digest);

  StoreLock lock(root_);
  auto state = load_state(root_);
  auto& img = state["images"][id];
  json jl = json::array();
  for (const auto& l : layers) jl.push_back(layer_to_json(l));
  img["layers"] = jl;
  if (!img.contains("added")) img["added"] = now_rfc3339();
  if (!img.contains("repo_digests")) img["repo_digests"] = json::array();
  if (!manifest.digest.empty())
    img["manifest"] = json{{"digest", manifest.digest}, {"media_type", manifest.media_type}};
  save_state(root_, state);
  return id;
}

void ImageStore::tag(const Reference& ref, std::string_view image_id) {
  if (!ref.digest.empty()) throw Error("refusing to create a tag with a digest reference: " + ref.familiar());
  StoreLock lock(root_);
  auto state = load_state(root_);
  if (!state["images"].contains(std::string(image_id))) throw Error("No such image: " + std::string(image_id));
  state["refs"][ref.str()] = std::string(image_id);
  save_state(root_, state);
}

void ImageStore::add_repo_digest(const Reference& ref, std::string_view image_id) {
  if (ref.digest.empty()) throw Error("reference " + ref.familiar() + " has no digest");
  StoreLock lock(root_);
  auto state = load_state(root_);
  auto it = state["images"].find(std::string(image_id));
  if (it == state["images"].end()) throw Error("No such image: " + std::string(image_id));
  std::string rd = ref.name() + "@" + ref.digest;
  auto& list = (*it)["repo_digests"];
  for (const auto& x : list)
    if (x == rd) return;
  list.push_back(rd);
  save_state(root_, state);
}

static std::optional<std::string> resolve_in(const json& state, std::string_view s) {
  const auto& images = state["images"];
  if (is_valid_digest(s)) {
    if (images.contains(std::string(s))) return std::string(s);
  }
  try {
    auto ref = Reference::parse(s);
    if (!ref.digest.empty()) {
      std::string rd = ref.name() + "@" + ref.digest;
      for (auto it = images.begin(); it != images.end(); ++it)
        for (const auto& d : it.value().value("repo_digests", json::array()))
          if (d == rd) return it.key();
      // name@digest may also name the image by its id (as Docker allows for local images).
      if (ref.tag.empty() && images.contains(ref.digest)) return ref.digest;
    } else if (auto r = state["refs"].find(ref.str()); r != state["refs"].end()) {
      return r->get<std::string>();
    }
  } catch (const Error&) {
  }
  std::string_view prefix = s.substr(0, 7) == "sha256:" ? s.substr(7) : s;
  if (is_hex_string(prefix) && prefix.size() <= 64) {
    std::optional<std::string> found;
    for (auto it = images.begin(); it != images.end(); ++it) {
      if (it.key().compare(7, prefix.size(), prefix) == 0) {
        if (found) return std::nullopt;  // ambiguous
        found = it.key();
      }
    }
    return found;
  }
  return std::nullopt;
}

std::optional<std::string> ImageStore::resolve(std::string_view ref_or_id) const {
  return resolve_in(load_state(root_), ref_or_id);
}

// Docker names the missing image in its familiar form: "No such image: busybox:latest".
static std::string no_such_image(std::string_view ref_or_id) {
  std::string shown(ref_or_id);
  try {
    if (!is_hex_string(ref_or_id)) shown = Reference::parse(ref_or_id).familiar();
  } catch (const Error&) {
  }
  return "No such image: " + shown;
}

std::string ImageStore::resolve_or_throw(std::string_view ref_or_id) const {
  if (auto id = resolve(ref_or_id)) return *id;
  throw Error(no_such_image(ref_or_id));
}

std::string ImageStore::image_config_bytes(std::string_view image_id) const { return read_blob(image_id); }

nlohmann::json ImageStore::image_config(std::string_view image_id) const {
  return parse_json_bounded(image_config_bytes(image_id));
}

std::vector<LayerInfo> ImageStore::image_layers(std::string_view image_id) const {
  auto state = load_state(root_);
  auto it = state["images"].find(std::string(image_id));
  if (it == state["images"].end()) throw Error("No such image: " + std::string(image_id));
  std::vector<LayerInfo> out;
  for (const auto& l : (*it)["layers"]) out.push_back(layer_from_json(l));
  return out;
}

std::vector<stdfs::path> ImageStore::layer_dirs(std::string_view image_id) const {
  std::vector<stdfs::path> out;
  for (const auto& l : image_layers(image_id)) out.push_back(layer_dir(l.chain_id));
  return out;
}

std::optional<ManifestInfo> ImageStore::image_manifest(std::string_view image_id) const {
  auto state = load_state(root_);
  auto it = state["images"].find(std::string(image_id));
  if (it == state["images"].end() || !it->contains("manifest")) return std::nullopt;
  ManifestInfo m;
  m.digest = (*it)["manifest"].value("digest", "");
  m.media_type = (*it)["manifest"].value("media_type", "");
  if (has_blob(m.digest)) m.bytes = read_blob(m.digest);
  return m;
}

static ImageSummary summary_from(const ImageStore& store, const json& state, const std::string& id) {
  ImageSummary s;
  s.id = id;
  const auto& img = state["images"][id];
  for (auto it = state["refs"].begin(); it != state["refs"].end(); ++it)
    if (it.value() == id) s.repo_tags.push_back(familiar_of(it.key()));
  for (const auto& d : img.value("repo_digests", json::array())) s.repo_digests.push_back(familiar_of(d.get<std::string>()));
  for (const auto& l : img["layers"]) s.layers.push_back(layer_from_json(l));
  for (const auto& l : s.layers) s.size += l.size;
  try {
    s.created = store.image_config(id).value("created", "");
  } catch (const std::exception&) {
  }
  return s;
}

ImageSummary ImageStore::summary(std::string_view image_id) const {
  auto state = load_state(root_);
  if (!state["images"].contains(std::string(image_id))) throw Error("No such image: " + std::string(image_id));
  return summary_from(*this, state, std::string(image_id));
}

std::vector<ImageSummary> ImageStore::list() const {
  auto state = load_state(root_);
  std::vector<ImageSummary> out;
  for (auto it = state["images"].begin(); it != state["images"].end(); ++it)
    out.push_back(summary_from(*this, state, it.key()));
  return out;
}

// Deletes images (already untagged in `state`) and whatever layers and blobs only they used.
// Only objects that belonged to the deleted images are touched, so a pull running at the same
// time (whose blobs and layers no image references yet) is never disturbed.
static std::int64_t delete_images(const ImageStore& store, json& state, const std::vector<std::string>& ids,
                                  std::vector<std::string>& lines) {
  std::set<std::string> doomed_layers, doomed_blobs;
  for (const auto& id : ids) {
    const auto& img = state["images"][id];
    doomed_blobs.insert(id);
    if (img.contains("manifest")) doomed_blobs.insert(img["manifest"].value("digest", ""));
    for (const auto& l : img["layers"]) {
      doomed_layers.insert(l.value("chain_id", ""));
      doomed_blobs.insert(l.value("blob", ""));
    }
    state["images"].erase(id);
  }
  for (auto it = state["images"].begin(); it != state["images"].end(); ++it) {
    doomed_blobs.erase(it.key());
    if (it->contains("manifest")) doomed_blobs.erase((*it)["manifest"].value("digest", ""));
    for (const auto& l : (*it)["layers"]) {
      doomed_layers.erase(l.value("chain_id", ""));
      doomed_blobs.erase(l.value("blob", ""));
    }
  }
  for (const auto& id : ids) lines.push_back("Deleted: " + id);
  std::int64_t reclaimed = 0;
  for (const auto& chain : doomed_layers) {
    if (!is_valid_digest(chain)) continue;
    if (auto info = store.layer_info(chain)) reclaimed += info->size;
    remove_tree(store.layer_dir(chain).parent_path());
    lines.push_back("Deleted: " + chain);
  }
  for (const auto& b : doomed_blobs) {
    if (!is_valid_digest(b)) continue;
    std::error_code ec;
    auto sz = stdfs::file_size(store.blob_path(b), ec);
    if (!ec) reclaimed += static_cast<std::int64_t>(sz);
    stdfs::remove(store.blob_path(b), ec);
  }
  return reclaimed;
}

static std::vector<std::string> refs_of(const json& state, const std::string& id) {
  std::vector<std::string> out;
  for (auto it = state["refs"].begin(); it != state["refs"].end(); ++it)
    if (it.value() == id) out.push_back(it.key());
  return out;
}

std::vector<std::string> ImageStore::remove(std::string_view ref_or_id, bool force) {
  StoreLock lock(root_);
  auto state = load_state(root_);
  auto id_opt = resolve_in(state, ref_or_id);
  if (!id_opt) throw Error(no_such_image(ref_or_id));
  std::string id = *id_opt;
  std::vector<std::string> lines;

  // Named by a tag: untag only that one (Docker keeps the image while other tags remain).
  std::optional<Reference> ref;
  try {
    auto r = Reference::parse(ref_or_id);
    if (r.digest.empty() && state["refs"].contains(r.str()) && state["refs"][r.str()] == id) ref = r;
  } catch (const Error&) {
  }
  auto tags = refs_of(state, id);
  if (ref) {
    state["refs"].erase(ref->str());
    lines.push_back("Untagged: " + ref->familiar());
    tags = refs_of(state, id);
    if (!tags.empty()) {
      save_state(root_, state);
      return lines;
    }
  } else {
    if (tags.size() > 1 && !force)
      throw Error("conflict: unable to delete " + id.substr(7, 12) +
                  " (must be forced) - image is referenced in multiple repositories", 1);
    for (const auto& t : tags) {
      state["refs"].erase(t);
      lines.push_back("Untagged: " + familiar_of(t));
    }
  }
  for (const auto& d : state["images"][id].value("repo_digests", json::array()))
    lines.push_back("Untagged: " + familiar_of(d.get<std::string>()));
  delete_images(*this, state, {id}, lines);
  save_state(root_, state);
  return lines;
}

ImageStore::PruneResult ImageStore::prune(bool all) {
  StoreLock lock(root_);
  auto state = load_state(root_);
  PruneResult r;
  std::vector<std::string> ids;
  for (auto it = state["images"].begin(); it != state["images"].end(); ++it) {
    auto tags = refs_of(state, it.key());
    if (!tags.empty() && !all) continue;
    for (const auto& t : tags) {
      state["refs"].erase(t);
      r.lines.push_back("untagged: " + familiar_of(t));
    }
    ids.push_back(it.key());
  }
  std::vector<std::string> lines;
  r.reclaimed = delete_images(*this, state, ids, lines);
  for (auto& l : lines) r.lines.push_back("deleted: " + l.substr(9));
  save_state(root_, state);
  return r;
}

}  // namespace mycompose::image
