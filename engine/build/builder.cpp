// Builder::build: Dockerfile → stages the target needs → per instruction either a config
// change or a layer (RUN/COPY/ADD, looked up in the cache first) → image in the store. The
// build itself is job::Build (build_job.hpp says where each of its parts lives).
#include "mycompose/build/builder.hpp"

#include <chrono>
#include <functional>
#include <set>

#include "build_job.hpp"
#include "local_cache.hpp"
#include "mycompose/build/cancel.hpp"
#include "mycompose/build/dockerfile.hpp"
#include "mycompose/common/error.hpp"
#include "mycompose/common/sha256.hpp"
#include "mycompose/common/time_text.hpp"
#include "mycompose/image/registry.hpp"

namespace mycompose::build {
namespace stdfs = std::filesystem;

namespace job {
using nlohmann::json;

void remove_stale_step_dirs(const stdfs::path& tmp_root) {
  std::error_code ec;
  for (const auto& e : stdfs::directory_iterator(tmp_root, ec))
    if (!fs::temp_owner_alive(e.path().filename().string(), "")) stdfs::remove_all(e.path(), ec);  // its builder is gone
}

std::string Build::step_label(const StageState& s, const StageDef&, std::size_t pos) const {
  std::string label = "[";
  if (!req_.name.empty()) label += req_.name + " ";
  if (stages_.size() > 1) label += s.name + " ";
  return label + std::to_string(pos) + "/" + std::to_string(current_total_) + "]";
}

StageState Build::build_stage(StageDef& def) {
  std::size_t total = 1;
  for (const auto* ins : def.body)
    if (ins->keyword == "RUN" || ins->keyword == "COPY" || ins->keyword == "ADD" || ins->keyword == "WORKDIR") ++total;
  current_total_ = total;
  std::size_t pos = 1;
  auto timed = [&](const std::string& text, const std::function<void()>& fn) {
    throw_if_canceled();
    int step = ++step_;
    emit(BuildEvent::Kind::Step, step, text);
    auto t0 = std::chrono::steady_clock::now();
    try {
      fn();
      throw_if_canceled();  // a step that ended as the signal came is not done
    } catch (const Canceled&) {
      emit(BuildEvent::Kind::Canceled, step, "");
      throw;
    } catch (const Error& e) {
      emit(BuildEvent::Kind::Error, step, e.what());
      throw;
    }
    emit(BuildEvent::Kind::Done, step, "", std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  };
  no_cache_stage_ = !def.name.empty() && req_.no_cache_stages.count(def.name);
  StageState s;
  StageState probe;
  probe.name = def.name.empty() ? "stage-" + std::to_string(def.index) : def.name;
  timed(step_label(probe, def, pos++) + " FROM " + def.base, [&] { s = from_base(def); });
  // ONBUILD triggers of the base image run first, then are dropped.
  if (s.config.contains("OnBuild") && s.config["OnBuild"].is_array() && !s.config["OnBuild"].empty()) {
    auto triggers = s.config["OnBuild"];
    s.config.erase("OnBuild");
    for (const auto& t : triggers) {
      auto sub = parse_dockerfile("FROM scratch\n" + t.get<std::string>(), df_.file + " (ONBUILD)");
      for (std::size_t i = 1; i < sub.instructions.size(); ++i) {
        const auto& ins = sub.instructions[i];
        timed(step_label(s, def, pos) + " ONBUILD " + ins.original, [&] { dispatch(s, ins, def); });
      }
    }
  }
  for (const auto* ins : def.body) {
    if (ins->keyword == "RUN" || ins->keyword == "COPY" || ins->keyword == "ADD" || ins->keyword == "WORKDIR") {
      std::string text = ins->original;
      timed(step_label(s, def, pos++) + " " + text, [&] { dispatch(s, *ins, def); });
    } else {
      dispatch(s, *ins, def);
    }
  }
  return s;
}

std::string Build::image_config(const StageState& s) const {
  json cfg;
  cfg["architecture"] = "amd64";
#if defined(__aarch64__)
  cfg["architecture"] = "arm64";
#endif
  cfg["os"] = "linux";
  std::string created = s.last_created.empty() ? now_rfc3339() : s.last_created;
  cfg["created"] = created;
  if (!s.author.empty()) cfg["author"] = s.author;
  json config = s.config;
  if (!req_.labels.empty()) {
    if (!config.contains("Labels") || !config["Labels"].is_object()) config["Labels"] = json::object();
    for (const auto& [k, v] : req_.labels) config["Labels"][k] = v;
  }
  cfg["config"] = config;
  json diff_ids = json::array();
  for (const auto& l : s.layers) diff_ids.push_back(l.diff_id);
  cfg["rootfs"] = {{"type", "layers"}, {"diff_ids", diff_ids}};
  cfg["history"] = s.history;
  return cfg.dump();
}

std::string Build::run() {
  load_dockerfile();
  split_stages();
  std::size_t target = stages_.size() - 1;
  if (!req_.target.empty()) {
    auto* t = find_stage(req_.target, stages_.size());
    if (!t || t->name != lower(req_.target)) throw Error("target stage \"" + req_.target + "\" could not be found");
    target = t->index;
  }
  auto need = needed_stages(target);
  for (auto i : need) built_.emplace(i, build_stage(stages_[i]));
  throw_if_canceled();
  context_->save();
  for (auto& [_, c] : named_contexts_) c->save();
  const auto& final_stage = built_.at(target);
  // Image layers must be full image layers: fill in what add_image checks.
  std::vector<image::LayerInfo> layers;
  for (const auto& l : final_stage.layers) {
    auto info = store_.layer_info(l.chain_id);
    layers.push_back(info ? *info : l);
  }
  auto config = image_config(final_stage);
  // A no-change rebuild makes the same config: leave images.json alone (no rewrite, no fsync).
  std::string id = "sha256:" + sha256_hex(config);
  if (store_.resolve(id) != id) id = store_.add_image(config, layers);
  for (const auto& t : req_.tags) {
    auto ref = image::Reference::parse(t);
    if (store_.resolve(ref.str()) != id) store_.tag(ref, id);
  }
  return id;
}

}  // namespace job

using job::Build;
using job::lower;
using job::remove_stale_step_dirs;

Builder::Builder(image::ImageStore& store, stdfs::path state_root)
    : store_(store), root_(state_root.empty() ? store.root() : std::move(state_root)) {}

std::string Builder::build(const BuildRequest& request, const ProgressSink& progress) {
  BuildRequest req = request;
  req.context = stdfs::absolute(req.context).lexically_normal();
  // RUN executes the image's programs here: only the host's platform can be built.
  const auto host = image::registry::default_platform();
  for (const auto& p : req.platforms) {
    image::registry::Platform want;
    try {
      want = image::registry::parse_platform(p);
    } catch (const std::exception& e) {
      throw Error("build platform \"" + p + "\": " + e.what());
    }
    if (want.str() != host.str())
      throw Error("build platform " + want.str() + " is not supported: this builder builds for the host's platform (" + host.str() + ") only");
  }
  std::set<std::string> stages;
  for (const auto& stage : req.no_cache_stages) stages.insert(lower(stage));
  req.no_cache_stages = stages;
  remove_stale_step_dirs(root_ / "build" / "tmp");
  Build b(store_, root_, req, progress);
  for (const auto& dir : req.cache_from) import_local_cache(store_, b.cache(), dir);
  auto id = b.run();
  if (!req.cache_to.empty()) export_local_cache(store_, b.cache(), id, req.cache_to);
  return id;
}

}  // namespace mycompose::build
