#include "context.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include <nlohmann/json.hpp>

#include "mycompose/common/error.hpp"
#include "mycompose/common/fs.hpp"
#include "mycompose/common/sha256.hpp"
#include "mycompose/common/unique_fd.hpp"
#include "mycompose/common/untrusted_file.hpp"

namespace mycompose::build {
namespace stdfs = std::filesystem;

namespace {

long long ns(const timespec& t) { return static_cast<long long>(t.tv_sec) * 1000000000LL + t.tv_nsec; }

// Entries under a folder are not one contiguous run of the sorted list ("a-b" sorts between
// "a" and "a/x"), so the scan tests every entry after the folder.
bool under(const std::string& rel, const std::string& top) {
  if (top.empty()) return true;
  return rel.size() > top.size() && rel.compare(0, top.size(), top) == 0 && rel[top.size()] == '/';
}

}  // namespace

bool has_glob_chars(const std::string& s) { return s.find_first_of("*?[") != std::string::npos; }

std::string clean_context_path(const std::string& source, const std::string& instruction) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= source.size()) {
    auto slash = source.find('/', start);
    auto part = source.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (part == "..") {
      if (parts.empty()) throw Error(instruction + ": forbidden path outside the build context: " + source);
      parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "/") + p;
  return out;
}

BuildContext::BuildContext(stdfs::path dir, const stdfs::path& ignore_file, stdfs::path stat_cache_dir)
    : dir_(stdfs::absolute(std::move(dir)).lexically_normal()) {
  if (!stdfs::is_directory(dir_)) throw Error("build context " + dir_.string() + " is not a folder");
  if (!ignore_file.empty())
    if (auto text = fs::read_untrusted_if_exists(AT_FDCWD, ignore_file, ignore_file.string(), 16 << 20, {.in_root = false}))
      ignore_ = DockerIgnore(*text);
  if (!stat_cache_dir.empty()) stat_cache_file_ = stat_cache_dir / (sha256_hex(dir_.string()).substr(0, 32) + ".json");
}

BuildContext::~BuildContext() = default;

void BuildContext::walk() {
  walked_ = true;
  ContextEntry root;
  if (::lstat(dir_.c_str(), &root.st) != 0) throw SystemError("stat build context " + dir_.string(), errno);
  entries_.push_back(root);
  const bool exceptions = ignore_.has_exceptions();
  // A plain readdir/fstatat walk: two syscalls an entry, nothing else (the no-change
  // rebuild goal is dominated by this walk).
  std::vector<std::string> stack{""};
  while (!stack.empty()) {
    std::string rel = std::move(stack.back());
    stack.pop_back();
    auto path = rel.empty() ? dir_ : dir_ / rel;
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) throw SystemError("open " + path.string(), errno);
    DIR* d = ::fdopendir(fd.get());
    if (!d) throw SystemError("opendir " + path.string(), errno);
    int dfd = fd.release();
    while (dirent* de = ::readdir(d)) {
      std::string name = de->d_name;
      if (name == "." || name == "..") continue;
      ContextEntry e;
      e.rel = rel.empty() ? name : rel + "/" + name;
      if (::fstatat(dfd, name.c_str(), &e.st, AT_SYMLINK_NOFOLLOW) != 0) throw SystemError("stat " + (dir_ / e.rel).string(), errno);
      bool excluded = ignore_.excluded(e.rel);
      if (S_ISDIR(e.st.st_mode) && (!excluded || exceptions)) stack.push_back(e.rel);
      if (excluded) continue;
      if (S_ISLNK(e.st.st_mode)) {
        char buf[4096];
        auto n = ::readlinkat(dfd, name.c_str(), buf, sizeof buf);
        if (n >= 0) e.link.assign(buf, static_cast<std::size_t>(n));
      }
      entries_.push_back(std::move(e));
    }
    ::closedir(d);
  }
  std::sort(entries_.begin(), entries_.end(), [](const ContextEntry& a, const ContextEntry& b) { return a.rel < b.rel; });
}

const std::vector<ContextEntry>& BuildContext::entries() {
  if (!walked_) walk();
  return entries_;
}

std::vector<const ContextEntry*> BuildContext::resolve(const std::string& source, const std::string& instruction) {
  const auto& all = entries();
  std::string clean = clean_context_path(source, instruction);
  std::vector<const ContextEntry*> out;
  if (has_glob_chars(clean)) {
    for (const auto& e : all)
      if (!e.rel.empty() && glob_match_path(clean, e.rel)) out.push_back(&e);
  } else {
    auto it = std::lower_bound(all.begin(), all.end(), clean, [](const ContextEntry& e, const std::string& k) { return e.rel < k; });
    if (it != all.end() && it->rel == clean) out.push_back(&*it);
  }
  if (out.empty())
    throw Error(instruction + " failed: file not found in build context or excluded by .dockerignore: " + source);
  return out;
}

std::string BuildContext::content_hash(const ContextEntry& e) {
  if (!stat_cache_loaded_) {
    stat_cache_loaded_ = true;
    if (!stat_cache_file_.empty() && stdfs::exists(stat_cache_file_)) {
      try {
        auto j = nlohmann::json::parse(fs::read_file(stat_cache_file_));
        for (const auto& [k, v] : j.items())
          stat_cache_[k] = CachedHash{v[0].get<long long>(), v[1].get<long long>(), v[2].get<long long>(), v[3].get<long long>(),
                                      v[4].get<std::string>()};
      } catch (const std::exception&) {
        stat_cache_.clear();  // a damaged cache is only a slower build
      }
    }
  }
  CachedHash now{static_cast<long long>(e.st.st_size), ns(e.st.st_mtim), ns(e.st.st_ctim), static_cast<long long>(e.st.st_ino), ""};
  auto it = stat_cache_.find(e.rel);
  if (it != stat_cache_.end() && it->second.size == now.size && it->second.mtime == now.mtime && it->second.ctime == now.ctime &&
      it->second.ino == now.ino)
    return it->second.hash;
  auto path = dir_ / e.rel;
  // Walked as a regular file, but it may have been swapped for a FIFO since.
  UniqueFd fd = fs::open_untrusted(AT_FDCWD, path, path.string(), {.in_root = false, .follow_last = false});
  Sha256 h;
  char buf[65536];
  while (true) {
    auto n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw SystemError("read " + path.string(), errno);
    }
    if (n == 0) break;
    h.update(buf, static_cast<std::size_t>(n));
  }
  now.hash = h.hex();
  stat_cache_[e.rel] = now;
  stat_cache_dirty_ = true;
  return now.hash;
}

std::string BuildContext::checksum(const std::vector<const ContextEntry*>& tops) {
  const auto& all = entries();
  Sha256 h;
  auto add = [&](const ContextEntry& e, const std::string& name) {
    std::string line = name + std::string(1, '\0') + std::to_string(e.st.st_mode) + " " + std::to_string(e.st.st_uid) + " " +
                       std::to_string(e.st.st_gid) + " " + std::to_string(e.st.st_size) + " ";
    if (S_ISLNK(e.st.st_mode)) line += "link:" + e.link;
    else if (S_ISREG(e.st.st_mode)) line += content_hash(e);
    line += "\n";
    h.update(line);
  };
  for (const auto* top : tops) {
    add(*top, "top:" + top->rel);
    if (!S_ISDIR(top->st.st_mode)) continue;
    auto it = std::lower_bound(all.begin(), all.end(), top->rel, [](const ContextEntry& e, const std::string& k) { return e.rel < k; });
    for (; it != all.end(); ++it)
      if (under(it->rel, top->rel)) add(*it, it->rel.substr(top->rel.empty() ? 0 : top->rel.size() + 1));
  }
  return h.hex();
}

void BuildContext::save() {
  if (!stat_cache_dirty_ || stat_cache_file_.empty()) return;
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : stat_cache_) j[k] = {v.size, v.mtime, v.ctime, v.ino, v.hash};
  fs::make_dirs(stat_cache_file_.parent_path(), 0700);
  fs::write_file_atomic(stat_cache_file_, j.dump());
  stat_cache_dirty_ = false;
}

}  // namespace mycompose::build
