#pragma once
// Reading a JSON state record so that a torn or garbage one never stops a command: it is
// moved aside (fs::move_aside_if: kept for inspection, listed by `system check`) and the
// reader goes on as if there were none, rebuilding what it can from what the host still has.
#include <cerrno>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include <nlohmann/json.hpp>

#include "mycompose/common/json_limits.hpp"
#include "mycompose/common/error.hpp"
#include "mycompose/common/fs.hpp"

namespace mycompose::fs {

// The one way a state file is written is fs::write_file_atomic: the data goes into an unnamed
// file in the same folder (O_TMPFILE; a named ".<name>.tmpXXXXXX" where the filesystem has
// none), fsync, a temp name, rename over the path, fsync of the folder. A reader sees the old
// or the new content, a crash or a power loss keeps one of them, and a writer killed mid-way
// leaves no file behind (or, in the instant between the temp name and the rename, a temp file
// that is_temp_name() knows and that is flock-ed while its writer lives: temp_file_abandoned()).

// ".<name>.tmpXXXXXX": what write_file_atomic names its temp files.
bool is_temp_name(std::string_view filename);
// A temp file whose writer is gone (no process holds its lock); false for one being written.
bool temp_file_abandoned(const std::filesystem::path& path);

// Where a record no reader could use is kept: "<name>.corrupt-<UTC time>" beside it.
inline constexpr std::string_view kMovedAsideMark = ".corrupt-";
bool is_moved_aside_name(std::string_view filename);
// Moves the record at path aside when `is_sound` refuses what it holds now. Readers of one
// process take a lock for it, so a torn record is moved once and a record another reader has
// meanwhile rebuilt stays. Returns the new path; nullopt when the file is gone or sound.
// Read errors (other than the size limit) throw: an unreadable file is not a corrupt one.
std::optional<std::filesystem::path> move_aside_if(const std::filesystem::path& path,
                                                   const std::function<bool(const std::string&)>& is_sound,
                                                   std::size_t max_bytes);

// fsync of a folder, so an entry just made in it (a new subfolder) survives a power loss.
void sync_dir(const std::filesystem::path& dir);

// parse: the record's JSON → what the caller keeps; it throws on a record it cannot use.
// nullopt: there is no record, or it was corrupt and has been moved aside. Errors reading the
// file (other than its absence) throw.
template <class Parse>
auto read_record(const std::filesystem::path& path, std::size_t max_bytes, Parse parse)
    -> std::optional<std::decay_t<std::invoke_result_t<Parse, const nlohmann::json&>>> {
  using T = std::decay_t<std::invoke_result_t<Parse, const nlohmann::json&>>;
  auto attempt = [&](const std::string& text) -> std::optional<T> {
    try {
      return parse(parse_json_bounded(text));
    } catch (const std::exception&) {
      return std::nullopt;
    }
  };
  // A second round when another reader moved it or rebuilt it in between.
  for (int round = 0; round < 2; ++round) {
    std::string text;
    bool too_large = false;
    try {
      text = read_file(path, max_bytes);
    } catch (const SystemError& e) {
      if (e.error_number() == ENOENT) return std::nullopt;
      throw;
    } catch (const Error&) {
      too_large = true;
    }
    if (!too_large)
      if (auto v = attempt(text)) return v;
    if (move_aside_if(path, [&](const std::string& t) { return attempt(t).has_value(); }, max_bytes)) return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace mycompose::fs
