#include "session.hpp"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <mutex>
#include <set>

#include "commands/service_container.hpp"
#include "ensure_images.hpp"
#include "mycompose/common/error.hpp"
#include "mycompose/daemon/engine.hpp"
#include "mycompose/image/store.hpp"
#include "mycompose/scheduler/container_store.hpp"
#include "notify.hpp"
#include "project_request.hpp"

namespace mycompose::cli::watch {
namespace {

namespace stdfs = std::filesystem;
using Json = nlohmann::ordered_json;

std::mutex g_stop_mutex;  // guards Session::stop_ between run() and stop()

bool is_child(const std::string& dir, const std::string& p) {
  if (dir == "/") return !p.empty() && p[0] == '/';
  return p == dir || (p.size() > dir.size() && p.compare(0, dir.size(), dir) == 0 && p[dir.size()] == '/');
}

bool is_sync(const std::string& action) { return action == "sync" || action == "sync+restart" || action == "sync+exec"; }

std::vector<std::string> string_list(const Json& v) {
  std::vector<std::string> out;
  if (v.is_string()) out.push_back(v.get<std::string>());
  else if (v.is_array())
    for (const auto& x : v)
      if (x.is_string()) out.push_back(x.get<std::string>());
  return out;
}

// The selected services and, as compose-go's WithSelectedServices, what they depend on.
std::vector<std::string> selection(const Json& services, const std::vector<std::string>& named) {
  std::vector<std::string> out;
  if (named.empty()) {
    for (const auto& [name, _] : services.items()) out.push_back(name);
    return out;
  }
  std::set<std::string> seen;
  std::vector<std::string> todo(named.rbegin(), named.rend());
  while (!todo.empty()) {
    std::string n = todo.back();
    todo.pop_back();
    if (!services.contains(n)) throw Error("no such service: " + n);
    if (!seen.insert(n).second) continue;
    out.push_back(n);
    if (services[n].contains("depends_on") && services[n]["depends_on"].is_object())
      for (const auto& [dep, _] : services[n]["depends_on"].items()) todo.push_back(dep);
  }
  return out;
}

// The deprecated x-develop of older files (docker compose still reads it, with a warning):
// paths relative to the project folder.
Json legacy_develop(const Json& s, const std::string& working_dir) {
  Json d = s["x-develop"];
  std::cerr << "WARN[0000] x-develop is DEPRECATED, please use the official `develop` attribute\n";
  if (!d.is_object() || !d.contains("watch") || !d["watch"].is_array()) return Json();
  std::error_code ec;
  stdfs::path base = stdfs::canonical(working_dir, ec);
  if (ec) base = working_dir;
  for (auto& t : d["watch"]) {
    std::string p = t.value("path", "");
    if (p.empty()) throw Error("watch rules MUST define a path");
    stdfs::path abs = stdfs::path(p).is_absolute() ? stdfs::path(p) : base / p;
    auto real = stdfs::canonical(abs, ec);
    t["path"] = ec ? abs.lexically_normal().string() : real.string();
  }
  return d;
}

bool bind_mounted(const std::string& path, const Json& service) {
  if (!service.contains("volumes")) return false;
  for (const auto& v : service["volumes"])
    if (v.value("type", "") == "bind" && is_child(v.value("source", ""), path)) return true;
  return false;
}

void warn(const std::string& m) { std::cerr << "WARN[0000] " << m << "\n"; }

}  // namespace

std::string quoted_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? " " : "") + nlohmann::json(items[i]).dump();
  return out + "]";
}

bool rule_matches(const Rule& r, const std::string& host, PathMapping* out) {
  if (!is_child(r.path, host)) return false;
  if (!r.include_all && !r.include.matches(host)) return false;
  if (r.ignore.matches(host)) return false;
  out->host = host;
  out->target = r.target;
  out->container.clear();
  if (!r.target.empty()) {
    std::string rel = host.size() > r.path.size() ? host.substr(r.path.size() + (r.path == "/" ? 0 : 1)) : "";
    out->container = (stdfs::path(r.target) / rel).lexically_normal().string();
    while (out->container.size() > 1 && out->container.back() == '/') out->container.pop_back();
  }
  return true;
}

Session::Session(compose::Project project, SessionOptions options, const std::string& none_message)
    : project_(std::move(project)), o_(std::move(options)) {
  const Json services = project_.model.value("services", Json::object());
  for (const auto& name : selection(services, o_.services)) {
    const Json& s = services[name];
    Json develop;
    if (s.contains("x-develop")) develop = legacy_develop(s, project_.working_dir);
    if (s.contains("develop")) develop = s["develop"];
    if (!develop.is_object() || !develop.contains("watch")) continue;
    PathMatcher dockerignore;
    if (s.contains("build")) dockerignore = dockerignore_of(s["build"].value("context", ""), s["build"].value("dockerfile", "Dockerfile"));
    for (const auto& t : develop["watch"]) {
      Rule r;
      r.service = name;
      r.action = t.value("action", "");
      r.path = t.value("path", "");
      r.target = t.value("target", "");
      if (r.action == "rebuild" && !s.contains("build"))
        throw Error("can't watch service \"" + name + "\" with action rebuild without a build context");
      if (r.action == "sync+exec") {
        if (!t.contains("exec") || string_list(t["exec"].value("command", Json())).empty())
          throw Error("can't watch with action \"sync+exec\" on service " + name + " without a command");
        r.exec = t["exec"];
      }
      if (is_sync(r.action) && bind_mounted(r.path, s)) {
        warn("path '" + r.path + "' also declared by a bind mount volume, this path won't be monitored!");
        continue;
      }
      r.initial_sync = is_sync(r.action) && (t.value("initial_sync", false) || t.value("x-initialSync", false));
      if (t.value("x-initialSync", false)) warn("x-initialSync is DEPRECATED, please use the official `initial_sync` attribute");
      const auto include = string_list(t.value("include", Json()));
      r.include_all = include.empty();
      if (!r.include_all) r.include = PathMatcher(r.path, include);
      r.ignore.add(dockerignore);
      r.ignore.add(ephemeral_matcher());
      r.ignore.add(PathMatcher("/", {"**/.git"}));  // upstream's intent: a repository's .git is never synced
      r.ignore.add(PathMatcher(r.path, string_list(t.value("ignore", Json()))));
      paths_.push_back(r.path);
      rules_.push_back(std::move(r));
    }
  }
  if (paths_.empty()) throw Error(none_message);
}

void Session::wait_idle() {
  std::unique_lock<std::mutex> l(busy_m_);
  idle_.wait(l, [this] { return !busy_; });
}

void Session::handle(const std::vector<std::string>& batch) {
  {
    std::lock_guard<std::mutex> l(busy_m_);
    busy_ = true;
  }
  struct Idle {
    Session* s;
    ~Idle() {
      std::lock_guard<std::mutex> l(s->busy_m_);
      s->busy_ = false;
      s->idle_.notify_all();
    }
  } idle{this};
  if (batch.size() > 1000) o_.log("Large batch of file changes detected. If you just switched branches, this is expected.");
  try {
    handle_or_throw(batch);
  } catch (const std::exception& e) {
    warn(std::string("Error handling changed files: ") + e.what());
  }
}

void Session::handle_or_throw(const std::vector<std::string>& batch) {
  std::set<std::string> rebuild, restart;
  std::map<std::string, std::vector<PathMapping>> syncs;
  std::map<std::string, std::set<std::size_t>> execs;  // service → rule indexes, each run once
  for (const auto& event : batch)
    for (std::size_t i = 0; i < rules_.size(); ++i) {
      const Rule& r = rules_[i];
      PathMapping m;
      if (!rule_matches(r, event, &m)) continue;
      if (r.action == "rebuild") rebuild.insert(r.service);
      else if (r.action == "restart") restart.insert(r.service);
      else {
        syncs[r.service].push_back(m);
        if (r.action == "sync+restart") restart.insert(r.service);
        if (r.action == "sync+exec") execs[r.service].insert(i);
      }
    }
  if (!rebuild.empty() || !restart.empty()) ++disruptions_;
  if (!rebuild.empty()) this->rebuild({rebuild.begin(), rebuild.end()});
  const auto root = stdfs::absolute(daemon::default_root());
  for (auto& [service, mappings] : syncs) {
    o_.log("Syncing service \"" + service + "\" after " + std::to_string(mappings.size()) + " changes were detected");
    sync_service(root, project_.name, service, std::move(mappings));
  }
  if (!restart.empty()) {
    const std::vector<std::string> services(restart.begin(), restart.end());
    run_project_verb(project_, "restart", Json{{"services", services}, {"no_deps", false}});
    o_.log("service(s) " + quoted_list(services) + " restarted");
  }
  for (const auto& [service, indexes] : execs)
    for (std::size_t i : indexes) exec(service, rules_[i]);
}

void Session::rebuild(const std::vector<std::string>& services) {
  o_.log("Rebuilding service(s) " + quoted_list(services) + " after changes were detected...");
  const stdfs::path root = stdfs::absolute(daemon::default_root());
  std::set<std::string> replaced;  // the images the services ran until now
  {
    image::ImageStore images(root);
    for (const auto& s : services)
      if (auto id = images.resolve(service_image(s))) replaced.insert(*id);
  }
  try {
    ImageOptions io;
    io.services = services;
    io.include_deps = false;  // only the watched services, not what they depend on
    io.build = true;
    io.quiet_pull = o_.quiet;
    io.quiet_build = o_.quiet;
    ensure_images(project_, io);
  } catch (const std::exception& e) {
    o_.log(std::string("Build failed. Error: ") + e.what());
    throw;
  }
  o_.log("service(s) " + quoted_list(services) + " successfully built");
  try {
    run_project_verb(project_, "up", Json{{"services", services}, {"no_deps", true}, {"force_recreate", true}});
  } catch (const std::exception& e) {
    o_.log(std::string("Failed to recreate services after update. Error: ") + e.what());
    throw;
  }
  if (o_.prune) prune_replaced(root, replaced);
}

std::string Session::service_image(const std::string& service) const {
  const auto& s = project_.model["services"][service];
  // A service that is only built runs <project>-<service> (project_json names it so).
  return s.contains("image") ? s["image"].get<std::string>() : project_.name + "-" + service;
}

// docker compose prunes the project's dangling images on rebuild (pruneDanglingImagesOnRebuild);
// our images carry no project label, so the project's are those its rebuilds replaced. After
// the recreate, so that an image still in use (by any container) is never removed; a failure
// only means the image stays, as docker compose ignores it.
void Session::prune_replaced(const stdfs::path& root, const std::set<std::string>& replaced) {
  image::ImageStore images(root);
  std::set<std::string> used;
  for (const auto& c : scheduler::ContainerStore(root).list()) used.insert(c.image_id);
  for (const auto& id : replaced) {
    try {
      if (used.count(id) || !images.resolve(id) || !images.summary(id).repo_tags.empty()) continue;
      images.remove(id);
    } catch (const std::exception&) {
    }
  }
}

void Session::exec(const std::string& service, const Rule& rule) {
  scheduler::ContainerStore store(stdfs::absolute(daemon::default_root()));
  runtime::ExecOptions e;
  e.args = string_list(rule.exec.value("command", Json()));
  e.user = rule.exec.value("user", "");
  e.cwd = rule.exec.value("working_dir", "");
  if (rule.exec.contains("environment") && rule.exec["environment"].is_object()) {
    for (const auto& [k, v] : rule.exec["environment"].items()) {
      if (v.is_string()) e.env.push_back(k + "=" + v.get<std::string>());
      else if (!v.is_null()) e.env.push_back(k + "=" + v.dump());
    }
  }
  e.privileged = rule.exec.value("privileged", false);
  for (const auto& rec : service_containers(store, {project_.name, service, 0, true, false})) {
    const int rc = store.runtime().exec(rec.id, e);
    if (rc != 0) throw Error("exit code " + std::to_string(rc));
  }
}

// docker compose's initialSync: every file under the path that no ignore rule, nor the name of
// a Dockerfile or compose file, excludes; folders only as the way to their files.
void Session::initial_sync(const Rule& rule) {
  std::vector<PathMapping> files;
  std::error_code ec;
  const std::set<std::string> skipped = {"Dockerfile", "compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml",
                                         "compose.override.yaml", "compose.override.yml", "docker-compose.override.yaml",
                                         "docker-compose.override.yml"};
  auto take = [&](const std::string& p) {
    PathMapping m;
    if (!skipped.count(stdfs::path(p).filename().string()) && rule_matches(rule, p, &m)) files.push_back(m);
  };
  Rule folders = rule;
  folders.include_all = true;  // folders are walked whatever the include patterns say
  if (stdfs::is_regular_file(rule.path, ec)) {
    take(rule.path);
  } else if (stdfs::is_directory(rule.path, ec)) {
    for (auto it = stdfs::recursive_directory_iterator(rule.path, stdfs::directory_options::skip_permission_denied, ec);
         !ec && it != stdfs::recursive_directory_iterator(); it.increment(ec)) {
      if (files.size() >= 200000) throw Error("initial sync of " + rule.path + ": too many files");
      PathMapping m;
      const std::string p = it->path().string();
      if (it->is_directory(ec)) {
        if (skipped.count(it->path().filename().string()) || !rule_matches(folders, p, &m))
          it.disable_recursion_pending();
        continue;
      }
      take(p);
    }
  }
  if (!files.empty()) sync_service(stdfs::absolute(daemon::default_root()), project_.name, rule.service, std::move(files));
}

void Session::run(bool signals) {
  for (const auto& r : rules_)
    if (r.initial_sync) initial_sync(r);
  uv_loop_t loop;
  uv_loop_init(&loop);
  uv_async_t async;
  uv_async_init(&loop, &async, [](uv_async_t* a) { uv_stop(a->loop); });
  uv_signal_t sigint, sigterm;
  if (signals) {
    uv_signal_init(&loop, &sigint);
    uv_signal_init(&loop, &sigterm);
    auto on_signal = [](uv_signal_t* s, int) { uv_stop(s->loop); };
    uv_signal_start(&sigint, on_signal, SIGINT);
    uv_signal_start(&sigterm, on_signal, SIGTERM);
  }
  {
    std::lock_guard<std::mutex> l(g_stop_mutex);
    stop_ = &async;
  }
  {
    Notifier notifier(&loop, paths_, [this](const std::vector<std::string>& batch) { handle(batch); }, warn);
    notifier.start();
    o_.log("Watch enabled");
    if (!stop_requested_) uv_run(&loop, UV_RUN_DEFAULT);
    notifier.close();
  }
  {
    std::lock_guard<std::mutex> l(g_stop_mutex);
    stop_ = nullptr;
  }
  uv_close(reinterpret_cast<uv_handle_t*>(&async), nullptr);
  if (signals) {
    uv_close(reinterpret_cast<uv_handle_t*>(&sigint), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&sigterm), nullptr);
  }
  uv_run(&loop, UV_RUN_DEFAULT);  // the close callbacks
  uv_loop_close(&loop);
}

void Session::stop() {
  stop_requested_ = true;
  std::lock_guard<std::mutex> l(g_stop_mutex);
  if (stop_) uv_async_send(stop_);
}

}  // namespace mycompose::cli::watch
