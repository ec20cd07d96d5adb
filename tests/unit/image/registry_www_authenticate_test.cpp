#include <catch2/catch.hpp>

#include "mycompose/image/registry_auth.hpp"

using namespace mycompose::image::registry;

TEST_CASE("WWW-Authenticate: Docker Hub bearer challenge") {
  auto cs = parse_www_authenticate(
      R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull")");
  REQUIRE(cs.size() == 1);
  CHECK(cs[0].scheme == "bearer");
  CHECK(cs[0].params.at("realm") == "https://auth.docker.io/token");
  CHECK(cs[0].params.at("service") == "registry.docker.io");
  CHECK(cs[0].params.at("scope") == "repository:library/busybox:pull");
}

TEST_CASE("WWW-Authenticate: basic challenge, case and spacing") {
  auto cs = parse_www_authenticate(R"(BASIC  Realm = "basic-realm" )");
  REQUIRE(cs.size() == 1);
  CHECK(cs[0].scheme == "basic");
  CHECK(cs[0].params.at("realm") == "basic-realm");
}

TEST_CASE("WWW-Authenticate: several challenges, unquoted values, escapes, commas in quotes") {
  auto cs = parse_www_authenticate(
      R"(Bearer realm="https://t.example/token?x=1",scope="repository:a/b:pull,push", error=insufficient_scope, Basic realm="say \"hi\"")");
  REQUIRE(cs.size() == 2);
  CHECK(cs[0].scheme == "bearer");
  CHECK(cs[0].params.at("realm") == "https://t.example/token?x=1");
  CHECK(cs[0].params.at("scope") == "repository:a/b:pull,push");
  CHECK(cs[0].params.at("error") == "insufficient_scope");
  CHECK(cs[1].scheme == "basic");
  CHECK(cs[1].params.at("realm") == "say \"hi\"");
}

TEST_CASE("WWW-Authenticate: empty and bare scheme") {
  CHECK(parse_www_authenticate("").empty());
  auto cs = parse_www_authenticate("Negotiate");
  REQUIRE(cs.size() == 1);
  CHECK(cs[0].scheme == "negotiate");
  CHECK(cs[0].params.empty());
}
