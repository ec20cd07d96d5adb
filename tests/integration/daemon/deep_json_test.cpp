// Class: unbounded nesting in a request's JSON. A 200 KB body whose `model` nests 100,000
// levels killed the engine with SIGSEGV (a recursive dump() of the model on the loop
// thread), for every project at once. Requests go to the real engine socket, raw.
#include <signal.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>

#include "engine_helpers.hpp"

using namespace enginetest;

namespace {

Answer post_raw(const stdfs::path& sock, const std::string& target, const std::string& body) {
  return http_exchange(sock, "POST " + target + " HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: " +
                                 std::to_string(body.size()) + "\r\n\r\n" + body);
}

bool still_running(pid_t pid) {
  int st = 0;
  return ::waitpid(pid, &st, WNOHANG) == 0;
}

}  // namespace

TEST_CASE("a request nesting JSON 100,000 levels deep is answered 400 naming the limit, and the engine serves on", "[engine][limits]") {
  EngineRoot root;
  pid_t pid = root.start_engine();
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  const std::string project = R"({"project":{"name":"deep","model":{"services":{"a":{"image":"busybox:test","x-deep":)" + deep + "}}}}}";
  for (const std::string target : {"/projects/deep/up", "/projects/deep/stop", "/projects/deep/logs", "/projects/deep/run"}) {
    INFO(target);
    Answer a = post_raw(root.sock(), target, project);
    CHECK(a.status == 400);
    CHECK_THAT(a.body, Catch::Contains("nests deeper than 512 levels"));
    REQUIRE(still_running(pid));
    CHECK(answers(root.dir));
  }
  // Deep anywhere in the body, on a route of the engine itself.
  Answer sup = post_raw(root.sock(), "/supervisor/containers/nope", R"({"restart":"no","x":)" + deep + "}");
  CHECK(sup.status == 400);
  CHECK_THAT(sup.body, Catch::Contains("512"));
  REQUIRE(still_running(pid));

  // Nesting a Compose model may have passes the parser: the route answers on its own terms.
  const std::string fine = std::string(100, '[') + std::string(100, ']');
  Answer ok = post_raw(root.sock(), "/supervisor/containers/nope", R"({"restart":"no","x":)" + fine + "}");
  CHECK(ok.status == 404);

  Answer ping = request(root.sock(), "GET", "/_ping");
  CHECK(ping.status == 200);
  ::kill(pid, SIGTERM);
  CHECK(root.wait_engine(pid) == 0);
}
