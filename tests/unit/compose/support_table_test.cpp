// docs/compose-support.md against the code: the table lists every service key of the
// specification, the loader knows every key it names, and no key `up` warns about
// ("… is not supported yet and is ignored") is marked supported.
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

#include "mycompose/compose/supported.hpp"
#include "normalize_fixture.hpp"

using namespace normalize_test;

namespace {

// One row per key: "| `services.cap_add` | supported | notes |" → {"services.cap_add", "supported"}.
std::map<std::string, std::string> parse_table(const std::string& markdown) {
  std::map<std::string, std::string> rows;
  std::istringstream in(markdown);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("| `", 0) != 0) continue;
    const auto key_end = line.find('`', 3);
    const auto status_start = line.find("| ", key_end) + 2;
    const auto status_end = line.find(" |", status_start);
    if (key_end == std::string::npos || status_end == std::string::npos) throw std::runtime_error("malformed row: " + line);
    const std::string key = line.substr(3, key_end - 3), status = line.substr(status_start, status_end - status_start);
    if (status != "supported" && status != "partial" && status != "not yet")
      throw std::runtime_error("row " + key + ": status \"" + status + "\" is not supported, partial or not yet");
    if (!rows.emplace(key, status).second) throw std::runtime_error("row " + key + " appears twice");
  }
  return rows;
}

std::map<std::string, std::string> support_table() {
  const char* src = std::getenv("MYCOMPOSE_SRC");
  if (!src) throw std::runtime_error("MYCOMPOSE_SRC is not set (run through ctest)");
  std::ifstream f(std::string(src) + "/docs/compose-support.md");
  if (!f) throw std::runtime_error(std::string(src) + "/docs/compose-support.md cannot be read");
  std::stringstream text;
  text << f.rdbuf();
  return parse_table(text.str());
}

// "services.cap_add" → a document setting that key (to null: the test is about the key, and a
// type error still proves the loader knows it).
std::string document_with(const std::string& key) {
  const auto dot = key.find('.');
  if (dot == std::string::npos) return key + ": ~\n";
  const std::string section = key.substr(0, dot), name = key.substr(dot + 1);
  if (section == "services") return "services:\n  web:\n    image: x\n    " + name + ": ~\n";
  return "services:\n  web:\n    image: x\n" + section + ":\n  one:\n    " + name + ": ~\n";
}

// The loader's verdict on a key: "" when it knows it, else the error.
std::string unknown_key_error(const std::string& key) {
  try {
    run(document_with(key));
  } catch (const std::exception& e) {
    const std::string what = e.what();
    if (what.find("unknown key") != std::string::npos || what.find("unknown top-level key") != std::string::npos) return what;
  }
  return "";
}

}  // namespace

TEST_CASE("support table: the parser reads rows and refuses a status it does not know", "[support-table]") {
  auto rows = parse_table("| key | status | notes |\n|---|---|---|\n| `services.tty` | supported | |\n| `services.gpus` | not yet | a \\| b |\n");
  CHECK(rows == std::map<std::string, std::string>{{"services.tty", "supported"}, {"services.gpus", "not yet"}});
  CHECK_THROWS_WITH(parse_table("| `services.tty` | works | |\n"), Catch::Contains("is not supported, partial or not yet"));
  CHECK(unknown_key_error("services.comand").find("unknown key \"comand\"") != std::string::npos);
  CHECK(unknown_key_error("networks.enable_ipv7").find("unknown key \"enable_ipv7\"") != std::string::npos);
  CHECK(unknown_key_error("services.command").empty());
}

TEST_CASE("support table: every service key of the specification has a row", "[support-table]") {
  const auto rows = support_table();
  for (const auto& key : mycompose::compose::service_keys()) {
    INFO("services." << key);
    CHECK(rows.count("services." + key) == 1);
  }
  for (const char* section : {"name", "services", "networks", "volumes", "secrets", "configs", "include", "version", "models"}) {
    INFO(section);
    CHECK(rows.count(section) == 1);
  }
}

TEST_CASE("support table: the loader knows every key the table names", "[support-table]") {
  for (const auto& [key, status] : support_table()) {
    INFO(key);
    CHECK(unknown_key_error(key) == "");
  }
}

TEST_CASE("support table: no key that up warns about is marked supported", "[support-table]") {
  // Keys the loader consumes before the model exists: checked through the loader itself.
  const std::map<std::string, std::string> consumed = {
      {"version", "version: '3.8'\nservices:\n  web:\n    image: x\n"},
      {"include", "include: []\nservices:\n  web:\n    image: x\n"},
      {"services.extends", "services:\n  web:\n    image: x\n    extends: base\n  base:\n    image: x\n"},
  };
  for (const auto& [key, status] : support_table()) {
    if (status != "supported") continue;
    INFO(key << " is marked supported");
    if (auto it = consumed.find(key); it != consumed.end()) {
      CHECK(run(it->second).unsupported.empty());
      continue;
    }
    // The engine's list covers the top level and service keys; section keys are never warned about.
    json model = {{"name", "proj"}, {"services", {{"web", {{"image", "x"}}}}}};
    if (key.rfind("services.", 0) == 0) model["services"]["web"][key.substr(9)] = nullptr;
    else if (key.find('.') == std::string::npos) model[key] = json::object();
    else continue;
    CHECK(mycompose::compose::unsupported_keys(model).empty());
  }
}
