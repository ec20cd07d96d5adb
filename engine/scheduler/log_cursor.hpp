#pragma once
// A reader of one container's json-file log (log_file.hpp) from a position, entry by entry,
// across rotations. `logs` sends history with it and a follower that fell behind catches up
// with it, a little at a time while its client reads: the file holds what the client has
// not taken yet, so a slow client costs the engine neither memory nor the stream.
//
// A position is (inode, offset) of a file of the log, not a path: rotation renames files.
// A file rotated away before the cursor got to it is skipped (its entries are gone, as in
// Docker); a file truncated in place (max-file 1) is read again from its start.
#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <set>
#include <string>

#include "log_file.hpp"
#include "mycompose/common/unique_fd.hpp"

namespace mycompose::scheduler {

struct LogPosition {
  std::uint64_t ino = 0;     // 0: the log had no file yet
  std::uint64_t offset = 0;  // bytes of that file before the position
};

class LogCursor {
 public:
  // At `from`; without one, at the oldest entry of the log. `limit`: the cursor ends there
  // (what the log held when a `logs` without --follow began).
  LogCursor(std::filesystem::path log, std::optional<LogPosition> from = std::nullopt, std::optional<LogPosition> limit = std::nullopt);
  LogCursor(const LogCursor&) = delete;

  // The next entry, or null at the end of the log (for now) or at the limit.
  const LogEntry* peek();
  void next();  // past the entry peek() gave
  // After the last entry taken by next().
  LogPosition position() const { return {ino_, base_ + pos_}; }
  // Files of the log the cursor has read to their end (or lost to truncation).
  bool finished(std::uint64_t ino) const { return finished_.count(ino) > 0; }

 private:
  bool open_file(const std::filesystem::path& p, std::uint64_t offset);
  bool next_file();  // the file after the current one, once it is read to its end
  bool at_limit() const;

  std::filesystem::path log_;
  std::optional<LogPosition> limit_;
  UniqueFd fd_;
  std::uint64_t ino_ = 0;
  std::uint64_t base_ = 0;  // file offset of buf_[0]
  std::string buf_;
  std::size_t pos_ = 0;     // taken: buf_[0, pos_)
  std::size_t peek_end_ = 0;
  std::optional<LogEntry> peeked_;
  std::set<std::uint64_t> finished_;
  bool ended_ = false;      // passed the limit
  bool skip_line_ = false;  // in a line too long to be an entry
};

// Where the last `n` entries of the log begin (n lines counted back from the end, or from
// `limit`), reading backwards only as far as needed.
LogPosition tail_position(const std::filesystem::path& log, std::size_t n, std::optional<LogPosition> limit = std::nullopt);

// The end of the log now: its current file's inode and size (ino 0 when it has none).
LogPosition log_end(const std::filesystem::path& log);

}  // namespace mycompose::scheduler
