// A registry behind htpasswd (Basic) auth: refused without login, works after
// `mycompose login`, wrong passwords named with the registry, logout forgets.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include "integration/image/registry_fixture.hpp"

using namespace registry_test;
using mycompose::image::Reference;

TEST_CASE("registry auth: 401 without login, push and pull after login, logout") {
  Registry reg("alice", "wonderland");
  Machine a, b;
  std::string ref = reg.host() + "/private/busybox:latest";
  std::string id = make_busybox_image(a, ref);

  auto denied = a.mycompose({"image", "push", ref});
  CHECK(denied.rc == 1);
  CHECK(denied.err == "error: " + ref + ": " + reg.host() +
                          ": unauthorized: authentication required (no credentials; run 'mycompose login " +
                          reg.host() + "')\n");

  auto bad = a.mycompose({"login", reg.host(), "-u", "alice", "-p", "wrong"});
  CHECK(bad.rc == 1);
  CHECK(bad.err.find("error: login to " + reg.host() + " failed: unauthorized: authentication required") !=
        std::string::npos);
  CHECK_FALSE(stdfs::exists(a.dir.path / "docker/config.json"));

  auto login = a.mycompose({"login", reg.host(), "-u", "alice", "--password-stdin"}, {}, "wonderland\n");
  INFO(login.out << login.err);
  REQUIRE(login.rc == 0);
  CHECK(login.out == "Login Succeeded\n");
  struct stat st {};
  REQUIRE(::stat((a.dir.path / "docker/config.json").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  auto config = nlohmann::json::parse(mycompose::fs::read_file(a.dir.path / "docker/config.json"));
  CHECK(config["auths"][reg.host()]["auth"] == "YWxpY2U6d29uZGVybGFuZA==");  // alice:wonderland

  auto push = a.mycompose({"image", "push", ref});
  INFO(push.out << push.err);
  REQUIRE(push.rc == 0);

  // b has no credentials: 401 naming the registry; then the same config.json lets it in.
  auto anon = b.mycompose({"image", "pull", ref});
  CHECK(anon.rc == 1);
  CHECK(anon.err.find("error: " + ref + ": " + reg.host() + ": unauthorized") == 0);
  CHECK(b.store().list().empty());
  auto pull = b.mycompose({"image", "pull", ref}, {{"DOCKER_CONFIG", (a.dir.path / "docker").string()}});
  INFO(pull.out << pull.err);
  REQUIRE(pull.rc == 0);
  CHECK(b.store().resolve(Reference::parse(ref).str()) == id);

  auto logout = a.mycompose({"logout", reg.host()});
  CHECK(logout.rc == 0);
  CHECK(logout.out == "Removing login credentials for " + reg.host() + "\n");
  auto again = a.mycompose({"logout", reg.host()});
  CHECK(again.out == "Not logged in to " + reg.host() + "\n");
  CHECK(a.mycompose({"image", "push", ref}).rc == 1);
}

TEST_CASE("registry auth: credentials from $HOME/.docker/config.json when DOCKER_CONFIG is unset") {
  Registry reg("bob", "builder");
  Machine a;
  std::string ref = reg.host() + "/home/busybox:latest";
  make_busybox_image(a, ref);
  auto home = a.dir.path / "home";
  stdfs::create_directories(home / ".docker");
  mycompose::fs::write_file_atomic(home / ".docker/config.json",
                                   R"({"auths":{"http://)" + reg.host() + R"(":{"auth":"Ym9iOmJ1aWxkZXI="}}})");
  auto push = a.mycompose({"image", "push", ref}, {{"DOCKER_CONFIG", ""}});
  INFO(push.out << push.err);
  CHECK(push.rc == 0);
}
