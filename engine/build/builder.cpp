// Builder::build: Dockerfile → stages the target needs → per instruction either a config
// change or a layer (RUN/COPY/ADD, looked up in the cache first) → image in the store.
#include "mycompose/build/builder.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <fnmatch.h>
#include <random>
#include <set>

#include "build_cache.hpp"
#include "child_process.hpp"
#include "context.hpp"
#include "copy_files.hpp"
#include "fetch_url.hpp"
#include "in_root.hpp"
#include "mycompose/build/dockerfile.hpp"
#include "mycompose/build/shell_lex.hpp"
#include "mycompose/common/error.hpp"
#include "mycompose/common/fs.hpp"
#include "mycompose/common/temp_name.hpp"
#include "mycompose/common/untrusted_file.hpp"
#include "mycompose/common/sha256.hpp"
#include "mycompose/image/registry.hpp"
#include "mycompose/net/network_manager.hpp"
#include "mycompose/runtime/overlay.hpp"
#include "mycompose/runtime/spec_generator.hpp"
#include "local_cache.hpp"
#include "run_secrets.hpp"
#include "run_step.hpp"
#include "stage_state.hpp"

namespace mycompose::build {
namespace stdfs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kDefaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
// Docker's predefined args: usable without ARG, never in the image or the cache key.
const std::set<std::string> kProxyArgs = {"HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY",
                                          "ftp_proxy",  "NO_PROXY",   "no_proxy",    "ALL_PROXY",   "all_proxy"};

std::string now_rfc3339() {
  auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string random_hex(int n) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  std::string s;
  while (static_cast<int>(s.size()) < n) {
    auto v = rng();
    for (int i = 0; i < 16 && static_cast<int>(s.size()) < n; ++i, v >>= 4) s.push_back("0123456789abcdef"[v & 15]);
  }
  return s;
}

std::string lower(std::string s) {
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

void remove_stale_step_dirs(const stdfs::path& tmp_root) {
  std::error_code ec;
  for (const auto& e : stdfs::directory_iterator(tmp_root, ec))
    if (!fs::temp_owner_alive(e.path().filename().string(), "")) stdfs::remove_all(e.path(), ec);  // its builder is gone
}

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

  void load_dockerfile();
  void split_stages();
  std::set<std::size_t> needed_stages(std::size_t target);
  const StageDef* find_stage(const std::string& name_or_index, std::size_t before) const;
  std::optional<std::string> build_arg(const std::string& name) const;
  StageState from_base(StageDef& def);
  std::string image_for(const std::string& ref, const std::string& platform = "");
  StageState build_stage(StageDef& def);
  void dispatch(StageState& s, const Instruction& ins, const StageDef& def);
  void do_arg(StageState& s, const Instruction& ins);
  void do_run(StageState& s, const Instruction& ins);
  RunNetwork run_network_of(const Instruction& ins) const;
  void do_copy(StageState& s, const Instruction& ins, const StageDef& def);
  void do_workdir(StageState& s, const Instruction& ins);
  Source source_named(const std::string& name, std::size_t before);
  std::vector<std::string> lower_dirs(const std::vector<image::LayerInfo>& layers);
  std::string cache_key(const StageState& s, const std::string& text, const std::string& extra) const;
  bool try_cache(StageState& s, const std::string& key, const std::string& created_by, int step);
  void commit_layer(StageState& s, const std::string& key, StepDirs& dirs, const std::string& created_by);
  std::string step_label(const StageState& s, const StageDef& def, std::size_t pos) const;
  std::string image_config(const StageState& s) const;

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

std::optional<std::string> Build::build_arg(const std::string& name) const {
  auto it = req_.args.find(name);
  if (it == req_.args.end()) return std::nullopt;
  if (it->second) return it->second;
  if (const char* v = std::getenv(name.c_str())) return std::string(v);
  return std::nullopt;
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
      VarLookup globals = [this](std::string_view k) -> std::optional<std::string> {
        auto it = global_args_.find(std::string(k));
        if (it != global_args_.end()) return it->second;
        return std::nullopt;
      };
      try {
        d.base = expand_word(words[0], globals, df_.escape);
      } catch (const Error& e) {
        throw located(ins, e.what());
      }
      if (d.base.empty()) throw located(ins, "base name (" + words[0] + ") should not be blank");
      stages_.push_back(std::move(d));
    } else if (stages_.empty()) {  // ARG before the first FROM
      VarLookup globals = [this](std::string_view k) -> std::optional<std::string> {
        auto it = global_args_.find(std::string(k));
        if (it != global_args_.end()) return it->second;
        return std::nullopt;
      };
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
      VarLookup globals = [this](std::string_view k) -> std::optional<std::string> {
        auto it = global_args_.find(std::string(k));
        if (it != global_args_.end()) return it->second;
        return std::nullopt;
      };
      platform = expand_word(f->value, globals, df_.escape);
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

std::string Build::cache_key(const StageState& s, const std::string& text, const std::string& extra) const {
  json k;
  k["parent"] = s.top_chain();
  k["instruction"] = text;
  json args = json::object();
  for (const auto& [name, v] : s.args)
    if (!kProxyArgs.count(name)) args[name] = v;
  k["args"] = args;
  for (const char* f : {"Env", "User", "WorkingDir", "Shell"})
    if (s.config.contains(f)) k[f] = s.config[f];
  k["extra"] = extra;
  return sha256_hex(k.dump());
}

bool Build::try_cache(StageState& s, const std::string& key, const std::string& created_by, int step) {
  if (req_.no_cache || no_cache_stage_ || s.cache_missed) return false;
  auto rec = cache_.lookup(key, store_);
  if (!rec) {
    s.cache_missed = true;
    return false;
  }
  s.layers.push_back(rec->layer);
  s.last_created = rec->created;
  s.history.push_back({{"created", rec->created}, {"created_by", created_by}, {"comment", "buildkit.dockerfile.v0"}});
  emit(BuildEvent::Kind::Cached, step, "CACHED");
  return true;
}

void Build::commit_layer(StageState& s, const std::string& key, StepDirs& dirs, const std::string& created_by) {
  std::error_code ec;
  stdfs::remove_all(dirs.work, ec);  // overlay's work folder (root-only, 000 subfolder)
  auto layer = store_.add_layer_from_dir(s.top_chain(), dirs.upper, created_by);
  CacheRecord rec{layer, now_rfc3339()};
  cache_.put(key, rec);
  s.cache_missed = true;
  s.layers.push_back(layer);
  s.last_created = rec.created;
  s.history.push_back({{"created", rec.created}, {"created_by", created_by}, {"comment", "buildkit.dockerfile.v0"}});
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

// BuildKit's options per mount type: one it has and we do not honour is refused, never ignored.
void check_mount_options(const std::string& type, const std::map<std::string, std::string>& kv) {
  static const std::map<std::string, std::set<std::string>> known = {
      {"bind", {"type", "target", "dst", "destination", "source", "src", "from", "rw", "readwrite", "ro", "readonly"}},
      {"cache", {"type", "target", "dst", "destination", "id", "sharing", "mode", "uid", "gid", "ro", "readonly"}},
      {"tmpfs", {"type", "target", "dst", "destination", "size"}},
      {"secret", {"type", "target", "dst", "destination", "id", "env", "required", "mode", "uid", "gid"}},
      {"ssh", {"type", "target", "dst", "destination", "id", "required", "mode", "uid", "gid"}},
  };
  auto it = known.find(type);
  if (it == known.end()) throw Error("RUN --mount type=" + type + " is not supported (bind, cache, tmpfs, secret and ssh are)");
  for (const auto& [k, v] : kv)
    if (!it->second.count(k)) throw Error("option \"" + k + "\" is not supported for type=" + type);
  if (auto s = kv.find("sharing"); s != kv.end() && s->second != "shared" && s->second != "private" && s->second != "locked")
    throw Error("sharing=" + s->second + ": expected shared, private or locked");
}

unsigned mount_number(const std::map<std::string, std::string>& kv, const char* name, unsigned fallback, int base) {
  auto it = kv.find(name);
  if (it == kv.end()) return fallback;
  try {
    std::size_t used = 0;
    auto v = std::stoul(it->second, &used, base);
    if (used == it->second.size() && v <= 0xFFFFFFFEu) return static_cast<unsigned>(v);
  } catch (const std::exception&) {
  }
  throw Error(std::string(name) + "=" + it->second + ": expected a number");
}

// RUN --mount=type=cache|bind|tmpfs|secret|ssh,… → what the container gets. env receives
// what secret env= and ssh mounts set.
std::vector<RunMount> run_mounts(const BuildRequest& req, const Instruction& ins, const stdfs::path& root,
                                 const std::function<Source(const std::string&)>& source,
                                 const std::function<std::string(const Source&)>& prepare, std::string& key_extra,
                                 std::vector<std::string>& env) {
  std::vector<RunMount> out;
  int ssh_index = 0;
  for (const auto& f : ins.flags) {
    if (f.name != "mount") continue;
    std::map<std::string, std::string> kv;
    std::size_t start = 0;
    while (start <= f.value.size()) {
      auto comma = f.value.find(',', start);
      auto item = f.value.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      auto eq = item.find('=');
      kv[item.substr(0, eq)] = eq == std::string::npos ? "true" : item.substr(eq + 1);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    std::string type = kv.count("type") ? kv["type"] : "bind";
    try {
      check_mount_options(type, kv);
    } catch (const Error& e) {
      throw Error("RUN --mount " + f.value + ": " + e.what());
    }
    // Their values stay out of the key: only the options (f.value) go in.
    if (type == "secret" || type == "ssh") {
      std::optional<RunMount> m;
      try {
        m = type == "secret" ? secret_mount(kv, req, env) : ssh_mount(kv, req, ssh_index++, env);
      } catch (const Error& e) {
        throw Error("RUN --mount " + f.value + ": " + e.what());
      }
      key_extra += "mount:" + f.value + "\n";
      if (m && !m->target.empty()) out.push_back(std::move(*m));
      continue;
    }
    std::string target = kv.count("target") ? kv["target"] : kv.count("dst") ? kv["dst"] : kv["destination"];
    if (target.empty()) throw Error("RUN --mount " + f.value + ": target is required");
    RunMount m;
    m.target = target;
    if (type == "cache") {
      std::string id = kv.count("id") ? kv["id"] : target;
      auto dir = root / "build-cache" / "mounts" / sha256_hex(id).substr(0, 32);
      // mode, uid and gid are those of a cache folder made now (BuildKit's rule).
      const unsigned mode = mount_number(kv, "mode", 0755, 8), uid = mount_number(kv, "uid", 0, 10), gid = mount_number(kv, "gid", 0, 10);
      std::error_code ec;
      if (!stdfs::exists(dir, ec)) {
        fs::make_dirs(dir.parent_path(), 0700);
        if (::mkdir(dir.c_str(), 0700) == 0 && (::chown(dir.c_str(), uid, gid) != 0 || ::chmod(dir.c_str(), mode & 07777) != 0))
          throw SystemError("set up cache folder " + dir.string(), errno);
      }
      m.source = dir.string();
      m.readonly = kv.count("ro") || kv.count("readonly");
    } else if (type == "bind") {
      std::string src = kv.count("source") ? kv["source"] : kv.count("src") ? kv["src"] : "";
      Source from = source(kv.count("from") ? kv["from"] : "");
      auto base = prepare(from);
      m.source = (stdfs::path(base) / clean_context_path(src, "RUN --mount")).string();
      m.readonly = !(kv.count("rw") || kv.count("readwrite"));
      key_extra += from.kind == Source::Context ? from.context->checksum(from.context->resolve(src.empty() ? "." : src, "RUN --mount"))
                                                : from.identity + src;
    } else {  // tmpfs
      m.tmpfs = true;
      if (auto sz = kv.find("size"); sz != kv.end()) m.tmpfs_size = mount_number(kv, "size", 0, 10);
    }
    key_extra += "mount:" + f.value + "\n";
    out.push_back(m);
  }
  return out;
}

void Build::do_run(StageState& s, const Instruction& ins) {
  auto vars = s.lookup();
  std::vector<std::string> argv;
  std::string history_text;
  if (ins.json_form) {
    argv = ins.json_args;
    history_text = "RUN " + json(ins.json_args).dump();
  } else {
    std::string script = ins.rest;
    bool only_heredoc = ins.heredocs.size() == 1 && (script == "<<" + ins.heredocs[0].name || script == "<<-" + ins.heredocs[0].name ||
                                                     script == "<<\"" + ins.heredocs[0].name + "\"" || script == "<<'" + ins.heredocs[0].name + "'");
    if (only_heredoc) {
      script = ins.heredocs[0].content;
    } else {
      for (const auto& h : ins.heredocs) script += "\n" + h.content + h.name;
    }
    argv = s.shell();
    argv.push_back(script);
    history_text = "RUN";
    for (const auto& a : s.shell()) history_text += " " + a;
    history_text += " " + ins.rest;
  }
  int step = step_;
  std::string network = ins.flag("network") ? ins.flag("network")->value : req_.network;
  const auto run_network = run_network_of(ins);
  std::string key_extra = "network:" + network + "\n";
  // Checked before the cache: a cached step is refused as a run one would be.
  bool insecure = false;
  if (const auto* sec = ins.flag("security")) {
    if (sec->value == "insecure") {
      if (!req_.entitlements.count("security.insecure"))
        throw located(ins, "RUN --security=insecure: security.insecure is not allowed (the build must ask for it: build.privileged: true or build.entitlements: [security.insecure])");
      insecure = true;
    } else if (sec->value != "sandbox") {
      throw located(ins, "RUN --security=" + sec->value + " is not supported (sandbox, insecure)");
    }
    key_extra += "security:" + sec->value + "\n";
  }
  std::vector<std::unique_ptr<StepDirs>> source_mounts;
  std::vector<std::pair<std::string, std::vector<std::string>>> to_mount;  // for Layers sources in the child
  auto source = [&](const std::string& from) { return from.empty() ? Source{Source::Context, context_.get(), {}, ""} : source_named(from, SIZE_MAX); };
  auto prepare = [&](const Source& src) -> std::string {
    if (src.kind == Source::Context) return src.context->dir().string();
    auto dirs = lower_dirs(src.layers);
    if (dirs.size() == 1) return dirs[0];
    source_mounts.push_back(std::make_unique<StepDirs>(root_ / "build" / "tmp"));
    to_mount.emplace_back(source_mounts.back()->merged.string(), dirs);
    return source_mounts.back()->merged.string();
  };
  std::vector<RunMount> mounts;
  std::vector<std::string> private_env;  // secret env= and SSH_AUTH_SOCK: never in the key
  try {
    mounts = run_mounts(req_, ins, root_, source, prepare, key_extra, private_env);
  } catch (const DockerfileError&) {
    throw;
  } catch (const Error& e) {
    throw located(ins, e.what());
  }
  std::string created_by = history_text + " # buildkit";  // as buildkit writes it: "RUN /bin/sh -c make # buildkit"
  auto key = cache_key(s, json(argv).dump(), key_extra);
  if (try_cache(s, key, created_by, step)) return;

  StepDirs dirs(root_ / "build" / "tmp");
  RunStep rs;
  rs.lower = lower_dirs(s.layers);
  rs.upper = dirs.upper;
  rs.work = dirs.work;
  rs.merged = dirs.merged;
  rs.scratch = dirs.base;
  rs.links_dir = (root_ / "l").string();
  rs.runtime_root = root_ / "build" / "runtime";
  rs.container_id = "build-" + random_hex(12);
  rs.argv = argv;
  rs.env = s.env_list();
  // ARGs are environment for RUN (ENV of the same name wins).
  for (const auto& [k, v] : s.args)
    if (!s.env(k)) rs.env.push_back(k + "=" + v);
  for (const auto& name : kProxyArgs)
    if (auto v = build_arg(name); v && !s.env(name) && !s.args.count(name)) rs.env.push_back(name + "=" + *v);
  rs.env.insert(rs.env.end(), private_env.begin(), private_env.end());
  rs.user = s.config.value("User", "");
  rs.working_dir = s.config.value("WorkingDir", "");
  rs.network = run_network;
  rs.state_root = root_;
  rs.builder_pid = ::getpid();
  holds_build_network_ |= run_network == RunNetwork::Default;
  for (const auto& h : req_.extra_hosts) {
    auto sep = h.find_first_of(":=");
    if (sep == std::string::npos) throw Error("invalid extra host \"" + h + "\": expected name:ip");
    rs.extra_hosts.emplace_back(h.substr(0, sep), h.substr(sep + 1));
  }
  rs.shm_size = req_.shm_size;
  rs.ulimits = req_.ulimits;
  rs.insecure = insecure;
  rs.mounts = mounts;
  try {
    run_in_child(
        [&] {
          for (const auto& [target, lowers] : to_mount)
            runtime::mount_overlay(target, {lowers, "", "", (root_ / "l").string()});
          run_step_in_child(rs);
        },
        [&](std::string_view chunk) { emit(BuildEvent::Kind::Output, step, std::string(chunk)); });
  } catch (const Error& e) {
    throw located(ins, e.what());
  }
  commit_layer(s, key, dirs, created_by);
}

// RUN --network, else the build's network (build.network). --network=host is buildkit's
// network.host entitlement: a Dockerfile may not grant itself the host's network, the one
// who runs the build does (build.network: host).
RunNetwork Build::run_network_of(const Instruction& ins) const {
  auto unsupported = [&](const std::string& v) {
    return located(ins, "RUN network mode \"" + v + "\" is not supported (default, host, none)");
  };
  const auto build = parse_run_network(req_.network);
  if (!build) throw unsupported(req_.network);
  const auto* flag = ins.flag("network");
  if (!flag || flag->value == "default") return *build;
  const auto mode = parse_run_network(flag->value);
  if (!mode) throw unsupported(flag->value);
  if (*mode == RunNetwork::Host && *build != RunNetwork::Host && !req_.entitlements.count("network.host"))
    throw located(ins, "RUN --network=host: network.host is not allowed (the build must ask for it: build.network: host or build.entitlements: [network.host])");
  return *mode;
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

void Build::do_copy(StageState& s, const Instruction& ins, const StageDef& def) {
  auto vars = s.lookup();
  const bool is_add = ins.keyword == "ADD";
  std::vector<std::string> words;
  try {
    words = ins.json_form ? ins.json_args : expand_words(ins.rest, vars, df_.escape);
    if (ins.json_form)
      for (auto& w : words) w = expand_word(w, vars, df_.escape);
  } catch (const Error& e) {
    throw located(ins, e.what());
  }
  std::string dest = words.back();
  words.pop_back();
  const bool dest_dir = !dest.empty() && dest.back() == '/';
  if (dest.empty() || dest[0] != '/') {
    std::string wd = s.config.value("WorkingDir", "");
    dest = (wd.empty() ? "/" : wd) + "/" + dest;
  }
  dest = stdfs::path(dest).lexically_normal().string();
  if (dest.size() > 1 && dest.back() == '/') dest.pop_back();

  // Heredoc sources: <<EOF names an inline file.
  std::vector<std::pair<std::string, std::string>> inline_files;
  std::vector<std::string> sources;
  for (const auto& w : words) {
    bool heredoc = false;
    for (const auto& h : ins.heredocs)
      if (w == "<<" + h.name || w == "<<-" + h.name || w == "<<\"" + h.name + "\"" || w == "<<'" + h.name + "'") {
        inline_files.emplace_back(h.name, h.expand ? expand_word(h.content, vars, df_.escape) : h.content);
        heredoc = true;
      }
    if (!heredoc) sources.push_back(w);
  }
  const std::size_t nsources = sources.size() + inline_files.size();

  CopyOptions opts;
  std::string chown = ins.flag("chown") ? expand_word(ins.flag("chown")->value, vars, df_.escape) : "";
  if (const auto* f = ins.flag("chmod")) {
    try {
      std::size_t used = 0;
      auto m = std::stoul(f->value, &used, 8);
      if (used != f->value.size() || m > 07777) throw Error("");
      opts.chmod = static_cast<mode_t>(m);
    } catch (const std::exception&) {
      throw located(ins, "invalid chmod parameter " + f->value + ": use an octal mode such as 0755");
    }
  }
  for (const char* unsupported : {"parents", "exclude", "keep-git-dir"})
    if (ins.flag(unsupported)) throw located(ins, ins.keyword + " --" + unsupported + " is not supported yet");
  // ADD <url>: fetched now, since its content is part of the cache key.
  std::unique_ptr<StepDirs> downloads;
  std::vector<Fetched> fetched;
  for (auto it = sources.begin(); it != sources.end();) {
    if (it->rfind("http://", 0) != 0 && it->rfind("https://", 0) != 0) {
      ++it;
      continue;
    }
    if (!is_add) throw located(ins, "COPY does not accept URLs (" + *it + "); use ADD");
    if (!downloads) downloads = std::make_unique<StepDirs>(root_ / "build" / "tmp");
    try {
      fetched.push_back(fetch_url(*it, downloads->base / "url" / std::to_string(fetched.size())));
    } catch (const Error& e) {
      throw located(ins, e.what());
    }
    it = sources.erase(it);
  }
  if (const auto* f = ins.flag("checksum")) {
    if (fetched.size() != 1 || !sources.empty()) throw located(ins, "ADD --checksum needs exactly one URL source");
    if (f->value != "sha256:" + fetched[0].sha256)
      throw located(ins, "ADD " + fetched[0].name + ": checksum mismatch: expected " + f->value + ", got sha256:" + fetched[0].sha256);
  }

  // Sources and their checksum for the cache key.
  Source from;
  std::vector<std::string> src_paths;  // inside the source root, "" = root
  std::string checksum;
  try {
    if (const auto* f = ins.flag("from")) {
      from = source_named(expand_word(f->value, vars, df_.escape), def.index);
      for (const auto& src : sources) src_paths.push_back(clean_context_path(src, ins.keyword));
      checksum = from.identity;
      for (const auto& p : src_paths) checksum += "\n" + p;
    } else {
      from = Source{Source::Context, context_.get(), {}, ""};
      std::vector<const ContextEntry*> tops;
      for (const auto& src : sources)
        for (const auto* e : context_->resolve(src, ins.keyword)) {
          tops.push_back(e);
          src_paths.push_back(e->rel);
        }
      checksum = context_->checksum(tops);
    }
  } catch (const DockerfileError&) {
    throw;
  } catch (const Error& e) {
    throw located(ins, e.what());
  }
  for (const auto& [name, content] : inline_files) checksum += "\ninline:" + name + ":" + sha256_hex(content);
  for (const auto& f : fetched) checksum += "\nurl:" + f.name + ":" + f.sha256;
  if ((src_paths.size() + inline_files.size() + fetched.size() > 1 || nsources > 1) && !dest_dir)
    throw located(ins, "When using " + ins.keyword + " with more than one source file, the destination must be a directory and end with a /");

  std::string flags_text;
  for (const auto& f : ins.flags) flags_text += "--" + f.name + "=" + f.value + " ";
  std::string created_by = ins.keyword + " " + flags_text + (ins.json_form ? json(ins.json_args).dump() : ins.rest) + " # buildkit";
  auto key = cache_key(s, ins.keyword + " " + flags_text + json(sources).dump() + " " + dest + (dest_dir ? "/" : ""), checksum);
  if (try_cache(s, key, created_by, step_)) return;

  StepDirs dirs(root_ / "build" / "tmp");
  auto lowers = lower_dirs(s.layers);
  auto src_lowers = from.kind == Source::Layers ? lower_dirs(from.layers) : std::vector<std::string>{};
  std::string src_root_path = from.kind == Source::Context ? from.context->dir().string()
                             : src_lowers.size() == 1   ? src_lowers[0]
                                                        : (dirs.base / "src").string();
  const DockerIgnore* ignore = from.kind == Source::Context ? &from.context->ignore() : nullptr;
  const std::string links = (root_ / "l").string();
  try {
    run_in_child([&] {
      runtime::mount_overlay(dirs.merged.string(), {lowers, dirs.upper.string(), dirs.work.string(), links});
      if (src_lowers.size() > 1) {
        fs::make_dirs(src_root_path, 0755);
        runtime::mount_overlay(src_root_path, {src_lowers, "", "", links});
      }
      UniqueFd dst(::open(dirs.merged.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
      UniqueFd src(::open(src_root_path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
      if (!dst || !src) throw SystemError("open the roots of " + ins.keyword, errno);
      CopyOptions o = opts;
      o.ignore = ignore;
      if (!chown.empty()) {
        auto u = runtime::resolve_image_user(dirs.merged.string(), chown);
        o.uid = u.uid;
        o.gid = u.gid;
        if (chown.find(':') == std::string::npos) o.gid = u.gid;
      }
      auto into_dir = [&](const std::string& name) {
        if (dest_dir) return dest == "/" ? "/" + name : dest + "/" + name;
        auto st = stat_in_root(dst.get(), dest);
        if (st && S_ISDIR(st->st_mode)) return dest == "/" ? "/" + name : dest + "/" + name;
        return dest;
      };
      for (const auto& [name, content] : inline_files) write_file_in_root(dst.get(), into_dir(name), content, 0644, o);
      for (const auto& f : fetched) {  // saved 0600, as Docker's ADD <url> leaves them
        UniqueFd dl(::open(f.path.parent_path().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
        if (!dl) throw SystemError("open " + f.path.parent_path().string(), errno);
        copy_path(dl.get(), f.name, dst.get(), into_dir(f.name), o);
      }
      for (const auto& p : src_paths) {
        std::vector<std::string> matches{p};
        if (from.kind == Source::Layers && has_glob_chars(p)) {  // globs in the last component of a stage path
          matches.clear();
          auto [parent, pattern] = split_parent(p);
          UniqueFd dir = open_in_root_or_throw(src.get(), parent.empty() ? "/" : parent, O_RDONLY | O_DIRECTORY, "open");
          DIR* d = ::fdopendir(dir.release());
          while (dirent* de = d ? ::readdir(d) : nullptr)
            if (std::string(de->d_name) != "." && std::string(de->d_name) != ".." && ::fnmatch(pattern.c_str(), de->d_name, 0) == 0)
              matches.push_back(parent.empty() ? de->d_name : parent + "/" + de->d_name);
          if (d) ::closedir(d);
          if (matches.empty()) throw Error(ins.keyword + " failed: no source files were specified matching " + p);
        }
        for (const auto& m : matches) {
          auto st = stat_in_root(src.get(), m.empty() ? "/" : m);
          if (!st) throw Error(ins.keyword + " failed: " + m + ": not found");
          if (S_ISDIR(st->st_mode)) {
            copy_path(src.get(), m, dst.get(), dest, o);
          } else {
            auto base = split_parent(m).second;
            if (is_add && from.kind == Source::Context) {
              auto target_dir = dest_dir || (stat_in_root(dst.get(), dest) && S_ISDIR(stat_in_root(dst.get(), dest)->st_mode)) ? dest : "";
              if (!target_dir.empty() && extract_archive_if_any(src.get(), m, dst.get(), target_dir)) continue;
              if (target_dir.empty() && extract_archive_if_any(src.get(), m, dst.get(), dest)) continue;
            }
            copy_path(src.get(), m, dst.get(), into_dir(base), o);
          }
        }
      }
    });
  } catch (const Error& e) {
    throw located(ins, e.what());
  }
  commit_layer(s, key, dirs, created_by);
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

std::string Build::step_label(const StageState& s, const StageDef&, std::size_t pos) const {
  std::string label = "[";
  if (!req_.name.empty()) label += req_.name + " ";
  if (stages_.size() > 1) label += s.name + " ";
  return label + std::to_string(pos) + "/" + std::to_string(current_total_) + "]";
}

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
  } catch (const Error& e) {
    throw located(ins, e.what());
  }
}

StageState Build::build_stage(StageDef& def) {
  std::size_t total = 1;
  for (const auto* ins : def.body)
    if (ins->keyword == "RUN" || ins->keyword == "COPY" || ins->keyword == "ADD" || ins->keyword == "WORKDIR") ++total;
  current_total_ = total;
  std::size_t pos = 1;
  auto timed = [&](const std::string& text, const std::function<void()>& fn) {
    int step = ++step_;
    emit(BuildEvent::Kind::Step, step, text);
    auto t0 = std::chrono::steady_clock::now();
    try {
      fn();
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

}  // namespace

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
