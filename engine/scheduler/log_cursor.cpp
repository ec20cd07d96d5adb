#include "log_cursor.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <utility>
#include <vector>

namespace mycompose::scheduler {
namespace stdfs = std::filesystem;

namespace {

constexpr std::size_t kReadBytes = 64 * 1024;
// Our entries are at most 16 KiB of text, escaped: a longer line is not ours and is skipped.
constexpr std::size_t kMaxLineBytes = 1 << 20;
constexpr int kMaxFiles = 1000;

struct LogFile {
  stdfs::path path;
  std::uint64_t ino;
  std::uint64_t size;
};

std::optional<LogFile> stat_file(const stdfs::path& p) {
  struct stat st {};
  if (::lstat(p.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  return LogFile{p, static_cast<std::uint64_t>(st.st_ino), static_cast<std::uint64_t>(st.st_size)};
}

// The files of the log, newest first: <log>, <log>.1, <log>.2 …
std::vector<LogFile> log_files(const stdfs::path& log) {
  std::vector<LogFile> files;
  if (auto f = stat_file(log)) files.push_back(*f);
  for (int n = 1; n <= kMaxFiles; ++n) {
    auto f = stat_file(log.string() + "." + std::to_string(n));
    if (!f) break;
    files.push_back(*f);
  }
  return files;
}

}  // namespace

LogCursor::LogCursor(stdfs::path log, std::optional<LogPosition> from, std::optional<LogPosition> limit)
    : log_(std::move(log)), limit_(limit) {
  if (limit_ && limit_->ino == 0) ended_ = true;  // the log had nothing
  const auto files = log_files(log_);
  if (from && from->ino != 0) {
    for (const auto& f : files)
      if (f.ino == from->ino) {
        open_file(f.path, from->offset);
        return;
      }
  }
  // From the start, or the file is gone: the oldest entry left.
  if (!files.empty()) open_file(files.back().path, 0);
}

bool LogCursor::open_file(const stdfs::path& p, std::uint64_t offset) {
  // Our own file in the container's folder; no link is followed all the same.
  UniqueFd fd(::open(p.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
  struct stat st {};
  if (!fd || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
  fd_ = std::move(fd);
  ino_ = static_cast<std::uint64_t>(st.st_ino);
  base_ = offset <= static_cast<std::uint64_t>(st.st_size) ? offset : 0;
  buf_.clear();
  pos_ = 0;
  peeked_.reset();
  return true;
}

bool LogCursor::at_limit() const { return limit_ && ino_ == limit_->ino && base_ + pos_ >= limit_->offset; }

bool LogCursor::next_file() {
  const auto files = log_files(log_);
  std::size_t k = files.size();
  for (std::size_t i = 0; i < files.size(); ++i)
    if (files[i].ino == ino_) k = i;
  if (k == 0) return false;  // the newest file: nothing after it yet
  finished_.insert(ino_);
  if (limit_ && ino_ == limit_->ino) {
    ended_ = true;
    return false;
  }
  if (limit_) {
    bool still = false;
    for (const auto& f : files) still = still || f.ino == limit_->ino;
    if (!still) {  // the limit's file was rotated away: what follows is newer than the request
      ended_ = true;
      return false;
    }
  }
  if (files.empty()) return false;
  // Ours was rotated away entirely: the oldest file left comes next.
  const LogFile& target = k < files.size() ? files[k - 1] : files.back();
  return open_file(target.path, 0);
}

const LogEntry* LogCursor::peek() {
  if (peeked_) return &*peeked_;
  if (ended_) return nullptr;
  if (!fd_) {
    auto files = log_files(log_);
    if (files.empty() || !open_file(files.back().path, 0)) return nullptr;
  }
  for (;;) {
    if (at_limit()) {
      ended_ = true;
      return nullptr;
    }
    const std::size_t nl = buf_.find('\n', pos_);
    if (nl != std::string::npos) {
      if (auto e = LogEntry::parse(std::string_view(buf_).substr(pos_, nl - pos_))) {
        peeked_ = std::move(*e);
        peek_end_ = nl + 1;
        return &*peeked_;
      }
      pos_ = nl + 1;  // not an entry (a torn or foreign line): skipped
      continue;
    }
    if (pos_ > 0) {
      buf_.erase(0, pos_);
      base_ += pos_;
      pos_ = 0;
    }
    if (buf_.size() > kMaxLineBytes) {
      base_ += buf_.size();
      buf_.clear();
      skip_line_ = true;
    }
    char chunk[kReadBytes];
    const ssize_t n = ::pread(fd_.get(), chunk, sizeof chunk, static_cast<off_t>(base_ + buf_.size()));
    if (n < 0 && errno == EINTR) continue;
    if (n > 0) {
      std::string_view got(chunk, static_cast<std::size_t>(n));
      if (skip_line_) {
        const auto end = got.find('\n');
        base_ += end == std::string_view::npos ? got.size() : end + 1;
        if (end == std::string_view::npos) continue;
        got.remove_prefix(end + 1);
        skip_line_ = false;
      }
      buf_.append(got);
      continue;
    }
    // The end of this file. Truncated in place (max-file 1): read it again from its start.
    struct stat st {};
    if (n == 0 && ::fstat(fd_.get(), &st) == 0 && static_cast<std::uint64_t>(st.st_size) < base_ + buf_.size()) {
      finished_.insert(ino_);
      base_ = 0;
      buf_.clear();
      pos_ = 0;
      skip_line_ = false;
      continue;
    }
    if (!buf_.empty() || !next_file()) return nullptr;  // a partial last line waits for the rest
  }
}

void LogCursor::next() {
  if (!peeked_) return;
  peeked_.reset();
  pos_ = peek_end_;
}

LogPosition log_end(const stdfs::path& log) {
  auto f = stat_file(log);
  return f ? LogPosition{f->ino, f->size} : LogPosition{};
}

LogPosition tail_position(const stdfs::path& log, std::size_t n, std::optional<LogPosition> limit) {
  const auto files = log_files(log);
  std::size_t first = 0;
  std::uint64_t end = files.empty() ? 0 : files[0].size;
  if (limit) {
    first = files.size();
    for (std::size_t i = 0; i < files.size(); ++i)
      if (files[i].ino == limit->ino) first = i;
    if (first == files.size()) return *limit;  // its file is gone: nothing before it is left
    end = std::min(limit->offset, files[first].size);
  }
  if (files.empty()) return {};
  if (n == 0) return {files[first].ino, end};
  std::size_t need = n;
  for (std::size_t i = first; i < files.size(); ++i) {
    const LogFile& f = files[i];
    if (i != first) end = f.size;
    UniqueFd fd(::open(f.path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
    if (!fd) continue;
    // Line starts, from the end back: the byte after each '\n' but the last one.
    std::uint64_t at = end > 0 ? end - 1 : 0;  // skip the last line's own '\n'
    char chunk[kReadBytes];
    while (at > 0) {
      const std::uint64_t from = at > sizeof chunk ? at - sizeof chunk : 0;
      const ssize_t got = ::pread(fd.get(), chunk, static_cast<std::size_t>(at - from), static_cast<off_t>(from));
      if (got <= 0) break;
      for (ssize_t j = got - 1; j >= 0; --j)
        if (chunk[j] == '\n' && --need == 0) return {f.ino, from + static_cast<std::uint64_t>(j) + 1};
      at = from;
    }
    if (end > 0 && --need == 0) return {f.ino, 0};  // the file's first line
  }
  return {files.back().ino, 0};
}

}  // namespace mycompose::scheduler
