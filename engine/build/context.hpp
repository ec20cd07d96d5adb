#pragma once
// The build context folder as the builder sees it: its entries minus .dockerignore, source
// lookup for COPY/ADD (globs included), and source checksums for the cache key. Content
// hashes are kept in a stat cache (build-cache/stat/<context hash>.json) so a file whose
// size, mtime, ctime and inode are unchanged is not read again.
#include <sys/stat.h>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "mycompose/build/dockerignore.hpp"

namespace mycompose::build {

struct ContextEntry {
  std::string rel;      // "a/b.txt"; "" for the context root
  struct stat st {};
  std::string link;     // symlink target
};

class BuildContext {
 public:
  // ignore_file: the .dockerignore to apply ("" = none).
  BuildContext(std::filesystem::path dir, const std::filesystem::path& ignore_file, std::filesystem::path stat_cache_dir);
  ~BuildContext();
  BuildContext(const BuildContext&) = delete;

  const std::filesystem::path& dir() const { return dir_; }
  const DockerIgnore& ignore() const { return ignore_; }
  // Every entry not excluded, sorted by rel (walked once, on first use).
  const std::vector<ContextEntry>& entries();
  // The entries a COPY source names: the exact path or every glob match (top-level matches
  // only; folders stand for their content). Throws naming the source when nothing matches.
  std::vector<const ContextEntry*> resolve(const std::string& source, const std::string& instruction);
  // Checksum of the given top-level entries and everything under them: names, type, mode,
  // owner, size, link target, content (not mtime).
  std::string checksum(const std::vector<const ContextEntry*>& tops);
  // Writes the stat cache back if it changed.
  void save();

 private:
  std::string content_hash(const ContextEntry& e);
  void walk();

  std::filesystem::path dir_;
  DockerIgnore ignore_;
  std::filesystem::path stat_cache_file_;
  bool walked_ = false;
  std::vector<ContextEntry> entries_;
  struct CachedHash {
    long long size = 0, mtime = 0, ctime = 0, ino = 0;
    std::string hash;
  };
  std::map<std::string, CachedHash> stat_cache_;
  bool stat_cache_loaded_ = false;
  bool stat_cache_dirty_ = false;
};

// Normalises a COPY source inside the context: no leading "/", no "..", "" = the root.
// Throws "<instruction>: forbidden path outside the build context: <src>".
std::string clean_context_path(const std::string& source, const std::string& instruction);

bool has_glob_chars(const std::string& s);

}  // namespace mycompose::build
