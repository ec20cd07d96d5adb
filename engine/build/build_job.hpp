#pragma once
// One build while it runs (Builder::build makes one): the Dockerfile split into stages, the
// stages the target needs built in order, each instruction either a config change or a layer.
// Its parts live by concern:
//   builder.cpp        the driver: stages in order, the image written at the end
//   build_stages.cpp   where things come from: the Dockerfile, stages, FROM bases, --from sources
//   build_layers.cpp   the layer cache: keys, hits, committing a step's layer
//   step_dispatch.cpp  one instruction to its executor; ARG, WORKDIR and the metadata ones
//   step_run.cpp       RUN and its --mount, --network, --security
//   step_copy.cpp      COPY and ADD
#include <unistd.h>

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "build_cache.hpp"
#include "context.hpp"
#include "mycompose/build/builder.hpp"
#include "mycompose/build/dockerfile.hpp"
#include "mycompose/common/fs.hpp"
#include "mycompose/common/temp_name.hpp"
#include "mycompose/net/network_manager.hpp"
#include "run_step.hpp"
#include "stage_state.hpp"

namespace mycompose::build::job {
namespace stdfs = std::filesystem;

inline constexpr const char* kDefaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
// Docker's predefined args: usable without ARG, never in the image or the cache key.
inline const std::set<std::string> kProxyArgs = {"HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY",
                                                 "ftp_proxy",  "NO_PROXY",   "no_proxy",    "ALL_PROXY",   "all_proxy"};

inline std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The temporary folders of one layer step, removed with everything in them. Named
// "<pid>-<random>" so a later build can remove what a killed builder left (see
// remove_stale_step_dirs).
struct StepDirs {
  stdfs::path base, upper, work, merged;
  explicit StepDirs(const stdfs::path& tmp_root) {
    base = tmp_root / fs::owned_temp_name("");
    upper = base / "upper";
    work = base / "work";
    merged = base / "merged";
    for (const auto& d : {upper, work, merged}) fs::make_dirs(d, 0755);
  }
  ~StepDirs() {
    std::error_code ec;
    stdfs::remove_all(base, ec);
  }
  StepDirs(const StepDirs&) = delete;
};

void remove_stale_step_dirs(const stdfs::path& tmp_root);

struct StageDef {
  std::size_t index = 0;
  std::string name;       // lower-cased AS name, "" when none
  const Instruction* from = nullptr;
  std::vector<const Instruction*> body;
  std::string base;       // FROM image after substitution
};

struct Source {            // where COPY --from / RUN --mount from= read
  enum Kind { Context, Layers } kind = Context;
  BuildContext* context = nullptr;
  std::vector<image::LayerInfo> layers;
  std::string identity;    // for the cache key of Layers sources
};

class Build {
 public:
  Build(image::ImageStore& store, const stdfs::path& root, const BuildRequest& req, const ProgressSink& progress)
      : store_(store), root_(root), req_(req), progress_(progress), cache_(root / "build-cache") {}
  // RUN steps hold the build network for this process between steps; a killed builder's
  // hold ends with it (NetworkManager::prune_build_network).
  ~Build() {
    if (!holds_build_network_) return;
    try {
      net::NetworkManager(root_).release_build_network(::getpid());
    } catch (const std::exception&) {
      // `system check` finds a build network nobody holds.
    }
  }
  Build(const Build&) = delete;

  std::string run();
  const BuildCache& cache() const { return cache_; }

 private:
  void emit(BuildEvent::Kind kind, int step, std::string text, double seconds = 0) {
    if (progress_) progress_({kind, step, std::move(text), seconds});
  }
  DockerfileError located(const Instruction& ins, const std::string& msg) const { return DockerfileError(df_.file, ins.line, msg); }

  // builder.cpp
  StageState build_stage(StageDef& def);
  std::string step_label(const StageState& s, const StageDef& def, std::size_t pos) const;
  std::string image_config(const StageState& s) const;
  // build_stages.cpp
  void load_dockerfile();
  void split_stages();
  std::set<std::size_t> needed_stages(std::size_t target);
  const StageDef* find_stage(const std::string& name_or_index, std::size_t before) const;
  std::optional<std::string> build_arg(const std::string& name) const;
  VarLookup global_lookup() const;
  StageState from_base(StageDef& def);
  std::string image_for(const std::string& ref, const std::string& platform = "");
  Source source_named(const std::string& name, std::size_t before);
  std::vector<std::string> lower_dirs(const std::vector<image::LayerInfo>& layers);
  // build_layers.cpp
  std::string cache_key(const StageState& s, const std::string& text, const std::string& extra) const;
  bool try_cache(StageState& s, const std::string& key, const std::string& created_by, int step);
  void commit_layer(StageState& s, const std::string& key, StepDirs& dirs, const std::string& created_by);
  // step_dispatch.cpp
  void dispatch(StageState& s, const Instruction& ins, const StageDef& def);
  void do_arg(StageState& s, const Instruction& ins);
  void do_workdir(StageState& s, const Instruction& ins);
  // step_run.cpp
  void do_run(StageState& s, const Instruction& ins);
  RunNetwork run_network_of(const Instruction& ins) const;
  RunStep run_step_for(const StageState& s, const StepDirs& dirs, std::vector<std::string> argv, RunNetwork network,
                       bool insecure, std::vector<RunMount> mounts, const std::vector<std::string>& private_env);
  // step_copy.cpp
  void do_copy(StageState& s, const Instruction& ins, const StageDef& def);

  image::ImageStore& store_;
  stdfs::path root_;
  const BuildRequest& req_;
  const ProgressSink& progress_;
  BuildCache cache_;
  Dockerfile df_;
  std::unique_ptr<BuildContext> context_;
  std::map<std::string, std::unique_ptr<BuildContext>> named_contexts_;
  std::map<std::string, std::string> global_args_;
  std::vector<StageDef> stages_;
  std::map<std::size_t, StageState> built_;
  std::set<std::string> used_args_;
  int step_ = 0;
  std::size_t current_pos_ = 0, current_total_ = 0;
  bool holds_build_network_ = false;
  bool no_cache_stage_ = false;  // the stage being built is in no_cache_filter
};

}  // namespace mycompose::build::job
