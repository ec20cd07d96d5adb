// RUN: its command (exec or shell form, heredocs), --mount, --network and --security, looked
// up in the cache, else run in a container over the stage's layers (run_step.cpp) and
// committed as a layer. Errors thrown as plain Error are located (file:line) by Build::dispatch.
#include <sys/stat.h>

#include "build_job.hpp"
#include "child_process.hpp"
#include "context.hpp"
#include "mycompose/common/error.hpp"
#include "mycompose/common/random.hpp"
#include "mycompose/common/sha256.hpp"
#include "mycompose/runtime/overlay.hpp"
#include "run_secrets.hpp"

namespace mycompose::build::job {
using nlohmann::json;

namespace {

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

struct RunCommand {
  std::vector<std::string> argv;
  std::string history_text;  // as the image history shows the step
};

// Exec form as written; shell form through the stage's SHELL, a lone heredoc as the script.
RunCommand run_command(const StageState& s, const Instruction& ins) {
  RunCommand c;
  if (ins.json_form) {
    c.argv = ins.json_args;
    c.history_text = "RUN " + json(ins.json_args).dump();
    return c;
  }
  std::string script = ins.rest;
  bool only_heredoc = ins.heredocs.size() == 1 && (script == "<<" + ins.heredocs[0].name || script == "<<-" + ins.heredocs[0].name ||
                                                   script == "<<\"" + ins.heredocs[0].name + "\"" || script == "<<'" + ins.heredocs[0].name + "'");
  if (only_heredoc) {
    script = ins.heredocs[0].content;
  } else {
    for (const auto& h : ins.heredocs) script += "\n" + h.content + h.name;
  }
  c.argv = s.shell();
  c.argv.push_back(script);
  c.history_text = "RUN";
  for (const auto& a : s.shell()) c.history_text += " " + a;
  c.history_text += " " + ins.rest;
  return c;
}

// RUN --security: insecure only when the build is entitled to it; part of the cache key.
bool run_security(const Instruction& ins, const BuildRequest& req, std::string& key_extra) {
  const auto* sec = ins.flag("security");
  if (!sec) return false;
  bool insecure = false;
  if (sec->value == "insecure") {
    if (!req.entitlements.count("security.insecure"))
      throw Error("RUN --security=insecure: security.insecure is not allowed (the build must ask for it: build.privileged: true or build.entitlements: [security.insecure])");
    insecure = true;
  } else if (sec->value != "sandbox") {
    throw Error("RUN --security=" + sec->value + " is not supported (sandbox, insecure)");
  }
  key_extra += "security:" + sec->value + "\n";
  return insecure;
}

}  // namespace

void Build::do_run(StageState& s, const Instruction& ins) {
  const RunCommand cmd = run_command(s, ins);
  int step = step_;
  std::string network = ins.flag("network") ? ins.flag("network")->value : req_.network;
  const auto run_network = run_network_of(ins);
  std::string key_extra = "network:" + network + "\n";
  // Checked before the cache: a cached step is refused as a run one would be.
  const bool insecure = run_security(ins, req_, key_extra);
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
  std::vector<std::string> private_env;  // secret env= and SSH_AUTH_SOCK: never in the key
  std::vector<RunMount> mounts = run_mounts(req_, ins, root_, source, prepare, key_extra, private_env);
  std::string created_by = cmd.history_text + " # buildkit";  // as buildkit writes it: "RUN /bin/sh -c make # buildkit"
  auto key = cache_key(s, json(cmd.argv).dump(), key_extra);
  if (try_cache(s, key, created_by, step)) return;

  StepDirs dirs(root_ / "build" / "tmp");
  holds_build_network_ |= run_network == RunNetwork::Default;
  RunStep rs = run_step_for(s, dirs, cmd.argv, run_network, insecure, std::move(mounts), private_env);
  run_in_child(
      [&] {
        for (const auto& [target, lowers] : to_mount) runtime::mount_overlay(target, {lowers, "", "", (root_ / "l").string()});
        run_step_in_child(rs);
      },
      [&](std::string_view chunk) { emit(BuildEvent::Kind::Output, step, std::string(chunk)); },
      [&] { stop_step_container(rs); });
  commit_layer(s, key, dirs, created_by);
}

// The container a RUN step runs in: the stage's layers under a fresh upper, its config, the
// ARGs (and proxy args) as environment, the build's hosts and limits.
RunStep Build::run_step_for(const StageState& s, const StepDirs& dirs, std::vector<std::string> argv, RunNetwork network,
                            bool insecure, std::vector<RunMount> mounts, const std::vector<std::string>& private_env) {
  RunStep rs;
  rs.lower = lower_dirs(s.layers);
  rs.upper = dirs.upper;
  rs.work = dirs.work;
  rs.merged = dirs.merged;
  rs.scratch = dirs.base;
  rs.links_dir = (root_ / "l").string();
  rs.runtime_root = root_ / "build" / "runtime";
  rs.container_id = "build-" + random_hex(6);
  rs.argv = std::move(argv);
  rs.env = s.env_list();
  // ARGs are environment for RUN (ENV of the same name wins).
  for (const auto& [k, v] : s.args)
    if (!s.env(k)) rs.env.push_back(k + "=" + v);
  for (const auto& name : kProxyArgs)
    if (auto v = build_arg(name); v && !s.env(name) && !s.args.count(name)) rs.env.push_back(name + "=" + *v);
  rs.env.insert(rs.env.end(), private_env.begin(), private_env.end());
  rs.user = s.config.value("User", "");
  rs.working_dir = s.config.value("WorkingDir", "");
  rs.network = network;
  rs.state_root = root_;
  rs.builder_pid = ::getpid();
  for (const auto& h : req_.extra_hosts) {
    auto sep = h.find_first_of(":=");
    if (sep == std::string::npos) throw Error("invalid extra host \"" + h + "\": expected name:ip");
    rs.extra_hosts.emplace_back(h.substr(0, sep), h.substr(sep + 1));
  }
  rs.shm_size = req_.shm_size;
  rs.ulimits = req_.ulimits;
  rs.insecure = insecure;
  rs.mounts = std::move(mounts);
  return rs;
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

}  // namespace mycompose::build::job
