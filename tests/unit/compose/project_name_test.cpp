#include <catch2/catch.hpp>

#include "mycompose/compose/error.hpp"
#include "mycompose/compose/project_name.hpp"
#include "unit/compose/test_util.hpp"

using namespace mycompose::compose;
using mycompose::compose::test::yaml;

TEST_CASE("project name: normalization of folder names") {
  CHECK(normalize_project_name("My App.v2") == "myappv2");
  CHECK(normalize_project_name("__-x_y-") == "x_y-");
  CHECK(normalize_project_name("ÄÖ") == "");
}

TEST_CASE("project name: precedence flag, environment, name key, folder") {
  Node doc = yaml("name: fromfile\n");
  CHECK(resolve_project_name({"flag", "env", doc.find("name"), "/x/Folder"}) == "flag");
  CHECK(resolve_project_name({std::nullopt, "env", doc.find("name"), "/x/Folder"}) == "env");
  CHECK(resolve_project_name({std::nullopt, "", doc.find("name"), "/x/Folder"}) == "fromfile");
  CHECK(resolve_project_name({std::nullopt, std::nullopt, nullptr, "/x/My Folder"}) == "myfolder");
  CHECK(resolve_project_name({std::nullopt, std::nullopt, nullptr, "/x/y/"}) == "y");
}

TEST_CASE("project name: an explicit invalid name is an error saying what is allowed") {
  const std::string allowed =
      "must consist only of lowercase alphanumeric characters, hyphens, and underscores as well as start with a "
      "letter or number";
  CHECK_THROWS_WITH(resolve_project_name({"My", std::nullopt, nullptr, "/x"}),
                    "invalid project name \"My\" (from --project-name): " + allowed);
  CHECK_THROWS_WITH(resolve_project_name({std::nullopt, "_x", nullptr, "/x"}),
                    "invalid project name \"_x\" (from COMPOSE_PROJECT_NAME): " + allowed);
  Node doc = yaml("services: {}\nname: Bad.Name\n", "/p/compose.yaml");
  CHECK_THROWS_WITH(resolve_project_name({std::nullopt, std::nullopt, doc.find("name"), "/x"}),
                    "/p/compose.yaml:2:7: invalid project name \"Bad.Name\" (from the top-level name: key): " + allowed);
  CHECK_THROWS_WITH(resolve_project_name({std::nullopt, std::nullopt, nullptr, "/x/___"}),
                    Catch::StartsWith("project name must not be empty"));
}
