// `mycompose version`, `--short` and `-f json`, as docker compose prints them.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <regex>

#include "support/run.hpp"

using mycompose::test::run_mycompose;

TEST_CASE("version --short prints the bare version number") {
  auto r = run_mycompose({"version", "--short"});
  REQUIRE(r.exit_code == 0);
  CHECK(std::regex_match(r.out, std::regex(R"(\d+\.\d+\.\d+\n)")));
}

TEST_CASE("version prints the v-prefixed version, as text by default and with -f pretty") {
  std::string number = run_mycompose({"version", "--short"}).out;
  number.pop_back();
  auto plain = run_mycompose({"version"});
  CHECK(plain.exit_code == 0);
  CHECK(plain.out == "mycompose version v" + number + "\n");
  CHECK(run_mycompose({"version", "--format", "pretty"}).out == plain.out);
}

TEST_CASE("version -f json prints {\"version\": \"v<number>\"}") {
  std::string number = run_mycompose({"version", "--short"}).out;
  number.pop_back();
  auto r = run_mycompose({"version", "-f", "json"});
  REQUIRE(r.exit_code == 0);
  auto doc = nlohmann::json::parse(r.out);
  CHECK(doc == nlohmann::json{{"version", "v" + number}});
}

TEST_CASE("version rejects an unknown format, naming the flag") {
  auto r = run_mycompose({"version", "-f", "xml"});
  CHECK(r.exit_code != 0);
  CHECK_THAT(r.err, Catch::Contains("--format") && Catch::Contains("xml"));
}
