// `docker load`: a `docker save` tarball (manifest.json) or an OCI image layout (index.json).
// The tarball is unpacked into a staging folder with the same confined extractor as layers,
// and every file is then opened with its path resolved inside that folder and refused unless
// it is a regular file (untrusted_file.hpp), so neither a hostile entry, a symlink nor a FIFO
// in the tarball can make us read host files or wait forever. The staging folder
// (content/tmp/load-<pid>-…) goes on every error; one a killed load left is `system check`'s.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <set>

#include "archive_source.hpp"
#include "extract.hpp"
#include "writer_lease.hpp"
#include "mycompose/common/json_limits.hpp"
#include "mycompose/common/error.hpp"
#include "mycompose/common/fs.hpp"
#include "mycompose/common/sha256.hpp"
#include "mycompose/common/temp_name.hpp"
#include "mycompose/common/unique_fd.hpp"
#include "mycompose/common/untrusted_file.hpp"
#include "mycompose/image/transfer.hpp"

namespace mycompose::image {
namespace {

using nlohmann::json;
namespace stdfs = std::filesystem;

constexpr const char* kOciIndex = "application/vnd.oci.image.index.v1+json";
constexpr const char* kDockerList = "application/vnd.docker.distribution.manifest.list.v2+json";

// Removes the staging folder whatever happens.
struct Staging {
  stdfs::path dir;
  UniqueFd fd;
  ~Staging() {
    std::error_code ec;
    if (!dir.empty()) stdfs::remove_all(dir, ec);
  }
};

// Objects this load created, deleted again if the load fails before images reference them.
struct Undo {
  ImageStore& store;
  std::vector<std::string> blobs, layers;
  bool done = false;
  ~Undo() {
    if (done) return;
    for (auto it = layers.rbegin(); it != layers.rend(); ++it) store.remove_layer_if_unused(*it);
    for (const auto& b : blobs) store.remove_blob_if_unused(b);
  }
};

class Loader {
 public:
  Loader(ImageStore& store, Staging& st, std::string source) : store_(store), st_(st), source_(std::move(source)), undo_{store, {}, {}} {}

  std::vector<std::string> run() {
    std::vector<std::string> lines;
    if (exists("manifest.json")) lines = load_docker();
    else if (exists("index.json")) lines = load_oci();
    else throw Error(source_ + ": neither manifest.json nor index.json found: not a docker save or OCI layout tarball");
    undo_.done = true;
    return lines;
  }

 private:
  // Whether the archive has an entry of that name (of any type: what it is decides later).
  bool exists(const std::string& rel) {
    UniqueFd fd(open_in_root(st_.fd.get(), rel, O_PATH | O_NOFOLLOW));
    return static_cast<bool>(fd);
  }

  UniqueFd open_file(const std::string& rel) { return fs::open_untrusted(st_.fd.get(), rel, source_ + ": " + rel); }

  std::string read_small(const std::string& rel) { return fs::read_untrusted(st_.fd.get(), rel, source_ + ": " + rel, 64 << 20); }

  json read_json(const std::string& rel) { return parse_named(read_small(rel), rel); }

  // Every document of the archive: bounded nesting, errors naming the archive and the file.
  json parse_named(const std::string& bytes, const std::string& what) {
    try {
      return parse_json_bounded(bytes);
    } catch (const json::exception& e) {
      throw Error(source_ + ": " + what + ": invalid JSON: " + e.what());
    } catch (const JsonTooDeep& e) {
      throw Error(source_ + ": " + what + ": " + e.what());
    }
  }

  // Copies a file into the blob store, verifying its digest when one is expected.
  std::string copy_blob(const std::string& rel, const std::string& expected, std::int64_t size, const std::string& label) {
    if (!expected.empty() && store_.has_blob(expected)) return expected;
    auto fd = open_file(rel);
    auto w = store_.write_blob(label);
    std::vector<char> buf(1 << 20);
    for (;;) {
      ssize_t n = ::read(fd.get(), buf.data(), buf.size());
      if (n < 0) throw SystemError("read " + rel, errno);
      if (n == 0) break;
      w.write(buf.data(), static_cast<std::size_t>(n));
    }
    auto d = w.commit(expected, size);
    undo_.blobs.push_back(d);
    return d;
  }

  // "<hex>.json", "<hex>/layer.tar" or "blobs/sha256/<hex>": the digest the name promises.
  static std::string digest_from_path(const std::string& rel) {
    auto p = rel;
    if (p.rfind("blobs/sha256/", 0) == 0) p = p.substr(13);
    else if (p.size() == 69 && p.substr(64) == ".json") p = p.substr(0, 64);
    else return "";
    std::string d = "sha256:" + p;
    return is_valid_digest(d) ? d : "";
  }

  std::vector<LayerInfo> add_layers(const json& config, const std::vector<std::pair<std::string, std::string>>& blobs,
                                    const std::string& image_label) {
    auto diff_ids = config.contains("rootfs") ? config["rootfs"].value("diff_ids", json::array()) : json::array();
    if (diff_ids.size() != blobs.size())
      throw Error(source_ + ": " + image_label + ": config lists " + std::to_string(diff_ids.size()) + " layers but the manifest has " +
                  std::to_string(blobs.size()));
    std::vector<LayerInfo> layers;
    std::string parent;
    for (std::size_t i = 0; i < blobs.size(); ++i) {
      std::string label = source_ + ": " + image_label + ": layer " + std::to_string(i + 1) + " (" + blobs[i].first + ")";
      auto media = blobs[i].second.empty() ? sniff_layer_media_type(store_.blob_path(blobs[i].first)) : blobs[i].second;
      auto l = store_.add_layer(parent, blobs[i].first, diff_ids[i].get<std::string>(), media, label);
      undo_.layers.push_back(l.chain_id);
      layers.push_back(l);
      parent = l.chain_id;
    }
    return layers;
  }

  std::vector<std::string> load_docker() {
    auto manifest = read_json("manifest.json");
    if (!manifest.is_array()) throw Error(source_ + ": manifest.json: expected a JSON array");
    std::vector<std::string> lines;
    for (const auto& m : manifest) {
      std::string cfg_path = m.value("Config", "");
      std::string config_bytes = read_small(cfg_path);
      auto named = digest_from_path(cfg_path);
      std::string id = "sha256:" + sha256_hex(config_bytes);
      if (!named.empty() && named != id)
        throw Error(source_ + ": " + cfg_path + ": digest mismatch: expected " + named + ", got " + id);
      json config = parse_named(config_bytes, cfg_path);
      std::vector<std::pair<std::string, std::string>> blobs;
      for (const auto& lp : m.value("Layers", json::array())) {
        auto rel = lp.get<std::string>();
        blobs.emplace_back(copy_blob(rel, digest_from_path(rel), -1, source_ + ": layer " + rel), "");
      }
      auto layers = add_layers(config, blobs, "image " + id.substr(7, 12));
      store_.add_image(config_bytes, layers);
      auto tags = m.value("RepoTags", json::array());
      if (tags.is_null() || tags.empty()) lines.push_back("Loaded image ID: " + id);
      for (const auto& t : tags) {
        auto ref = Reference::parse(t.get<std::string>());
        store_.tag(ref, id);
        lines.push_back("Loaded image: " + ref.familiar());
      }
    }
    return lines;
  }

  std::string blob_rel(const std::string& digest) {
    if (!is_valid_digest(digest)) throw Error(source_ + ": invalid digest \"" + digest + "\" in index");
    return "blobs/sha256/" + digest.substr(7);
  }

  // Picks the manifest for this host from an index (linux/<host arch>, else the only one).
  json pick_platform(const json& index, const std::string& where) {
    auto arch = host_architecture();
    const json* only = nullptr;
    int count = 0;
    for (const auto& d : index.value("manifests", json::array())) {
      auto p = d.value("platform", json::object());
      if (p.value("os", "") == "unknown") continue;  // attestations
      ++count;
      only = &d;
      if (p.value("os", "linux") == "linux" && normalize_architecture(p.value("architecture", arch)) == arch) return d;
    }
    if (count == 1) return *only;
    throw Error(source_ + ": " + where + ": no image for linux/" + arch);
  }

  std::vector<std::string> load_oci() {
    auto index = read_json("index.json");
    std::vector<std::string> lines;
    for (const auto& desc : index.value("manifests", json::array())) {
      auto d = desc;
      auto annotations = d.value("annotations", json::object());
      while (d.value("mediaType", "") == kOciIndex || d.value("mediaType", "") == kDockerList) {
        std::string digest = d.value("digest", "");
        auto bytes = read_small(blob_rel(digest));
        if ("sha256:" + sha256_hex(bytes) != digest)
          throw Error(source_ + ": index " + digest + ": digest mismatch");
        d = pick_platform(parse_named(bytes, "index " + digest), "index " + digest);
      }
      std::string mdigest = d.value("digest", "");
      auto mbytes = read_small(blob_rel(mdigest));
      if ("sha256:" + sha256_hex(mbytes) != mdigest)
        throw Error(source_ + ": manifest " + mdigest + ": digest mismatch: got sha256:" + sha256_hex(mbytes));
      auto manifest = parse_named(mbytes, "manifest " + mdigest);
      std::string cdigest = manifest["config"].value("digest", "");
      auto config_bytes = read_small(blob_rel(cdigest));
      if ("sha256:" + sha256_hex(config_bytes) != cdigest)
        throw Error(source_ + ": config " + cdigest + ": digest mismatch: got sha256:" + sha256_hex(config_bytes));
      std::vector<std::pair<std::string, std::string>> blobs;
      for (const auto& l : manifest.value("layers", json::array())) {
        std::string ld = l.value("digest", "");
        auto got = copy_blob(blob_rel(ld), ld, l.value("size", std::int64_t{-1}), source_ + ": layer " + ld);
        blobs.emplace_back(got, l.value("mediaType", ""));
      }
      auto layers = add_layers(parse_named(config_bytes, "config " + cdigest), blobs, "image " + cdigest.substr(7, 12));
      ManifestInfo mi{mdigest, d.value("mediaType", manifest.value("mediaType", "")), mbytes};
      auto id = store_.add_image(config_bytes, layers, mi);
      // containerd's full name first, then the OCI ref name when it is a full reference.
      std::string name = annotations.value("io.containerd.image.name", "");
      if (name.empty()) {
        auto ref_name = annotations.value("org.opencontainers.image.ref.name", "");
        if (!ref_name.empty() && ref_name.find_first_of("/:") != std::string::npos) name = ref_name;
      }
      if (name.empty()) {
        lines.push_back("Loaded image ID: " + id);
      } else {
        auto ref = Reference::parse(name);
        if (ref.digest.empty()) store_.tag(ref, id);
        lines.push_back("Loaded image: " + ref.familiar());
      }
    }
    return lines;
  }

  ImageStore& store_;
  Staging& st_;
  std::string source_;
  Undo undo_;
};

}  // namespace

std::vector<std::string> load_archive(ImageStore& store, const std::string& source) {
  WriterLease lease(store);
  ArchiveSource in(source);
  Staging st;
  st.dir = store.root() / "content" / "tmp" / fs::owned_temp_name("load-");
  fs::make_dirs(st.dir / "x", 0700);
  std::string archive = in.fd_path();
  if (!in.regular()) {
    // A pipe or FIFO: libarchive reads it once, unbounded in time; spool it with bounded
    // reads so that a stalled writer ends the load, and so staging errors can name it.
    archive = (st.dir / "archive.tar").string();
    UniqueFd out(::open(archive.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (!out) throw SystemError("create " + archive, errno);
    std::vector<char> buf(1 << 20);
    while (std::size_t n = in.read(buf.data(), buf.size()))
      for (std::size_t off = 0; off < n;) {
        ssize_t w = ::write(out.get(), buf.data() + off, n - off);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) throw SystemError("write " + archive, errno);
        off += static_cast<std::size_t>(w);
      }
  }
  extract_layer(archive, st.dir / "x", in.label());
  st.fd.reset(::open((st.dir / "x").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!st.fd) throw SystemError("open " + (st.dir / "x").string(), errno);
  Loader loader(store, st, in.label());
  return loader.run();
}

}  // namespace mycompose::image
