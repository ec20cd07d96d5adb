#include "mycompose/compose/discovery.hpp"

#include <filesystem>
#include <system_error>

namespace mycompose::compose {
namespace stdfs = std::filesystem;

namespace {

template <std::size_t N>
std::vector<std::string> existing(const stdfs::path& dir, const std::array<std::string_view, N>& names) {
  std::vector<std::string> found;
  for (auto name : names) {
    std::error_code ec;
    stdfs::path p = dir / name;
    if (stdfs::is_regular_file(p, ec)) found.push_back(p.string());
  }
  return found;
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

}  // namespace

Discovered find_default_files(const std::string& start) {
  Discovered d;
  stdfs::path dir = stdfs::path(start).lexically_normal();
  for (;;) {
    auto candidates = existing(dir, kDefaultFileNames);
    if (!candidates.empty()) {
      if (candidates.size() > 1) {
        d.warnings.push_back("Found multiple config files with supported names: " + join(candidates));
        d.warnings.push_back("Using " + candidates[0]);
      }
      d.files.push_back(candidates[0]);
      auto overrides = existing(dir, kDefaultOverrideFileNames);
      if (!overrides.empty()) {
        if (overrides.size() > 1) {
          d.warnings.push_back("Found multiple override files with supported names: " + join(overrides));
          d.warnings.push_back("Using " + overrides[0]);
        }
        d.files.push_back(overrides[0]);
      }
      return d;
    }
    stdfs::path parent = dir.parent_path();
    if (parent == dir || parent.empty()) return d;
    dir = parent;
  }
}

std::vector<std::string> split_compose_file_variable(const std::string& value, const std::string& separator,
                                                     const std::string& base_dir) {
  std::string sep = separator.empty() ? ":" : separator;
  std::vector<std::string> out;
  std::size_t pos = 0;
  for (;;) {
    std::size_t next = value.find(sep, pos);
    std::string part = value.substr(pos, next == std::string::npos ? std::string::npos : next - pos);
    if (!part.empty()) {
      stdfs::path p(part);
      out.push_back(p.is_absolute() ? p.lexically_normal().string() : (stdfs::path(base_dir) / p).lexically_normal().string());
    }
    if (next == std::string::npos) break;
    pos = next + sep.size();
  }
  return out;
}

}  // namespace mycompose::compose
