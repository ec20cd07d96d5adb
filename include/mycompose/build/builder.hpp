#pragma once
// The Dockerfile builder: a build context + Dockerfile → an image in the ImageStore.
// Layers stay folders: RUN runs in a container (our runtime) on an overlay of the current
// layer folders and its upper folder becomes the next layer; COPY/ADD write through the same
// kind of overlay with every destination resolved inside the root. Steps are cached under
// <root>/build-cache/ (see engine/build/build_cache.hpp for the key).
// A new layer's diff id is computed when the step commits (ImageStore::add_layer_from_dir
// hashes the folder's tar stream, writing nothing): the chain id that names the layer folder
// and the image config (hence the image id) derive from it, so deferring it would mean
// renaming layers and re-identifying images later. It costs one read of the new layer's
// bytes, never for a cached step; save and push write the same tar again from the folder.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "mycompose/image/store.hpp"
#include "mycompose/runtime/spec_generator.hpp"

namespace mycompose::build {

struct BuildRequest {
  std::filesystem::path context = ".";   // build context folder
  std::filesystem::path dockerfile;      // "" = <context>/Dockerfile; relative = to the context
  std::string dockerfile_inline;         // when set, used instead of the file
  std::string target;                    // stage to build; "" = the last one
  // --build-arg / build.args. nullopt = KEY given without a value: taken from the environment.
  std::map<std::string, std::optional<std::string>> args;
  std::map<std::string, std::string> labels;  // added to the image config
  std::vector<std::string> tags;              // refs to point at the image
  // name → folder, or "docker-image://ref"; usable in FROM, COPY --from, RUN --mount from=.
  std::map<std::string, std::string> additional_contexts;
  bool no_cache = false;
  bool pull = false;                    // always pull FROM images (else only when missing)
  // RUN's network (build.network): ""/"default" a namespace of its own on the root's build
  // network (outbound NAT only), "none" lo only, "host" the host's (and allows RUN --network=host).
  std::string network;
  std::vector<std::string> extra_hosts; // "name:ip" or "name=ip"
  std::optional<std::int64_t> shm_size; // bytes for /dev/shm in RUN
  // RUN --mount=type=secret: id → where its value is read when a step asks for it (build.secrets,
  // --secret): a file, an environment variable of this process, or the value itself (a
  // project's variable, .env included). Never in a layer, the cache key or the history.
  struct SecretSource {
    std::string file;
    std::string env;
    std::optional<std::string> value;
  };
  std::map<std::string, SecretSource> secrets;
  // RUN --mount=type=ssh: id → agent sockets or private key files (build.ssh, --ssh);
  // empty = the agent of $SSH_AUTH_SOCK.
  std::map<std::string, std::vector<std::string>> ssh;
  // BuildKit's entitlements, granted by who runs the build (build.entitlements; build.privileged
  // is security.insecure): "security.insecure" lets RUN --security=insecure run with every
  // capability and no seccomp filter; "network.host" lets RUN --network=host.
  std::set<std::string> entitlements;
  std::vector<runtime::Ulimit> ulimits;      // RUN's rlimits (build.ulimits)
  std::vector<std::string> platforms;        // build.platforms: only the host's can be built here
  std::set<std::string> no_cache_stages;     // build.no_cache_filter: stages built without the cache
  // build.cache_from / cache_to of type local: folders to import step records from before the
  // build, and to export the built image's records to after it (engine/build/local_cache.hpp).
  std::vector<std::filesystem::path> cache_from;
  std::filesystem::path cache_to;
  std::string name;                     // prefix in progress lines ("web"), "" = none
};

struct BuildEvent {
  enum class Kind {
    Step,    // a step starts: text = "[web 2/5] RUN make"
    Cached,  // the step was found in the cache
    Output,  // a chunk of RUN output (text as written, not split)
    Done,    // the step finished: seconds set
    Error,   // the step failed: text = the message
    Canceled,  // the build was cancelled while the step ran (mycompose/build/cancel.hpp)
  };
  Kind kind = Kind::Step;
  int step = 0;          // the "#n" number, the same for every event of one step
  std::string text;
  double seconds = 0;
};
using ProgressSink = std::function<void(const BuildEvent&)>;

class Builder {
 public:
  // state_root holds build-cache/ and the build runtime's state; default: the store's root.
  explicit Builder(image::ImageStore& store, std::filesystem::path state_root = {});
  // Returns the image id ("sha256:…"). Throws mycompose::Error; Dockerfile problems are
  // "<Dockerfile>:<line>: <message>"; Canceled once cancelled (cancel.hpp).
  std::string build(const BuildRequest& request, const ProgressSink& progress = {});

 private:
  image::ImageStore& store_;
  std::filesystem::path root_;
};

}  // namespace mycompose::build
