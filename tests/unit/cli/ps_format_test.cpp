// ps --format's templates and the Docker CLI's psFormat (docker compose #13643: ps honours
// psFormat from the config file when --format is not given).
#include <catch2/catch.hpp>

#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "mycompose/common/error.hpp"
#include "ps_format.hpp"

using mycompose::cli::docker_config_ps_format;
using mycompose::cli::format_containers;
using nlohmann::json;

namespace {

std::vector<json> two() {
  return {{{"ID", "0123456789abcdef0123"}, {"Name", "p-web-1"}, {"Image", "busybox:test"}, {"Command", "\"sleep 9\""},
           {"Service", "web"}, {"RunningFor", "2 seconds ago"}, {"Status", "Up 2 seconds"}, {"Ports", ""}, {"State", "running"}, {"ExitCode", 0}},
          {{"ID", "fedcba9876543210fedc"}, {"Name", "p-database-1"}, {"Image", "busybox:test"}, {"Command", "\"sleep 9\""},
           {"Service", "database"}, {"RunningFor", "3 seconds ago"}, {"Status", "Up 3 seconds"}, {"Ports", "80/tcp"}, {"State", "running"}, {"ExitCode", 0}}};
}

}  // namespace

TEST_CASE("ps format: table TEMPLATE prints the fields' column names and aligns the cells") {
  CHECK(format_containers("table {{.Name}}", two(), true) == "NAME\np-web-1\np-database-1\n");
  CHECK(format_containers("table {{.Name}}\\t{{.State}}", two(), true) ==
        "NAME           STATE\n"
        "p-web-1        running\n"
        "p-database-1   running\n");
  CHECK(format_containers("table {{ .ID }}\\t{{.ExitCode}}", two(), true) ==
        "CONTAINER ID   EXIT CODE\n"
        "0123456789ab   0\n"
        "fedcba987654   0\n");
}

TEST_CASE("ps format: a bare template is a line per container, {{json .}} the whole object") {
  CHECK(format_containers("{{.Name}}: {{.Status}}", two(), true) == "p-web-1: Up 2 seconds\np-database-1: Up 3 seconds\n");
  CHECK(format_containers("{{.ID}}", two(), false) == "0123456789abcdef0123\nfedcba9876543210fedc\n");
  CHECK(format_containers("{{json .Name}}", two(), true) == "\"p-web-1\"\n\"p-database-1\"\n");
  CHECK_THROWS_WITH(format_containers("{{.Nope}}", two(), true), "template: can't evaluate field Nope in type api.ContainerSummary");
  CHECK_THROWS_AS(format_containers("{{range .}}x{{end}}", two(), true), mycompose::Error);
  CHECK_THROWS_AS(format_containers("{{.Name", two(), true), mycompose::Error);
}

TEST_CASE("ps format: table is docker compose's columns") {
  const std::string out = format_containers("table", two(), true);
  const std::string header = out.substr(0, out.find('\n'));
  std::string words;
  for (std::size_t i = 0; i < header.size(); ++i)
    if (header[i] != ' ' || (i > 0 && header[i - 1] != ' ')) words += header[i];
  CHECK(words == "NAME IMAGE COMMAND SERVICE CREATED STATUS PORTS");
  CHECK(out.find("p-database-1   busybox:test   \"sleep 9\"   database   3 seconds ago   Up 3 seconds   80/tcp\n") != std::string::npos);
}

TEST_CASE("ps format: psFormat from $DOCKER_CONFIG/config.json, else ~/.docker/config.json") {
  const auto dir = std::filesystem::temp_directory_path() / ("ps_format_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "home" / ".docker");
  std::ofstream(dir / "config.json") << R"({"psFormat": "table {{.Name}}"})";
  std::ofstream(dir / "home" / ".docker" / "config.json") << R"({"auths": {}, "psFormat": "{{.ID}}"})";
  ::setenv("DOCKER_CONFIG", dir.c_str(), 1);
  CHECK(docker_config_ps_format() == "table {{.Name}}");
  ::unsetenv("DOCKER_CONFIG");
  ::setenv("HOME", (dir / "home").c_str(), 1);
  CHECK(docker_config_ps_format() == "{{.ID}}");
  std::ofstream(dir / "home" / ".docker" / "config.json") << R"({"auths": {}})";
  CHECK(docker_config_ps_format().empty());
  std::filesystem::remove(dir / "home" / ".docker" / "config.json");
  CHECK(docker_config_ps_format().empty());
  std::filesystem::remove_all(dir);
}
