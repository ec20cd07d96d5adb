#pragma once
// Lexical cleaning of tar entry names and link targets (as Go's filepath.Clean, which moby uses).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mycompose::image {

// "./a//b/../c" → "a/c"; "" or "." → "" (the layer root). An absolute name is taken relative to
// the layer root. A name whose ".." climbs above the root → nullopt (refused), except that
// with clamp_at_root an absolute name's ".." stays at the root ("/../x" → "x") — moby's
// filepath.Clean of entry names; link targets are checked without clamping, as moby does.
inline std::optional<std::string> clean_tar_path(std::string_view name, bool clamp_at_root = true) {
  bool absolute = !name.empty() && name.front() == '/';
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (start <= name.size()) {
    auto slash = name.find('/', start);
    auto comp = name.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (comp == "..") {
      if (!parts.empty()) parts.pop_back();
      else if (!absolute || !clamp_at_root) return std::nullopt;
    } else if (!comp.empty() && comp != ".") {
      parts.push_back(comp);
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  std::string out;
  for (auto p : parts) {
    if (!out.empty()) out += '/';
    out += p;
  }
  return out;
}

}  // namespace mycompose::image
