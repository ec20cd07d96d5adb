#pragma once
// For the mount-source attacks: a host folder no container mounts ("the bait", with marker
// files), a probe that a service runs at every start to say whether its mount shows the bait,
// and a wait for what the probe wrote or for the engine's report of a failed restart.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "../integration/scheduler/cli_project_fixture.hpp"

namespace mount_attack {

using namespace cli_project;

struct Bait {
  stdfs::path dir;
  explicit Bait(const Project& p) : dir(p.r.dir / "bait") {
    for (const char* sub : {"", "y", "data"}) {
      stdfs::create_directories(dir / sub);
      mycompose::fs::write_file_atomic(dir / sub / "marker", "host\n", 0644);
    }
  }
};

// A shell command for a service: appends HOST to /out/<name> when one of `paths` exists
// (the mount shows the bait), else VOLUME; then runs `then`. As a YAML/JSON string.
inline std::string probe_command(const std::string& name, const std::vector<std::string>& paths, const std::string& then) {
  std::string test;
  for (const auto& p : paths) test += (test.empty() ? "" : " || ") + std::string("[ -e '") + p + "' ]";
  const std::string script = "if " + test + "; then echo HOST; else echo VOLUME; fi >> /out/" + name + "; " + then;
  return nlohmann::json(std::vector<std::string>{"sh", "-c", script}).dump();
}

// compose.yaml for a project made before its text (which needs the bait's paths); "@OUT@" is p.out.
inline void write_compose(const Project& p, std::string text) {
  for (auto at = text.find("@OUT@"); at != std::string::npos; at = text.find("@OUT@")) text.replace(at, 5, p.out.string());
  mycompose::fs::write_file_atomic(p.dir / "compose.yaml", text);
}

inline std::vector<std::string> lines_of(const stdfs::path& file) {
  std::vector<std::string> out;
  std::error_code ec;
  if (!stdfs::exists(file, ec)) return out;
  std::istringstream in(mycompose::fs::read_file(file));
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

// Polls (up to 30 s) until `file` has more than `seen` lines or engine.log reports a failed
// restart after `log_from` bytes; returns the report ("" when the probe ran again).
inline std::string wait_probe_or_failed_restart(const Project& p, const stdfs::path& file, std::size_t seen, std::size_t log_from) {
  for (int i = 0; i < 600; ++i) {
    if (lines_of(file).size() > seen) return "";
    std::error_code ec;
    if (stdfs::exists(p.r.root() / "engine.log", ec)) {
      const std::string log = mycompose::fs::read_file(p.r.root() / "engine.log");
      auto at = log.find("restart of", std::min(log_from, log.size()));
      if (at != std::string::npos) {
        auto end = log.find('\n', at);
        const std::string line = log.substr(at, end == std::string::npos ? std::string::npos : end - at);
        if (line.find("failed") != std::string::npos) return line;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return "";
}

inline std::size_t log_size(const Project& p) {
  std::error_code ec;
  auto n = stdfs::file_size(p.r.root() / "engine.log", ec);
  return ec ? 0 : static_cast<std::size_t>(n);
}

}  // namespace mount_attack
