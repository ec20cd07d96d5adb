#include "notify.hpp"

#include <dirent.h>
#include <sys/stat.h>

#include <cstring>
#include <memory>

namespace mycompose::cli::watch {
namespace {

constexpr int kMaxDepth = 64;  // folders nested deeper are not followed

bool is_dir(const std::string& p) {
  struct stat st;
  return ::lstat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool exists(const std::string& p) {
  struct stat st;
  return ::lstat(p.c_str(), &st) == 0;
}

// p equal to or below dir ("/a/b" is below "/a", "/ab" is not).
bool is_within(const std::string& p, const std::string& dir) {
  if (dir == "/") return true;
  return p == dir || (p.size() > dir.size() && p.compare(0, dir.size(), dir) == 0 && p[dir.size()] == '/');
}

std::string parent_of(const std::string& p) {
  auto slash = p.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : p.substr(0, slash);
}

std::string join(const std::string& dir, const std::string& name) { return dir == "/" ? "/" + name : dir + "/" + name; }

void close_and_delete(uv_handle_t* h) {
  uv_close(h, [](uv_handle_t* closed) { delete closed; });
}

}  // namespace

Notifier::Notifier(uv_loop_t* loop, std::vector<std::string> paths, OnBatch on_batch, OnWarning warn, NotifyLimits limits)
    : loop_(loop), paths_(std::move(paths)), on_batch_(std::move(on_batch)), warn_(std::move(warn)), limits_(limits) {}

Notifier::~Notifier() { close(); }

void Notifier::start() {
  timer_ = new uv_timer_t;
  uv_timer_init(loop_, timer_);
  timer_->data = this;
  for (const auto& p : paths_) {
    // The nearest existing folder: the path itself, or a parent that will see it appear.
    std::string dir = p;
    while (dir != "/" && !is_dir(dir)) dir = parent_of(dir);
    add_tree(dir, false, 0);
  }
}

void Notifier::close() {
  if (closed_) return;
  closed_ = true;
  for (auto& [dir, h] : dirs_) {
    uv_fs_event_stop(h);
    close_and_delete(reinterpret_cast<uv_handle_t*>(h));
  }
  dirs_.clear();
  if (timer_) {
    uv_timer_stop(timer_);
    close_and_delete(reinterpret_cast<uv_handle_t*>(timer_));
    timer_ = nullptr;
  }
}

bool Notifier::under_watched(const std::string& p) const {
  for (const auto& w : paths_)
    if (is_within(p, w)) return true;
  return false;
}

bool Notifier::above_watched(const std::string& p) const {
  for (const auto& w : paths_)
    if (w != p && is_within(w, p)) return true;
  return false;
}

void Notifier::add_dir(const std::string& dir) {
  if (dirs_.count(dir)) return;
  if (dirs_.size() >= limits_.max_dirs) {
    if (!warned_dirs_) warn_("more than " + std::to_string(limits_.max_dirs) + " folders to watch: changes below " + dir + " and further ones are not seen");
    warned_dirs_ = true;
    return;
  }
  auto h = std::make_unique<uv_fs_event_t>();
  uv_fs_event_init(loop_, h.get());
  h->data = this;
  if (int rc = uv_fs_event_start(h.get(), &Notifier::on_event, dir.c_str(), 0); rc != 0) {
    // Gone already, or the inotify budget is spent: say so once per folder and go on.
    if (rc != UV_ENOENT) warn_("cannot watch " + dir + ": " + uv_strerror(rc));
    close_and_delete(reinterpret_cast<uv_handle_t*>(h.release()));
    return;
  }
  dirs_[dir] = h.release();
}

void Notifier::add_tree(const std::string& dir, bool emit, int depth) {
  const bool inside = under_watched(dir);
  if (!inside && !above_watched(dir)) return;
  add_dir(dir);
  if (depth >= kMaxDepth) return;
  std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), ::closedir);
  if (!d) return;
  while (dirent* e = ::readdir(d.get())) {
    if (!std::strcmp(e->d_name, ".") || !std::strcmp(e->d_name, "..")) continue;
    const std::string p = join(dir, e->d_name);
    // Files written before the watch on a new folder was in place are reported now.
    if (emit && under_watched(p)) push(p);
    if (e->d_type == DT_DIR || (e->d_type == DT_UNKNOWN && is_dir(p))) add_tree(p, emit, depth + 1);
  }
}

void Notifier::drop_tree(const std::string& dir) {
  for (auto it = dirs_.begin(); it != dirs_.end();) {
    if (!is_within(it->first, dir)) {
      ++it;
      continue;
    }
    uv_fs_event_stop(it->second);
    close_and_delete(reinterpret_cast<uv_handle_t*>(it->second));
    it = dirs_.erase(it);
  }
}

void Notifier::on_event(uv_fs_event_t* h, const char* filename, int, int status) {
  auto* self = static_cast<Notifier*>(h->data);
  if (self->closed_ || status != 0) return;
  char buf[4096];
  size_t len = sizeof buf;
  if (uv_fs_event_getpath(h, buf, &len) != 0) return;
  self->event(std::string(buf, len), filename);
}

void Notifier::event(const std::string& dir, const char* filename) {
  // libuv names the watched folder itself (its basename) when the event is about it.
  if (!exists(dir)) {
    if (under_watched(dir)) push(dir);
    drop_tree(dir);
    return;
  }
  if (!filename || !*filename) return;
  const std::string p = join(dir, filename);
  if (is_dir(p)) {
    if (!dirs_.count(p)) add_tree(p, true, 0);
  } else if (dirs_.count(p)) {
    drop_tree(p);  // a watched folder was removed or replaced
  }
  if (under_watched(p)) push(p);
}

void Notifier::push(const std::string& path) {
  pending_.insert(path);
  if (pending_.size() >= limits_.max_batch) {
    flush();
    return;
  }
  if (timer_) uv_timer_start(timer_, &Notifier::on_quiet, limits_.quiet_ms, 0);
}

void Notifier::on_quiet(uv_timer_t* t) { static_cast<Notifier*>(t->data)->flush(); }

void Notifier::flush() {
  if (timer_) uv_timer_stop(timer_);
  if (pending_.empty()) return;
  std::vector<std::string> batch(pending_.begin(), pending_.end());
  pending_.clear();
  on_batch_(batch);
}

}  // namespace mycompose::cli::watch
