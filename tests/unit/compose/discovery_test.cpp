#include <catch2/catch.hpp>

#include "mycompose/compose/discovery.hpp"
#include "unit/compose/test_util.hpp"

using namespace mycompose::compose;
using mycompose::compose::test::TempDir;

TEST_CASE("discovery: finds the preferred name and its override") {
  TempDir d;
  d.write("docker-compose.yml", "services: {}\n");
  auto r = find_default_files(d.str());
  CHECK(r.files == std::vector<std::string>{d.str() + "/docker-compose.yml"});
  CHECK(r.warnings.empty());

  d.write("compose.yaml", "services: {}\n");
  d.write("docker-compose.override.yaml", "services: {}\n");
  r = find_default_files(d.str());
  CHECK(r.files == std::vector<std::string>{d.str() + "/compose.yaml", d.str() + "/docker-compose.override.yaml"});
  REQUIRE(r.warnings.size() == 2);
  CHECK(r.warnings[0] == "Found multiple config files with supported names: " + d.str() + "/compose.yaml, " + d.str() +
                             "/docker-compose.yml");
  CHECK(r.warnings[1] == "Using " + d.str() + "/compose.yaml");
}

TEST_CASE("discovery: walks up parent folders") {
  TempDir d;
  d.write("compose.yml", "services: {}\n");
  d.write("compose.override.yml", "services: {}\n");
  d.write("a/b/c/.keep", "");
  auto r = find_default_files(d.str() + "/a/b/c");
  CHECK(r.files == std::vector<std::string>{d.str() + "/compose.yml", d.str() + "/compose.override.yml"});
}

TEST_CASE("discovery: nothing found gives an empty list") {
  TempDir d;
  d.write("sub/compose.yaml/.keep", "");  // a folder with the name does not count
  auto r = find_default_files(d.str() + "/sub");
  // Walking up may reach a real compose file above /tmp only on odd machines; ours must not come from sub/.
  for (const auto& f : r.files) CHECK(f.rfind(d.str(), 0) != 0);
}

TEST_CASE("discovery: COMPOSE_FILE splits on the separator and resolves relative paths") {
  CHECK(split_compose_file_variable("a.yaml:/abs/b.yaml::sub/c.yaml", ":", "/cwd") ==
        std::vector<std::string>{"/cwd/a.yaml", "/abs/b.yaml", "/cwd/sub/c.yaml"});
  CHECK(split_compose_file_variable("a.yaml;b.yaml", ";", "/cwd") == std::vector<std::string>{"/cwd/a.yaml", "/cwd/b.yaml"});
  CHECK(split_compose_file_variable("a.yaml;b.yaml", "", "/cwd") == std::vector<std::string>{"/cwd/a.yaml;b.yaml"});
}
