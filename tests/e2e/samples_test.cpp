// The samples, for real: each is brought up with `mycompose up -d --build` in its folder
// (Debian images built with apt-get from debian:bookworm-slim), checked over HTTP on
// 127.0.0.1 through its published port, taken down with `down -v`, and then
// `mycompose system check` must find nothing left behind. Each case has its own
// MYCOMPOSE_ROOT and engine; samples_cache.hpp says what is reused between runs.
#include <catch2/catch.hpp>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "samples_cache.hpp"
#include "support/run.hpp"

namespace {

namespace stdfs = std::filesystem;
using mycompose::test::RunOptions;
using mycompose::test::RunResult;
using Clock = std::chrono::steady_clock;

stdfs::path source_root() {
  const char* s = std::getenv("MYCOMPOSE_SRC");
  if (!s || !*s) throw std::runtime_error("MYCOMPOSE_SRC is not set (run the tests through ctest)");
  return s;
}

// A port nobody listens on now, for the sample's published port (its compose file reads it
// from the environment). Another program could take it before the engine does; then `up`
// fails saying so, which is a clear failure, not a wrong result.
int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0)
    throw std::runtime_error("free_port: bind 127.0.0.1:0 failed");
  ::close(fd);
  return ntohs(a.sin_port);
}

// One sample in its own MYCOMPOSE_ROOT. The destructor takes everything down even when the
// test failed half-way: down -v, the engine stopped, its processes reaped, the folder removed.
class Sample {
 public:
  Sample(const std::string& name, const std::string& port_variable) : name_(name) {
    ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);  // the engine the CLI starts is reaped by us
    char tmpl[] = "/tmp/mycompose-e2e-XXXXXX";
    if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    port_ = free_port();
    opts_.env = {{"MYCOMPOSE_ROOT", root().string()}, {port_variable, std::to_string(port_)}};
    opts_.cwd = (source_root() / "samples" / name).string();
    seed();
  }
  ~Sample() {
    RunOptions o = opts_;
    o.timeout_seconds = 120;
    if (up_) mycompose::test::run_mycompose({"down", "-v", "-t", "1"}, o);
    mycompose::test::run_mycompose({"engine", "stop"}, o);
    for (int i = 0; i < 500; ++i) {
      int status;
      pid_t p = ::waitpid(-1, &status, WNOHANG);
      if (p < 0) break;  // no children left
      if (p == 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::error_code ec;
    stdfs::remove_all(dir_, ec);
  }
  Sample(const Sample&) = delete;
  Sample& operator=(const Sample&) = delete;

  stdfs::path root() const { return dir_ / "root"; }
  int port() const { return port_; }

  RunResult mycompose(const std::vector<std::string>& args, int timeout_seconds = 300) const {
    RunOptions o = opts_;
    o.timeout_seconds = timeout_seconds;
    return mycompose::test::run_mycompose(args, o);
  }

  // `up -d --build`; the cache gets what the build made even when starting failed.
  void up() {
    up_ = true;
    auto r = mycompose({"up", "-d", "--build"}, 1200);
    e2e::save_to_cache(root());
    INFO("up -d --build of " << name_ << ":\n" << r.err << r.out << engine_log());
    REQUIRE_FALSE(r.timed_out);
    REQUIRE(r.exit_code == 0);
  }

  void down() {
    auto r = mycompose({"down", "-v"});
    INFO(r.err << r.out);
    REQUIRE(r.exit_code == 0);
    up_ = false;
  }

  // After down -v: the project left no container, network, volume, mount, cgroup, rule or
  // process behind.
  void check_system_is_clean() const {
    auto r = mycompose({"system", "check"});
    INFO("system check:\n" << r.out << r.err);
    CHECK(r.exit_code == 0);
  }

  std::string engine_log() const {
    try {
      auto r = mycompose::test::run({"tail", "-n", "40", (root() / "engine.log").string()});
      return "\nengine.log (last lines):\n" + r.out;
    } catch (...) {
      return "";
    }
  }

 private:
  // The base image from the e2e cache, else from scripts/bootstrap-base-image (which caches
  // its tarball).
  void seed() {
    if (e2e::seed_from_cache(root()) && mycompose({"image", "inspect", "debian:bookworm-slim"}).exit_code == 0) return;
    RunOptions o = opts_;
    o.env["MYCOMPOSE_BIN"] = mycompose::test::mycompose_bin();
    o.cwd = source_root().string();
    o.timeout_seconds = 900;
    auto r = mycompose::test::run({"scripts/bootstrap-base-image"}, o);
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
  }

  std::string name_;
  stdfs::path dir_;
  int port_ = 0;
  RunOptions opts_;
  bool up_ = false;
};

struct Reply {
  int status = 0;
  std::string body;
};

// A request to the sample's published port. Containers take a moment to listen once
// started (Python imports, MariaDB's first start): until `ready_seconds` pass, a refused
// connection or a 502/503 is retried. This is a readiness wait, never a timing assertion.
Reply http(int port, const std::string& method, const std::string& path, const std::string& form = "",
           int ready_seconds = 120) {
  auto deadline = Clock::now() + std::chrono::seconds(ready_seconds);
  std::string last_error;
  while (true) {
    httplib::Client c("127.0.0.1", port);
    c.set_connection_timeout(2);
    c.set_read_timeout(60);
    auto res = method == "POST" ? c.Post(path.c_str(), form, "application/x-www-form-urlencoded") : c.Get(path.c_str());
    if (res && res->status != 502 && res->status != 503) return {res->status, res->body};
    last_error = res ? "HTTP " + std::to_string(res->status) + ": " + res->body : httplib::to_string(res.error());
    if (Clock::now() > deadline)
      throw std::runtime_error(method + " http://127.0.0.1:" + std::to_string(port) + path + " never answered: " + last_error);
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

int visits_in(const std::string& body) {
  std::smatch m;
  if (!std::regex_search(body, m, std::regex("seen (\\d+) times"))) throw std::runtime_error("no count in: " + body);
  return std::stoi(m[1]);
}

}  // namespace

TEST_CASE("samples/counter: the Flask app counts visits in Redis behind its published port") {
  Sample s("counter", "COUNTER_PORT");
  s.up();
  auto first = http(s.port(), "GET", "/");
  INFO(first.body << s.engine_log());
  REQUIRE(first.status == 200);
  auto second = http(s.port(), "GET", "/");
  REQUIRE(second.status == 200);
  CHECK(visits_in(second.body) == visits_in(first.body) + 1);
  s.down();
  s.check_system_is_clean();
}

TEST_CASE("samples/proxy: nginx forwards to the Flask app, which counts in Redis") {
  Sample s("proxy", "PROXY_PORT");
  s.up();
  auto first = http(s.port(), "GET", "/");
  INFO(first.body << s.engine_log());
  REQUIRE(first.status == 200);
  auto a = nlohmann::json::parse(first.body);
  auto b = nlohmann::json::parse(http(s.port(), "GET", "/").body);
  CHECK(b["hits"] == a["hits"].get<int>() + 1);
  // nginx set X-Proxied-By to its hostname: the request went through the proxy container,
  // and the app answering is another container.
  CHECK_FALSE(a["via"].get<std::string>().empty());
  CHECK(a["via"] != a["app"]);
  CHECK(http(s.port(), "GET", "/nginx-health").body == "ok\n");
  s.down();
  s.check_system_is_clean();
}

TEST_CASE("samples/scale: the client's requests spread over the 5 replicas through DNS round-robin") {
  Sample s("scale", "SCALE_PORT");
  s.up();
  auto reply = http(s.port(), "GET", "/spread?n=100");
  INFO(reply.body << s.engine_log());
  REQUIRE(reply.status == 200);
  auto j = nlohmann::json::parse(reply.body);
  CHECK(j["addresses"].size() == 5);  // one A record per replica
  // 100 lookups over 5 shuffled records miss one replica with probability 5 * 0.8^100.
  CHECK(j["backends"] == 5);
  int total = 0;
  for (const auto& [host, n] : j["spread"].items()) total += n.get<int>();
  CHECK(total == 100);
  s.down();
  s.check_system_is_clean();
}

// The second `up` after a plain `down` is the part that failed before (stop 11): `down` removed
// the project network but the DNS kept its socket on the gateway, so the new network (same
// subnet, same gateway) had no DNS and web could not resolve "db". Fixed in the scheduler's
// down (the DNS stops listening on a removed network's gateway); this case pins it.
TEST_CASE("samples/webapp-mysql: web writes and reads MariaDB once it is healthy, the named volume keeps the data", "[webapp]") {
  Sample s("webapp-mysql", "WEBAPP_PORT");
  s.up();
  // up returned: web started only after db was healthy (service_healthy), so the first
  // request reaches a database that accepts the secret's password.
  auto added = http(s.port(), "POST", "/notes", "text=hello+from+e2e");
  INFO(added.body << s.engine_log());
  REQUIRE(added.status == 201);
  auto note = nlohmann::json::parse(added.body);
  auto listed = nlohmann::json::parse(http(s.port(), "GET", "/notes").body);
  REQUIRE(listed["notes"].size() == 1);
  CHECK(listed["notes"][0]["text"] == "hello from e2e");
  CHECK(listed["notes"][0]["id"] == note["id"]);

  // down without -v keeps the named volume: a new db container finds the note.
  auto down = s.mycompose({"down"});
  INFO(down.err);
  REQUIRE(down.exit_code == 0);
  CHECK(s.mycompose({"ps", "-a", "-q"}).out.empty());
  CHECK(s.mycompose({"volume", "ls", "-q"}).out == "webapp-mysql_db-data\n");
  s.up();
  auto again = nlohmann::json::parse(http(s.port(), "GET", "/notes").body);
  REQUIRE(again["notes"].size() == 1);
  CHECK(again["notes"][0]["text"] == "hello from e2e");

  s.down();
  CHECK(s.mycompose({"volume", "ls", "-q"}).out.empty());  // -v took the named volume
  s.check_system_is_clean();
}
