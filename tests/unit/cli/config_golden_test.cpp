// Golden tests: `mycompose config` (YAML and --format json) on the stacks of tests/golden/,
// compared with the hand-written expected outputs. See tests/golden/README.md.
#include <catch2/catch.hpp>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "config_run.hpp"

using namespace config_test;
namespace stdfs = std::filesystem;

namespace {

std::vector<stdfs::path> stacks() {
  std::vector<stdfs::path> dirs;
  for (const auto& e : stdfs::directory_iterator(stdfs::path(source_dir()) / "tests" / "golden"))
    if (stdfs::exists(e.path() / "compose.yaml")) dirs.push_back(stdfs::canonical(e.path()));
  std::sort(dirs.begin(), dirs.end());
  return dirs;
}

// The warnings stderr held, each as its msg (logrus's time="…" dropped).
std::string warning_messages(const std::string& err) {
  std::string out;
  std::size_t start = 0;
  for (std::size_t nl; (nl = err.find('\n', start)) != std::string::npos; start = nl + 1) {
    std::string line = err.substr(start, nl - start);
    if (auto at = line.find(" level="); line.rfind("time=", 0) == 0 && at != std::string::npos) line = line.substr(at + 1);
    out += line + "\n";
  }
  return out + err.substr(start);
}

// The command's stdout with the project folder written /PROJECT, as in the expected files;
// stderr holds the warnings of expected.warnings (none when the file is absent).
std::string config_output(const stdfs::path& dir, const std::vector<std::string>& args) {
  Result r = run_config(dir, args);
  INFO("stderr: " << r.err);
  CHECK(r.status == 0);
  const stdfs::path warnings = dir / "expected.warnings";
  CHECK(warning_messages(r.err) == (stdfs::exists(warnings) ? slurp(warnings) : std::string()));
  return replace_all(r.out, dir.string(), "/PROJECT");
}

}  // namespace

TEST_CASE("config golden: YAML output of every stack", "[golden]") {
  auto dirs = stacks();
  REQUIRE(dirs.size() >= 12);
  for (const auto& dir : dirs) {
    DYNAMIC_SECTION(dir.filename().string()) {
      CHECK(config_output(dir, {"config"}) == slurp(dir / "expected.yaml"));
    }
  }
}

TEST_CASE("config golden: JSON output of every stack", "[golden]") {
  for (const auto& dir : stacks()) {
    DYNAMIC_SECTION(dir.filename().string()) {
      auto actual = nlohmann::ordered_json::parse(config_output(dir, {"config", "--format", "json"}));
      auto expected = nlohmann::ordered_json::parse(slurp(dir / "expected.json"));
      CHECK(actual.dump(2) == expected.dump(2));  // dump: key order matters too
    }
  }
}
