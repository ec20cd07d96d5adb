// One instruction to what carries it out: RUN (step_run.cpp), COPY and ADD (step_copy.cpp),
// ARG and WORKDIR here, every other one a config change (stage_state.cpp).
#include <fcntl.h>

#include "build_job.hpp"
#include "child_process.hpp"
#include "in_root.hpp"
#include "mycompose/build/cancel.hpp"
#include "mycompose/common/error.hpp"
#include "mycompose/common/time_text.hpp"
#include "mycompose/common/unique_fd.hpp"
#include "mycompose/runtime/overlay.hpp"

namespace mycompose::build::job {
using nlohmann::json;

void Build::dispatch(StageState& s, const Instruction& ins, const StageDef& def) {
  const auto& kw = ins.keyword;
  try {
    if (kw == "ARG") do_arg(s, ins);
    else if (kw == "WORKDIR") do_workdir(s, ins);
    else if (kw == "RUN") do_run(s, ins);
    else if (kw == "COPY" || kw == "ADD") do_copy(s, ins, def);
    else {
      apply_metadata(s, ins, df_.escape);
      s.history.push_back({{"created", s.last_created.empty() ? now_rfc3339() : s.last_created},
                           {"created_by", ins.original},
                           {"comment", "buildkit.dockerfile.v0"},
                           {"empty_layer", true}});
    }
  } catch (const DockerfileError&) {
    throw;
  } catch (const Canceled&) {
    throw;
  } catch (const Error& e) {
    throw located(ins, e.what());
  }
}

void Build::do_arg(StageState& s, const Instruction& ins) {
  for (auto& [k, v] : key_values(ins, s.lookup(), df_.escape)) {
    auto given = build_arg(k);
    if (given) {
      used_args_.insert(k);
      s.args[k] = *given;
    } else if (v) {
      s.args[k] = *v;
    } else if (auto g = global_args_.find(k); g != global_args_.end()) {
      s.args[k] = g->second;
    }
  }
}

// WORKDIR makes its folder when the image lacks it (the runtime will chdir there), as a
// small layer; an existing folder adds no layer.
void Build::do_workdir(StageState& s, const Instruction& ins) {
  apply_metadata(s, ins, df_.escape);
  const std::string wd = s.config.value("WorkingDir", "/");
  const std::string created_by = ins.original;
  auto key = cache_key(s, "WORKDIR " + wd, "mkdir");
  auto record_history = [&](bool empty) {
    json h = {{"created", s.last_created.empty() ? now_rfc3339() : s.last_created}, {"created_by", created_by}, {"comment", "buildkit.dockerfile.v0"}};
    if (empty) h["empty_layer"] = true;
    s.history.push_back(h);
  };
  if (wd == "/") return record_history(true);
  if (!req_.no_cache && !s.cache_missed) {
    if (auto rec = cache_.lookup(key, store_)) {
      if (rec->layer.chain_id.empty()) return record_history(true);
      s.layers.push_back(rec->layer);
      s.last_created = rec->created;
      s.history.push_back({{"created", rec->created}, {"created_by", created_by}, {"comment", "buildkit.dockerfile.v0"}});
      emit(BuildEvent::Kind::Cached, step_, "CACHED");
      return;
    }
  }
  StepDirs dirs(root_ / "build" / "tmp");
  auto lowers = lower_dirs(s.layers);
  const std::string links = (root_ / "l").string();
  run_in_child([&] {
    runtime::mount_overlay(dirs.merged.string(), {lowers, dirs.upper.string(), dirs.work.string(), links});
    UniqueFd root(::open(dirs.merged.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root) throw SystemError("open " + dirs.merged.string(), errno);
    if (!stat_in_root(root.get(), wd)) make_dirs_in_root(root.get(), wd);
  });
  if (stdfs::is_empty(dirs.upper)) {
    cache_.put(key, CacheRecord{{}, ""});
    return record_history(true);
  }
  commit_layer(s, key, dirs, created_by);
}

}  // namespace mycompose::build::job
