// The engine process and its API, driven over the socket with a raw client.
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "engine_helpers.hpp"
#include "support/run.hpp"

using namespace enginetest;

TEST_CASE("the engine answers /_ping and /version on a 0660 socket and stops cleanly on SIGTERM", "[engine]") {
  EngineRoot root;
  pid_t pid = root.start_engine();
  struct stat st{};
  REQUIRE(::stat(root.sock().c_str(), &st) == 0);
  CHECK(S_ISSOCK(st.st_mode));
  CHECK((st.st_mode & 0777) == 0660);
  CHECK(root.pid_in_file() == pid);

  Answer ping = http_exchange(root.sock(), "GET /_ping HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(ping.status == 200);
  CHECK(ping.body == "OK");

  Answer v = request(root.sock(), "GET", "/version");
  REQUIRE(v.status == 200);
  json j = json::parse(v.body);
  CHECK(j["Pid"] == pid);
  CHECK(j["Root"] == root.dir.string());
  CHECK(j["ApiVersion"] == "1.0");

  Answer missing = request(root.sock(), "GET", "/nope");
  CHECK(missing.status == 404);
  CHECK(json::parse(missing.body)["message"] == "no such endpoint: GET /nope");
  CHECK(request(root.sock(), "DELETE", "/_ping").status == 405);

  ::kill(pid, SIGTERM);
  CHECK(root.wait_engine(pid) == 0);
  CHECK_FALSE(stdfs::exists(root.sock()));
  CHECK_THAT(root.log(), Catch::Contains("shutting down (containers keep running)"));
  CHECK_THAT(root.log(), Catch::Contains("engine: stopped"));
}

TEST_CASE("a second engine on the same root is refused and names the holder's pid", "[engine]") {
  EngineRoot root;
  pid_t pid = root.start_engine();
  auto r = mycompose::test::run_mycompose({"engine", "--root", root.dir.string()});
  CHECK(r.exit_code == 1);
  CHECK(r.err == "error: another engine (pid " + std::to_string(pid) + ") already runs for " + root.dir.string() +
                     ": it holds the lock on " + (root.dir / "engine.pid").string() + "\n");
  CHECK(answers(root.dir));  // the first one is untouched
}

TEST_CASE("keep-alive: several requests, pipelined, on one connection", "[engine]") {
  EngineRoot root;
  root.start_engine();
  int fd = connect_socket(root.sock());
  REQUIRE(fd >= 0);
  send_all(fd, "GET /_ping HTTP/1.1\r\n\r\nGET /version HTTP/1.1\r\n\r\nGET /_ping HTTP/1.1\r\nConnection: close\r\n\r\n");
  AnswerReader reader(fd);
  Answer a = reader.next(), b = reader.next(), c = reader.next();
  CHECK(a.body == "OK");
  CHECK(b.status == 200);
  CHECK(b.body.find("\"Version\"") != std::string::npos);
  CHECK(c.body == "OK");
  REQUIRE(c.msg.header("Connection"));
  CHECK(*c.msg.header("Connection") == "close");
  char x;
  CHECK(::read(fd, &x, 1) == 0);  // closed after the answer that asked for it
  ::close(fd);
}

TEST_CASE("malformed and oversized requests get 400, 413 and 431 and the engine keeps serving", "[engine]") {
  EngineRoot root;
  root.start_engine();
  Answer bad = http_exchange(root.sock(), "HELLO THERE\r\n\r\n");
  CHECK(bad.status == 400);
  CHECK(json::parse(bad.body)["message"] == "malformed request line");
  REQUIRE(bad.msg.header("Connection"));
  CHECK(*bad.msg.header("Connection") == "close");

  Answer smuggle = http_exchange(root.sock(), "POST /shutdown HTTP/1.1\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n");
  CHECK(smuggle.status == 400);

  Answer big = http_exchange(root.sock(), "POST /shutdown HTTP/1.1\r\nContent-Length: 999999999999\r\n\r\n");
  CHECK(big.status == 413);
  CHECK(json::parse(big.body)["message"] == "body of 999999999999 bytes is over the limit of 67108864");

  Answer head = http_exchange(root.sock(), "GET /_ping HTTP/1.1\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n");
  CHECK(head.status == 431);

  Answer json_body = http_exchange(root.sock(), "POST /supervisor/containers/x HTTP/1.1\r\nContent-Length: 5\r\n\r\n{nope");
  CHECK(json_body.status == 400);
  CHECK_THAT(json::parse(json_body.body)["message"].get<std::string>(), Catch::StartsWith("request body is not JSON"));

  // A client that hangs up in the middle of a request.
  int fd = connect_socket(root.sock());
  send_all(fd, "POST /x HTTP/1.1\r\nContent-Length: 100\r\n\r\nabc");
  ::close(fd);

  CHECK(answers(root.dir));
  CHECK(request(root.sock(), "GET", "/version").status == 200);
}

TEST_CASE("GET /events streams NDJSON until the engine shuts down", "[engine]") {
  EngineRoot root;
  pid_t pid = root.start_engine();
  EventStream all(root.sock());
  EventStream containers(root.sock(), "/events?type=container");
  CHECK_THAT(all.head(), Catch::Contains("Transfer-Encoding: chunked"));
  CHECK_THAT(all.head(), Catch::Contains("Content-Type: application/x-ndjson"));

  Answer bye = request(root.sock(), "POST", "/shutdown");
  CHECK(bye.status == 200);
  REQUIRE(all.read_until([](const std::vector<json>& ev) { return !ev.empty(); }));
  CHECK(all.events[0]["Type"] == "engine");
  CHECK(all.events[0]["Action"] == "shutdown");
  CHECK(all.events[0]["Actor"]["ID"] == std::to_string(pid));
  CHECK(all.events[0]["timeNano"].get<long long>() > 0);
  // The filtered stream saw nothing, and both end with the engine.
  CHECK_FALSE(containers.read_until([](const std::vector<json>& ev) { return !ev.empty(); }));
  CHECK(containers.ended);
  CHECK(containers.complete);  // the last chunk came: the stream ended, it was not cut
  CHECK(root.wait_engine(pid) == 0);
}

TEST_CASE("the CLI starts the engine on demand and stops it", "[engine]") {
  EngineRoot root;
  mycompose::test::RunOptions env;
  env.env["MYCOMPOSE_ROOT"] = root.dir.string();
  auto r = mycompose::test::run_mycompose({"engine", "ping"}, env);
  CHECK(r.exit_code == 0);
  CHECK(r.out == "OK\n");
  pid_t pid = root.pid_in_file();
  REQUIRE(pid > 0);
  CHECK(root.is_our_engine(pid));
  CHECK(answers(root.dir));
  // Its output went to engine.log, in a session of its own.
  CHECK_THAT(root.log(), Catch::Contains("serving on " + root.sock().string()));
  CHECK(::getsid(pid) == pid);

  // A second command finds it running and starts nothing.
  CHECK(mycompose::test::run_mycompose({"engine", "ping"}, env).exit_code == 0);
  CHECK(root.pid_in_file() == pid);

  auto s = mycompose::test::run_mycompose({"engine", "stop"}, env);
  CHECK(s.exit_code == 0);
  rttest::wait_gone(pid);
  CHECK_FALSE(rttest::process_alive(pid));
  CHECK_FALSE(answers(root.dir));
}

TEST_CASE("an engine that cannot start is reported with the end of engine.log", "[engine]") {
  // A root whose socket path is too long for a unix socket address.
  EngineRoot base;
  stdfs::path deep = base.dir / std::string(60, 'd') / std::string(60, 'e');
  mycompose::test::RunOptions env;
  env.env["MYCOMPOSE_ROOT"] = deep.string();
  auto r = mycompose::test::run_mycompose({"engine", "ping"}, env);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::StartsWith("error: cannot start the engine for " + deep.string() +
                                      ": it exited with status 1; last lines of " + (deep / "engine.log").string() + ":\n"));
  CHECK_THAT(r.err, Catch::Contains("error: socket path " + (deep / "engine.sock").string() +
                                    " is longer than a unix socket address allows (107 bytes)"));
}

TEST_CASE("'mycompose engine events' follows the stream line by line until the engine stops", "[engine]") {
  EngineRoot root;
  pid_t pid = root.start_engine();
  // The engine may subscribe to its own bus (the event history): the follower is one more.
  const int own = json::parse(request(root.sock(), "GET", "/info").body)["EventListeners"].get<int>();
  // The follower runs while this test asks the engine to stop; its output goes to a file.
  stdfs::path out = root.dir / "events.out";
  pid_t follower = ::fork();
  if (follower == 0) {
    int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(fd, 1);
    std::string bin = rttest::mycompose_bin(), r = root.dir.string();
    ::execl(bin.c_str(), bin.c_str(), "engine", "--root", r.c_str(), "events", "--type", "engine", static_cast<char*>(nullptr));
    _exit(127);
  }
  // Wait (polling, with a safety net) until the engine has the follower's subscription.
  for (int i = 0; i < 1000; ++i) {
    if (json::parse(request(root.sock(), "GET", "/info").body)["EventListeners"] == own + 1) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  REQUIRE(json::parse(request(root.sock(), "GET", "/info").body)["EventListeners"] == own + 1);
  REQUIRE(request(root.sock(), "POST", "/shutdown").status == 200);
  int st = 0;
  ::waitpid(follower, &st, 0);
  CHECK(WIFEXITED(st));
  CHECK(WEXITSTATUS(st) == 0);
  std::string text = mycompose::fs::read_file(out);
  INFO(text);
  REQUIRE(!text.empty());
  json ev = json::parse(text.substr(0, text.find('\n')));
  CHECK(ev["Type"] == "engine");
  CHECK(ev["Action"] == "shutdown");
  CHECK(root.wait_engine(pid) == 0);
}

TEST_CASE("the engine maps none of the libraries only the command line needs: TLS, the HTTP client, YAML", "[engine]") {
  // Each costs start-up time and memory in every engine (libssl's start-up alone is 3 MB of
  // RSS): a build that mixed their callers into the engine's objects linked them in.
  EngineRoot root;
  const pid_t pid = root.start_engine();
  const std::string maps = mycompose::fs::read_file("/proc/" + std::to_string(pid) + "/maps", 16 << 20);
  for (const char* lib : {"libssl.so", "libcpp-httplib", "libyaml-cpp"}) {
    INFO(lib);
    CHECK(maps.find(lib) == std::string::npos);
  }
  ::kill(pid, SIGTERM);
  CHECK(root.wait_engine(pid) == 0);
}
