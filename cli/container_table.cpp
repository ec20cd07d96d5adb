#include "container_table.hpp"

#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "mycompose/common/error.hpp"
#include "mycompose/daemon/engine.hpp"
#include "project_from_labels.hpp"

namespace mycompose::cli {

namespace {

std::size_t width(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;  // count code points, not bytes
  return n;
}

}  // namespace

compose::Project load_whole_project(const Context& ctx) { return compose::load_project(ctx.load_options()); }

std::string project_name(const Context& ctx) { return project_name_or_file(ctx); }

EngineClient connect_engine() { return EngineClient::connect(std::filesystem::absolute(daemon::default_root())); }

nlohmann::json engine_get(const std::string& target) { return connect_engine().call("GET", target); }

std::string render_table(const std::vector<std::vector<std::string>>& rows, std::size_t min_width, std::size_t padding) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows)
    for (std::size_t i = 0; i + 1 < row.size(); ++i) {
      if (widths.size() <= i) widths.resize(i + 1, 0);
      widths[i] = std::max(widths[i], std::max(min_width, width(row[i]) + padding));
    }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - width(row[i]), ' ');
    }
    out += line + "\n";
  }
  return out;
}

std::string ellipsis(const std::string& s, std::size_t max) {
  if (width(s) <= max) return s;
  std::string out;
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if ((c & 0xC0) != 0x80 && ++n == max) break;
    out += s[i];
  }
  return out + "\u2026";
}

std::string go_quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    if (c == '\t') {
      out += "\\t";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

bool confirm(const std::string& question) {
  std::cout << question << std::flush;
  std::string answer;
  if (!std::getline(std::cin, answer)) {
    std::cout << "\n";
    return false;
  }
  for (auto& c : answer) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return answer == "y" || answer == "yes";
}

}  // namespace mycompose::cli
