// Compose side: `mycompose pull` and `push` over a project's services (and `images`, which lists containers).
#include <catch2/catch.hpp>

#include "integration/image/registry_fixture.hpp"

using namespace registry_test;
using mycompose::image::Reference;

TEST_CASE("compose pull honours pull_policy, push pushes, images lists no image without containers") {
  Registry reg;
  Machine dev, ci;
  std::string web = reg.host() + "/app/web:1";
  std::string id = make_busybox_image(dev, web);
  TempDir project;
  mycompose::fs::write_file_atomic(project.path / "compose.yaml",
                                   "name: demo\n"
                                   "services:\n"
                                   "  web:\n    image: " + web + "\n"
                                   "  cache:\n    image: " + reg.host() + "/app/cache:1\n    pull_policy: never\n"
                                   "  local:\n    build: .\n");
  auto in_project = [&](const Machine& m, std::vector<std::string> args) {
    args.insert(args.begin(), {"--project-directory", project.path.string(), "-f", (project.path / "compose.yaml").string()});
    return m.mycompose(args);
  };

  auto push = in_project(dev, {"push", "web"});
  INFO(push.out << push.err);
  REQUIRE(push.rc == 0);
  CHECK(push.out.find(" web Pushed") != std::string::npos);

  auto pull = in_project(ci, {"pull"});
  INFO(pull.out << pull.err);
  REQUIRE(pull.rc == 0);
  CHECK(pull.out.find(" web Pulled") != std::string::npos);
  CHECK(pull.out.find(" cache Skipped") != std::string::npos);  // pull_policy: never
  CHECK(ci.store().resolve(Reference::parse(web).str()) == id);

  auto missing = in_project(ci, {"pull", "--policy", "missing", "web"});
  REQUIRE(missing.rc == 0);
  CHECK(missing.out.find(" web Skipped - Image is already present locally") != std::string::npos);

  // images lists containers, as docker compose's does: none exist here, so no rows
  // (tests/compose_e2e/images_test.cpp covers the rows).
  auto images = in_project(ci, {"images"});
  INFO(images.out << images.err);
  REQUIRE(images.rc == 0);
  CHECK(images.out.find("CONTAINER") == 0);
  CHECK(images.out.find(reg.host() + "/app/web") == std::string::npos);
  CHECK(in_project(ci, {"images", "-q"}).out.empty());
}

TEST_CASE("compose pull: failures fail the command unless ignored") {
  Registry reg;
  Machine m;
  TempDir project;
  std::string ghost = reg.host() + "/app/ghost:1";
  mycompose::fs::write_file_atomic(project.path / "compose.yaml", "services:\n  ghost:\n    image: " + ghost + "\n");
  std::vector<std::string> base = {"--project-directory", project.path.string(), "-f",
                                   (project.path / "compose.yaml").string(), "pull"};
  auto failed = m.mycompose(base);
  CHECK(failed.rc == 1);
  CHECK(failed.err.find("error: manifest for " + ghost + " not found: manifest unknown") != std::string::npos);
  base.push_back("--ignore-pull-failures");
  auto ignored = m.mycompose(base);
  CHECK(ignored.rc == 0);
  CHECK(ignored.err.find("WARNING: ghost: manifest for " + ghost + " not found") != std::string::npos);
}
