// distribution-spec v2 push: each blob is checked with HEAD and uploaded when missing
// (POST, then one PUT for small blobs or PATCH chunks + PUT for large ones), then the
// manifest is PUT under the tag.
#include <fcntl.h>
#include <sys/stat.h>

#include <atomic>
#include <cstdlib>
#include <future>
#include <thread>

#include "mycompose/common/json_limits.hpp"
#include "mycompose/common/error.hpp"
#include "mycompose/common/sha256.hpp"
#include "mycompose/common/unique_fd.hpp"
#include "mycompose/image/registry.hpp"
#include "registry/pack_layer.hpp"
#include "registry/progress_sink.hpp"
#include "registry/session.hpp"

namespace mycompose::image::registry {
namespace {

constexpr std::uint64_t kMonolithicMax = 64ull << 20;
constexpr std::uint64_t kDefaultChunk = 16ull << 20;

struct PushBlob {
  std::string digest;
  std::string media_type;
  std::int64_t size = 0;
  std::filesystem::path path;
  bool show = true;  // layers show progress lines; the config does not
};

std::string sniff_layer_media_type(const std::filesystem::path& p) {
  unsigned char magic[4] = {};
  UniqueFd fd(::open(p.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd && ::read(fd.get(), magic, 4) == 4) {
    if (magic[0] == 0x1f && magic[1] == 0x8b) return media::kDockerLayerGzip;
    if (magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd) return media::kOciLayerZstd;
  }
  return "application/vnd.docker.image.rootfs.diff.tar";
}

std::string with_query(const Url& u, const std::string& kv) {
  return u.target + (u.target.find('?') == std::string::npos ? "?" : "&") + kv;
}

class Uploader {
 public:
  Uploader(Session& s, ProgressSink& progress, std::uint64_t chunk) : s_(s), progress_(progress), chunk_(chunk) {}

  // Returns false when the registry already had the blob.
  bool upload(HttpClient& http, const PushBlob& b, const std::string& what, const std::atomic<bool>& cancel) {
    std::string id = short_id(b.digest);
    std::string label = what + ": layer " + b.digest;
    auto check = [&](const HttpResponse& r, const std::string& verb, const Url& u) {
      if (!r.ok()) throw Error(label + ": " + verb + " " + u.str() + ": " + describe_error(r));
    };
    HttpRequest head;
    head.method = "HEAD";
    head.url = s_.url("/blobs/" + b.digest);
    auto hr = s_.send(http, head);
    if (hr.status == 200) {
      if (b.show) progress_.emit(id, "Layer already exists");
      return false;
    }
    if (hr.status != 404) check(hr, "HEAD", head.url);

    HttpRequest start;
    start.method = "POST";
    start.url = s_.url("/blobs/uploads/");
    auto sr = s_.send(http, start);
    check(sr, "POST", start.url);
    Url loc = start.url.resolve(sr.header("Location"));

    UniqueFd fd(::open(b.path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) throw SystemError(label + ": open " + b.path.string(), errno);
    auto total = static_cast<std::uint64_t>(b.size);
    // Reads [base+offset, +length) of the file; replayable, so a 401 retry can resend it.
    auto provider_from = [&](std::uint64_t base) {
      return [&, base](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
        if (cancel) return false;
        char buf[1 << 16];
        std::size_t n = std::min(length, sizeof buf);
        ssize_t got = ::pread(fd.get(), buf, n, static_cast<off_t>(base + offset));
        if (got <= 0) return false;
        sink.write(buf, static_cast<std::size_t>(got));
        if (b.show) progress_.bytes(id, "Pushing", base + offset + static_cast<std::uint64_t>(got), total);
        return true;
      };
    };

    std::uint64_t monolithic_max = chunk_ ? chunk_ : kMonolithicMax;
    std::uint64_t chunk = chunk_ ? chunk_ : kDefaultChunk;
    if (total <= monolithic_max) {
      HttpRequest put;
      put.method = "PUT";
      put.url = loc;
      put.url.target = with_query(loc, "digest=" + b.digest);
      put.content_length = total;
      put.provider = provider_from(0);
      if (total == 0) put.provider = nullptr;
      auto pr = s_.send(http, put);
      check(pr, "PUT", loc);
    } else {
      for (std::uint64_t off = 0; off < total; off += chunk) {
        std::uint64_t len = std::min(chunk, total - off);
        HttpRequest patch;
        patch.method = "PATCH";
        patch.url = loc;
        patch.headers.emplace("Content-Range", std::to_string(off) + "-" + std::to_string(off + len - 1));
        patch.content_length = len;
        patch.provider = provider_from(off);
        auto pr = s_.send(http, patch);
        check(pr, "PATCH", loc);
        if (pr.headers.count("Location")) loc = loc.resolve(pr.header("Location"));
      }
      HttpRequest put;
      put.method = "PUT";
      put.url = loc;
      put.url.target = with_query(loc, "digest=" + b.digest);
      auto pr = s_.send(http, put);
      check(pr, "PUT", loc);
    }
    if (b.show) progress_.emit(id, "Pushed");
    return true;
  }

 private:
  Session& s_;
  ProgressSink& progress_;
  std::uint64_t chunk_;
};

std::uint64_t chunk_from_env(std::uint64_t given) {
  if (given) return given;
  // Knob for tests and slow links: MYCOMPOSE_PUSH_CHUNK_SIZE=<bytes> uploads blobs larger
  // than that in PATCH chunks of that size.
  if (const char* v = std::getenv("MYCOMPOSE_PUSH_CHUNK_SIZE"); v && *v) return std::strtoull(v, nullptr, 10);
  return 0;
}

// The manifest to push: the one recorded at pull/load when it still describes this image,
// otherwise a new Docker schema 2 manifest (OCI when a layer is zstd, which schema 2 lacks).
std::pair<std::string, std::string> manifest_for(ImageStore& store, const std::string& image_id, const std::string& id,
                                                 const std::string& config, const std::vector<PushBlob>& layers) {
  if (auto m = store.image_manifest(image_id); m && !m->bytes.empty() && is_manifest_media_type(m->media_type)) {
    try {
      auto parsed = parse_manifest(parse_json_bounded(m->bytes), m->media_type, "recorded manifest");
      bool same = parsed.config.digest == id && parsed.layers.size() == layers.size();
      for (std::size_t i = 0; same && i < layers.size(); ++i) same = parsed.layers[i].digest == layers[i].digest;
      if (same) return {m->bytes, m->media_type};
    } catch (const std::exception&) {
    }
  }
  bool oci = false;
  for (const auto& l : layers) oci = oci || l.media_type.find("zstd") != std::string::npos;
  nlohmann::ordered_json doc;
  doc["schemaVersion"] = 2;
  doc["mediaType"] = oci ? media::kOciManifest : media::kDockerManifest;
  doc["config"] = {{"mediaType", oci ? media::kOciConfig : media::kDockerConfig},
                   {"size", config.size()},
                   {"digest", id}};
  doc["layers"] = nlohmann::ordered_json::array();
  for (const auto& l : layers) {
    std::string mt = l.media_type;
    if (oci && mt == media::kDockerLayerGzip) mt = media::kOciLayerGzip;
    if (oci && mt == "application/vnd.docker.image.rootfs.diff.tar") mt = media::kOciLayerTar;
    doc["layers"].push_back({{"mediaType", mt}, {"size", l.size}, {"digest", l.digest}});
  }
  return {doc.dump(3), doc["mediaType"].get<std::string>()};
}

// The image as it is pushed: its layers as blobs (a layer that exists only unpacked is packed
// now; `packed` gets those blobs, removed again after the push) and its config, whose digest
// changes when a re-packed layer's tar differs from the original.
struct PushContent {
  std::vector<PushBlob> layers;
  std::string config;
  std::string config_digest;
};

PushContent push_content(ImageStore& store, const std::string& id, const std::string& what, std::vector<std::string>& packed) {
  PushContent c{{}, store.image_config_bytes(id), id};
  auto image_layers = store.image_layers(id);
  for (std::size_t i = 0; i < image_layers.size(); ++i) {
    auto l = image_layers[i];
    if (l.blob.empty() || !store.has_blob(l.blob)) {
      auto p = pack_layer(store, store.layer_dir(l.chain_id), what + ": layer " + l.diff_id);
      packed.push_back(p.blob);
      l.blob = p.blob;
      l.media_type = media::kDockerLayerGzip;
      if (p.diff_id != l.diff_id) {
        // Our tar of the folder is not byte-identical to the original: the pushed config
        // names the layer by the tar actually sent.
        auto doc = parse_json_bounded(c.config);
        doc["rootfs"]["diff_ids"][i] = p.diff_id;
        c.config = doc.dump();
        c.config_digest = "sha256:" + sha256_hex(c.config);
      }
    }
    PushBlob b;
    b.digest = l.blob;
    b.path = store.blob_path(l.blob);
    struct stat st {};
    check_syscall(::stat(b.path.c_str(), &st), "stat " + b.path.string());
    b.size = st.st_size;
    b.media_type = l.media_type.empty() ? sniff_layer_media_type(b.path) : l.media_type;
    c.layers.push_back(std::move(b));
  }
  if (c.config_digest != id) {
    store.put_blob(c.config, c.config_digest);
    packed.push_back(c.config_digest);
  }
  return c;
}

// Every blob on up to `parallel` threads; the first error cancels the others and is thrown.
void upload_blobs(Uploader& uploader, const std::vector<PushBlob>& blobs, int parallel, const std::string& what) {
  std::atomic<std::size_t> next{0};
  std::atomic<bool> cancel{false};
  std::exception_ptr first_error;
  std::mutex err_mu;
  {
    std::vector<std::thread> threads;
    int n = std::max(1, std::min<int>(parallel, static_cast<int>(blobs.size())));
    for (int t = 0; t < n; ++t)
      threads.emplace_back([&] {
        HttpClient h;
        for (;;) {
          std::size_t i = next++;
          if (i >= blobs.size() || cancel) return;
          try {
            uploader.upload(h, blobs[i], what, cancel);
          } catch (...) {
            std::lock_guard lock(err_mu);
            if (!first_error) first_error = std::current_exception();
            cancel = true;
          }
        }
      });
    for (auto& t : threads) t.join();
  }
  if (first_error) std::rethrow_exception(first_error);
}

}  // namespace

PushResult push(ImageStore& store, const std::string& local, const Reference& target, const PushOptions& options) {
  const std::string what = target.familiar();
  ProgressSink progress(options.progress);
  const std::string id = store.resolve_or_throw(local);

  // Blobs made here for layers that exist only unpacked; removed again after the push.
  std::vector<std::string> packed_blobs;
  struct Cleanup {
    ImageStore& store;
    std::vector<std::string>& blobs;
    ~Cleanup() {
      for (const auto& b : blobs) store.remove_blob_if_unused(b);
    }
  } cleanup{store, packed_blobs};
  const PushContent content = push_content(store, id, what, packed_blobs);
  auto [manifest, manifest_type] = manifest_for(store, id, content.config_digest, content.config, content.layers);

  Session session(target.domain, target.path, "pull,push");
  HttpClient http;
  try {
    session.authenticate(http);
  } catch (const Error& e) {
    throw Error(what + ": " + e.what());
  }
  progress.emit("", "The push refers to repository [" + target.familiar_name() + "]");
  for (auto it = content.layers.rbegin(); it != content.layers.rend(); ++it) progress.emit(short_id(it->digest), "Preparing");

  std::vector<PushBlob> blobs = content.layers;
  PushBlob cfg;
  cfg.digest = content.config_digest;
  cfg.path = store.blob_path(content.config_digest);
  cfg.size = static_cast<std::int64_t>(content.config.size());
  cfg.show = false;
  blobs.push_back(cfg);
  Uploader uploader(session, progress, chunk_from_env(options.chunk_size));
  upload_blobs(uploader, blobs, options.parallel, what);

  HttpRequest put;
  put.method = "PUT";
  put.url = session.url("/manifests/" + (target.tag.empty() ? target.digest : target.tag));
  put.body = manifest;
  put.content_type = manifest_type;
  auto r = session.send(http, put);
  if (!r.ok()) throw Error(what + ": PUT manifest " + put.url.str() + ": " + describe_error(r));

  PushResult result;
  result.manifest_digest = "sha256:" + sha256_hex(manifest);
  result.manifest_size = manifest.size();
  Reference digested = target;
  digested.tag.clear();
  digested.digest = result.manifest_digest;
  if (content.config_digest == id) store.add_repo_digest(digested, id);  // else the registry holds a re-packed variant
  progress.emit("", (target.tag.empty() ? std::string("") : target.tag + ": ") + "digest: " + result.manifest_digest +
                        " size: " + std::to_string(result.manifest_size));
  return result;
}

void verify_login(const std::string& domain_in, const Credentials& credentials) {
  std::string domain = domain_in.empty() ? "docker.io" : domain_in;
  Session session(domain, "", "", credentials);
  HttpClient http;
  HttpResponse r;
  try {
    session.authenticate(http);
    HttpRequest req;
    req.url = session.url("");
    r = session.send(http, req);
  } catch (const Error& e) {
    throw Error("login to " + domain + " failed: " + e.what());
  }
  if (!r.ok()) throw Error("login to " + domain + " failed: " + describe_error(r));
}

}  // namespace mycompose::image::registry
