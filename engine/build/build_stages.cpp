// Where a build's pieces come from: the Dockerfile and its .dockerignore, the stages and the
// ARGs before them, FROM bases (an earlier stage, scratch, an image pulled when missing) and
// the sources COPY --from and RUN --mount from= read.
#include <fcntl.h>

#include <algorithm>
#include <cstdlib>
#include <functional>

#include "build_job.hpp"
#include "mycompose/build/shell_lex.hpp"
#include "mycompose/common/error.hpp"
#include "mycompose/common/untrusted_file.hpp"
#include "mycompose/image/registry.hpp"

namespace mycompose::build::job {
using nlohmann::json;

std::optional<std::string> Build::build_arg(const std::string& name) const {
  auto it = req_.args.find(name);
  if (it == req_.args.end()) return std::nullopt;
  if (it->second) return it->second;
  if (const char* v = std::getenv(name.c_str())) return std::string(v);
  return std::nullopt;
}

// The ARGs before the first FROM (and buildkit's platform ones), for FROM lines.
VarLookup Build::global_lookup() const {
  return [this](std::string_view k) -> std::optional<std::string> {
    auto it = global_args_.find(std::string(k));
    if (it != global_args_.end()) return it->second;
    return std::nullopt;
  };
}

void Build::load_dockerfile() {
  std::string text, file;
  stdfs::path df_path;
  if (!req_.dockerfile_inline.empty()) {
    text = req_.dockerfile_inline;
    file = "Dockerfile";
  } else {
    stdfs::path p = req_.dockerfile.empty() ? stdfs::path("Dockerfile") : req_.dockerfile;
    df_path = p.is_absolute() ? p : req_.context / p;
    if (!stdfs::exists(df_path)) throw Error("failed to read dockerfile: open " + df_path.string() + ": no such file or directory");
    // The user's file, maybe a symlink they made, but context content all the same: a FIFO
    // there must not stall the build.
    text = fs::read_untrusted(AT_FDCWD, df_path, "Dockerfile " + df_path.string(), 16 << 20, {.in_root = false});
    file = p.filename().string();
  }
  df_ = parse_dockerfile(text, file);
  // <Dockerfile>.dockerignore beside the Dockerfile wins over the context's .dockerignore.
  stdfs::path ignore = req_.context / ".dockerignore";
  if (!df_path.empty()) {
    auto specific = df_path.parent_path() / (df_path.filename().string() + ".dockerignore");
    if (stdfs::exists(specific)) ignore = specific;
  }
  context_ = std::make_unique<BuildContext>(req_.context, ignore, root_ / "build-cache" / "stat");
}

void Build::split_stages() {
  // buildkit's automatic platform args: usable in FROM, and in a stage after `ARG NAME`.
  auto host = image::registry::default_platform();
  for (const char* side : {"BUILD", "TARGET"}) {
    std::string p(side);
    global_args_[p + "PLATFORM"] = host.str();
    global_args_[p + "OS"] = host.os;
    global_args_[p + "ARCH"] = host.architecture;
    global_args_[p + "VARIANT"] = host.variant;
  }
  for (const auto& ins : df_.instructions) {
    if (ins.keyword == "FROM") {
      StageDef d;
      d.index = stages_.size();
      d.from = &ins;
      auto words = split_words_keep_quotes(ins.rest, df_.escape);
      if (words.size() == 3) d.name = lower(words[2]);
      VarLookup globals = global_lookup();
      try {
        d.base = expand_word(words[0], globals, df_.escape);
      } catch (const Error& e) {
        throw located(ins, e.what());
      }
      if (d.base.empty()) throw located(ins, "base name (" + words[0] + ") should not be blank");
      stages_.push_back(std::move(d));
    } else if (stages_.empty()) {  // ARG before the first FROM
      VarLookup globals = global_lookup();
      for (auto& [k, v] : key_values(ins, globals, df_.escape)) {
        auto given = build_arg(k);
        if (given) used_args_.insert(k);
        if (given) global_args_[k] = *given;
        else if (v) global_args_[k] = *v;
      }
    } else {
      stages_.back().body.push_back(&ins);
    }
  }
}

const StageDef* Build::find_stage(const std::string& name, std::size_t before) const {
  auto l = lower(name);
  for (std::size_t i = 0; i < before && i < stages_.size(); ++i)
    if (stages_[i].name == l && !l.empty()) return &stages_[i];
  if (!name.empty() && std::all_of(name.begin(), name.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    auto i = std::stoul(name);
    if (i < before && i < stages_.size()) return &stages_[i];
  }
  return nullptr;
}

std::set<std::size_t> Build::needed_stages(std::size_t target) {
  std::set<std::size_t> need;
  std::function<void(std::size_t)> visit = [&](std::size_t i) {
    if (!need.insert(i).second) return;
    const auto& d = stages_[i];
    if (auto* s = find_stage(d.base, i)) visit(s->index);
    for (const auto* ins : d.body) {
      std::vector<std::string> refs;
      if (const auto* f = ins->flag("from"); f && (ins->keyword == "COPY")) refs.push_back(f->value);
      if (ins->keyword == "RUN")
        for (const auto& f : ins->flags)
          if (f.name == "mount") {
            auto p = f.value.find("from=");
            if (p != std::string::npos) refs.push_back(f.value.substr(p + 5, f.value.find(',', p) - p - 5));
          }
      for (const auto& r : refs)
        if (auto* s = find_stage(r, i)) visit(s->index);
    }
  };
  visit(target);
  return need;
}

std::string Build::image_for(const std::string& ref_text, const std::string& platform) {
  auto existing = store_.resolve(ref_text);
  if (existing && !req_.pull) {
    if (platform.empty()) return *existing;
    // FROM --platform: the local image must be of that platform, else it is pulled.
    auto cfg = store_.image_config(*existing);
    auto want = image::registry::parse_platform(platform);
    auto have = image::registry::normalize_platform(cfg.value("os", "linux"), cfg.value("architecture", ""), cfg.value("variant", ""));
    if (have.os == want.os && have.architecture == want.architecture && (want.variant.empty() || have.variant == want.variant))
      return *existing;
  }
  auto ref = image::Reference::parse(ref_text);
  try {
    image::registry::PullOptions po;
    if (!platform.empty()) po.platform = image::registry::parse_platform(platform);
    return image::registry::pull(store_, ref, po).image_id;
  } catch (const Error& e) {
    if (existing) throw;  // --pull asked for a newer one and could not get it
    throw Error("failed to resolve source metadata for " + ref.str() + ": " + e.what());
  }
}

StageState Build::from_base(StageDef& def) {
  StageState s;
  s.name = def.name.empty() ? "stage-" + std::to_string(def.index) : def.name;
  if (auto* prev = find_stage(def.base, def.index)) {
    StageState base = built_.at(prev->index);
    s.layers = base.layers;
    s.config = base.config;
    s.history = base.history;
    s.last_created = base.last_created;
    s.author = base.author;
    return s;
  }
  if (lower(def.base) == "scratch") {
    s.config = json{{"Env", {kDefaultPath}}};
    return s;
  }
  std::string ref = def.base;
  if (auto it = req_.additional_contexts.find(def.base); it != req_.additional_contexts.end()) {
    if (it->second.rfind("docker-image://", 0) != 0)
      throw located(*def.from, "FROM " + def.base + ": additional context " + it->second + " is not an image (docker-image://…)");
    ref = it->second.substr(15);
  }
  std::string id;
  try {
    std::string platform;
    if (const auto* f = def.from->flag("platform")) {
      platform = expand_word(f->value, global_lookup(), df_.escape);
    }
    id = image_for(ref, platform);
  } catch (const Error& e) {
    throw located(*def.from, e.what());
  }
  auto cfg = store_.image_config(id);
  s.layers = store_.image_layers(id);
  s.config = cfg.value("config", json::object());
  if (s.config.is_null()) s.config = json::object();
  if (!s.env("PATH")) s.set_env("PATH", std::string(kDefaultPath).substr(5));
  s.history = cfg.value("history", json::array());
  s.last_created = cfg.value("created", "");
  return s;
}

Source Build::source_named(const std::string& name, std::size_t before) {
  Source src;
  if (auto* st = find_stage(name, before); st && built_.count(st->index)) {
    src.kind = Source::Layers;
    src.layers = built_.at(st->index).layers;
    src.identity = "stage:" + built_.at(st->index).top_chain();
    return src;
  }
  if (auto it = req_.additional_contexts.find(name); it != req_.additional_contexts.end()) {
    if (it->second.rfind("docker-image://", 0) == 0) {
      auto id = image_for(it->second.substr(15));
      src.kind = Source::Layers;
      src.layers = store_.image_layers(id);
      src.identity = "image:" + id;
      return src;
    }
    auto& ctx = named_contexts_[name];
    if (!ctx) {
      stdfs::path dir = it->second;
      if (dir.is_relative()) dir = req_.context / dir;
      ctx = std::make_unique<BuildContext>(dir, dir / ".dockerignore", root_ / "build-cache" / "stat");
    }
    src.kind = Source::Context;
    src.context = ctx.get();
    return src;
  }
  auto id = image_for(name);
  src.kind = Source::Layers;
  src.layers = store_.image_layers(id);
  src.identity = "image:" + id;
  return src;
}

std::vector<std::string> Build::lower_dirs(const std::vector<image::LayerInfo>& layers) {
  std::vector<std::string> out;
  for (const auto& l : layers) out.push_back(store_.layer_dir(l.chain_id).string());
  if (out.empty()) {
    auto empty = root_ / "build" / "empty";
    fs::make_dirs(empty, 0755);
    out.push_back(empty.string());
  }
  return out;
}

}  // namespace mycompose::build::job
