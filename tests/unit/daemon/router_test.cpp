// The routing table: parameters, literal-over-parameter precedence, 404 vs 405.
#include <catch2/catch.hpp>

#include "mycompose/daemon/server.hpp"

using namespace mycompose::daemon;

namespace {
Handler tagged(std::string* out, std::string tag) {
  return [out, tag](Request&, const std::shared_ptr<Responder>&) { *out = tag; };
}
std::string call(const Router& r, std::string_view method, std::string_view path) {
  auto m = r.match(method, path);
  if (!m.handler) return std::to_string(m.status);
  std::string out;
  Request req;
  (*m.handler)(req, nullptr);
  return out;
}
}  // namespace

TEST_CASE("routes match methods, literal segments and {params}") {
  Router r;
  std::string hit;
  r.add("GET /containers/{id}/json", tagged(&hit, "inspect"));
  r.add("GET /containers/all/json", tagged(&hit, "literal"));
  r.add("POST /containers/{id}/start", tagged(&hit, "start"));
  r.add("GET /", tagged(&hit, "root"));

  auto m = r.match("GET", "/containers/web-1/json");
  REQUIRE(m.handler);
  CHECK(m.params.at("id") == "web-1");
  Request req;
  (*m.handler)(req, nullptr);
  CHECK(hit == "inspect");

  m = r.match("GET", "/containers/all/json");
  REQUIRE(m.handler);
  (*m.handler)(req, nullptr);
  CHECK(hit == "literal");

  CHECK(r.match("GET", "/").handler);
  CHECK(r.match("GET", "/containers/web/start").status == 405);
  CHECK(r.match("DELETE", "/containers/web/json").status == 405);
  CHECK(r.match("GET", "/containers/web").status == 404);
  CHECK(r.match("GET", "/containers/web/json/extra").status == 404);
  CHECK(call(r, "PUT", "/nothing") == "404");
}

TEST_CASE("a route added again replaces the first, malformed routes are refused") {
  Router r;
  std::string hit;
  r.add("GET /x", tagged(&hit, "one"));
  r.add("GET /x", tagged(&hit, "two"));
  CHECK(r.routes() == std::vector<std::string>{"GET /x"});
  Request req;
  (*r.match("GET", "/x").handler)(req, nullptr);
  CHECK(hit == "two");

  CHECK_THROWS_WITH(r.add("/nomethod", tagged(&hit, "")), "malformed route \"/nomethod\" (expected \"METHOD /path\")");
  CHECK_THROWS_WITH(r.add("GET /a/x{id}", tagged(&hit, "")),
                    "malformed route \"GET /a/x{id}\": a parameter is a whole segment like {id}");
}

TEST_CASE("a request body that is not JSON is a 400") {
  Request req;
  CHECK(req.json_body() == nlohmann::json::object());
  req.msg.body = "{nope";
  try {
    req.json_body();
    FAIL("no throw");
  } catch (const HttpError& e) {
    CHECK(e.status() == 400);
    CHECK_THAT(e.what(), Catch::StartsWith("request body is not JSON: "));
  }
}
