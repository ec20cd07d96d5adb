// distribution-spec v2 pull: manifest (or index → platform manifest), config, layers
// downloaded in parallel and unpacked in order, then the image and tag are recorded — last,
// so an interrupted pull never leaves a half image behind.
#include <sys/file.h>

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <future>
#include <set>
#include <thread>

#include "mycompose/common/json_limits.hpp"
#include "mycompose/common/error.hpp"
#include "mycompose/common/sha256.hpp"
#include "mycompose/common/unique_fd.hpp"
#include "mycompose/image/registry.hpp"
#include "registry/progress_sink.hpp"
#include "registry/session.hpp"
#include "registry/store_hygiene.hpp"

namespace mycompose::image::registry {
namespace {

constexpr std::size_t kMaxManifestBytes = 4 << 20;
constexpr std::size_t kMaxConfigBytes = 16 << 20;

struct Fetched {
  std::string bytes;
  std::string media_type;
  std::string digest;
  nlohmann::json doc;
};

// Test hook: MYCOMPOSE_TEST_PULL_KILL_AFTER_BYTES=N kills this process with SIGKILL once N
// layer bytes have arrived, so tests can interrupt a pull at a known point.
void maybe_kill_for_test(std::uint64_t bytes_so_far) {
  static const long long limit = [] {
    const char* v = std::getenv("MYCOMPOSE_TEST_PULL_KILL_AFTER_BYTES");
    return v ? std::atoll(v) : -1LL;
  }();
  if (limit >= 0 && bytes_so_far >= static_cast<std::uint64_t>(limit)) ::kill(::getpid(), SIGKILL);
}

Fetched fetch_manifest(Session& s, HttpClient& http, const Reference& ref, const std::string& tag_or_digest,
                       const std::string& what) {
  HttpRequest req;
  req.url = s.url("/manifests/" + tag_or_digest);
  req.headers.emplace("Accept", manifest_accept_header());
  HttpResponse r;
  try {
    r = s.send(http, req);
  } catch (const Error& e) {
    throw Error(what + ": " + e.what());
  }
  if (r.status == 404)
    throw Error("manifest for " + what + " not found: " + describe_error(r));
  if (r.status == 401 || r.status == 403)
    throw Error("pull access denied for " + ref.familiar_name() +
                ", repository does not exist or may require 'mycompose login': " + describe_error(r));
  if (!r.ok()) throw Error(what + ": GET " + req.url.str() + ": " + describe_error(r));
  if (r.body.size() > kMaxManifestBytes) throw Error(what + ": manifest larger than 4 MiB refused");
  Fetched f;
  f.bytes = std::move(r.body);
  f.digest = "sha256:" + sha256_hex(f.bytes);
  if (is_valid_digest(tag_or_digest) && f.digest != tag_or_digest)
    throw Error(what + ": manifest digest mismatch: expected " + tag_or_digest + ", got " + f.digest);
  try {
    f.doc = parse_json_bounded(f.bytes);
  } catch (const nlohmann::json::exception& e) {
    throw Error(what + ": manifest is not valid JSON: " + e.what());
  }
  f.media_type = detect_media_type(f.doc, r.header("Content-Type"));
  return f;
}

// Small blob (the image config) into memory, verified.
std::string fetch_small_blob(Session& s, HttpClient& http, const Descriptor& d, const std::string& label) {
  HttpRequest req;
  req.url = s.url("/blobs/" + d.digest);
  std::string body;
  req.receiver = [&](const char* data, std::size_t n) {
    if (body.size() + n > kMaxConfigBytes) return false;
    body.append(data, n);
    return true;
  };
  HttpResponse r;
  try {
    r = s.send(http, req);
  } catch (const Error& e) {
    throw Error(label + ": " + e.what());
  }
  if (!r.ok()) throw Error(label + ": GET " + req.url.str() + ": " + describe_error(r));
  std::string got = "sha256:" + sha256_hex(body);
  if (got != d.digest) throw Error(label + ": digest mismatch: expected " + d.digest + ", got " + got);
  return body;
}

struct LayerJob {
  Descriptor desc;
  std::string diff_id;
  std::string label;
  bool download = false;
  std::promise<void> done;
  std::shared_future<void> ready;
};

// Downloads layers on a bounded set of threads; destruction cancels and joins.
class Downloader {
 public:
  Downloader(Session& s, ImageStore& store, ProgressSink& progress, std::vector<LayerJob>& jobs, int parallel,
             std::set<std::string>& new_blobs, std::mutex& new_blobs_mu)
      : s_(s), store_(store), progress_(progress), jobs_(jobs), new_blobs_(new_blobs), new_blobs_mu_(new_blobs_mu) {
    int n = std::max(1, std::min<int>(parallel, static_cast<int>(jobs.size())));
    for (int i = 0; i < n; ++i) threads_.emplace_back([this] { work(); });
  }
  ~Downloader() {
    cancel_ = true;
    for (auto& t : threads_) t.join();
  }
  // The error that started a cancellation, not the "canceled" of the jobs it stopped.
  void wait(LayerJob& job) {
    try {
      job.ready.get();
    } catch (...) {
      cancel_ = true;
      for (auto& t : threads_) t.join();
      threads_.clear();
      if (first_error_) std::rethrow_exception(first_error_);
      throw;
    }
  }

 private:
  void work() {
    HttpClient http;
    for (;;) {
      std::size_t i = next_++;
      if (i >= jobs_.size()) return;
      auto& job = jobs_[i];
      try {
        if (cancel_) throw Error(job.label + ": canceled");
        if (job.download) download(http, job);
        job.done.set_value();
      } catch (...) {
        if (!cancel_.exchange(true)) first_error_ = std::current_exception();
        job.done.set_exception(std::current_exception());
      }
    }
  }

  void download(HttpClient& http, LayerJob& job) {
    const auto& d = job.desc;
    std::string id = short_id(d.digest);
    auto total = static_cast<std::uint64_t>(d.size);
    auto writer = store_.write_blob(job.label);
    std::uint64_t got = 0;
    HttpRequest req;
    req.url = s_.url("/blobs/" + d.digest);
    req.receiver = [&](const char* data, std::size_t n) {
      if (cancel_) return false;
      writer.write(data, n);
      got += n;
      progress_.bytes(id, "Downloading", got, total);
      maybe_kill_for_test(total_bytes_ += n);
      return true;
    };
    HttpResponse r;
    try {
      r = s_.send(http, req);
    } catch (const Error& e) {
      throw Error(job.label + ": " + e.what());
    }
    if (!r.ok()) throw Error(job.label + ": GET " + req.url.str() + ": " + describe_error(r));
    progress_.emit(id, "Verifying Checksum");
    writer.commit(d.digest, d.size);
    {
      std::lock_guard lock(new_blobs_mu_);
      new_blobs_.insert(d.digest);
    }
    progress_.emit(id, "Download complete");
  }

  Session& s_;
  ImageStore& store_;
  ProgressSink& progress_;
  std::vector<LayerJob>& jobs_;
  std::set<std::string>& new_blobs_;
  std::mutex& new_blobs_mu_;
  std::atomic<std::size_t> next_{0};
  std::atomic<bool> cancel_{false};
  std::atomic<std::uint64_t> total_bytes_{0};
  std::exception_ptr first_error_;
  std::vector<std::thread> threads_;
};

}  // namespace

PullResult pull(ImageStore& store, const Reference& ref, const PullOptions& options) {
  const std::string what = ref.familiar();
  ProgressSink progress(options.progress);
  Platform platform = options.platform ? *options.platform : default_platform();
  StoreHygiene hygiene(store);  // removes what killed pulls left, then marks us as active

  Session session(ref.domain, ref.path, "pull");
  HttpClient http;
  try {
    session.authenticate(http);
  } catch (const Error& e) {
    throw Error(what + ": " + e.what());
  }
  std::string tag_or_digest = ref.digest.empty() ? ref.tag : ref.digest;
  Fetched top = fetch_manifest(session, http, ref, tag_or_digest, what);
  progress.emit(tag_or_digest, "Pulling from " + ref.path);
  Fetched man = top;
  if (is_index_media_type(top.media_type)) {
    auto index = parse_index(top.doc, top.media_type, what);
    auto chosen = select_platform(index, platform);
    if (!chosen) throw Error(what + ": no matching manifest for " + platform.str() + " in the manifest list entries");
    man = fetch_manifest(session, http, ref, chosen->digest, what);
  }
  Manifest manifest = parse_manifest(man.doc, man.media_type, what);

  std::string config = fetch_small_blob(session, http, manifest.config, what + ": config " + manifest.config.digest);
  nlohmann::json config_doc;
  try {
    config_doc = parse_json_bounded(config);
  } catch (const nlohmann::json::exception& e) {
    throw Error(what + ": image config is not valid JSON: " + e.what());
  }
  auto diff_ids = config_doc.contains("rootfs") ? config_doc["rootfs"].value("diff_ids", nlohmann::json::array())
                                                 : nlohmann::json::array();
  if (diff_ids.size() != manifest.layers.size())
    throw Error(what + ": manifest has " + std::to_string(manifest.layers.size()) +
                " layers but the image config lists " + std::to_string(diff_ids.size()) + " diff ids");

  PullResult result;
  result.manifest_digest = man.digest;
  Reference digested = ref;
  digested.tag.clear();
  digested.digest = top.digest;

  // Already here (same config = same image id): only the names may be new.
  std::string config_id = manifest.config.digest;
  if (auto existing = store.resolve(config_id); existing && *existing == config_id) {
    auto current = ref.tag.empty() ? std::nullopt : store.resolve(ref.str());
    result.image_id = config_id;
    result.up_to_date = current && *current == config_id;
    if (!ref.tag.empty()) store.tag(ref, config_id);
    store.add_repo_digest(digested, config_id);
    progress.emit("", "Digest: " + top.digest);
    progress.emit("", (result.up_to_date ? "Status: Image is up to date for " : "Status: Downloaded newer image for ") + what);
    return result;
  }

  std::vector<LayerJob> jobs(manifest.layers.size());
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    auto& j = jobs[i];
    j.desc = manifest.layers[i];
    j.diff_id = diff_ids[i].is_string() ? diff_ids[i].get<std::string>() : "";
    if (!is_valid_digest(j.diff_id)) throw Error(what + ": image config has an invalid diff id at layer " + std::to_string(i));
    j.label = what + ": layer " + j.desc.digest;
    j.download = !store.has_blob(j.desc.digest);
    j.ready = j.done.get_future().share();
    progress.emit(short_id(j.desc.digest), j.download ? "Pulling fs layer" : "Already exists");
  }

  std::set<std::string> new_blobs;
  std::mutex new_blobs_mu;
  std::vector<std::string> new_layers;
  try {
    std::vector<LayerInfo> layers;
    {
      Downloader downloader(session, store, progress, jobs, options.parallel, new_blobs, new_blobs_mu);
      std::string parent;
      for (auto& j : jobs) {
        downloader.wait(j);  // rethrows the download's error
        std::string chain = ImageStore::chain_id(parent, j.diff_id);
        bool had_layer = store.has_layer(chain);
        if (j.download) progress.emit(short_id(j.desc.digest), "Extracting");
        layers.push_back(store.add_layer(parent, j.desc.digest, j.diff_id, j.desc.media_type, j.label));
        if (!had_layer) new_layers.push_back(layers.back().chain_id);
        if (j.download) progress.emit(short_id(j.desc.digest), "Pull complete");
        parent = layers.back().chain_id;
      }
    }
    result.image_id = store.add_image(config, layers, ManifestInfo{man.digest, man.media_type, man.bytes});
  } catch (...) {
    hygiene.discard(new_blobs, new_layers);
    throw;
  }
  if (!ref.tag.empty()) store.tag(ref, result.image_id);
  store.add_repo_digest(digested, result.image_id);
  progress.emit("", "Digest: " + top.digest);
  progress.emit("", "Status: Downloaded newer image for " + what);
  return result;
}

}  // namespace mycompose::image::registry
