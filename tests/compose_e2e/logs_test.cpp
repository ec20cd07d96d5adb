// Follows docker/compose pkg/e2e/logs_test.go: logs of a project and of chosen services and
// replicas, `logs -f` picking up containers started later; and what docker compose's log
// consumer does with a container's stderr (our stderr); TestLocalComposeLargeLogs (300,000
// lines through a foreground `up`), and the same through `logs` and a `logs -f` read slowly:
// every line arrives, in order (the engine used to drop a stream whose reader fell 8 MB
// behind).
#include <fcntl.h>
#include <poll.h>

#include <fstream>

#include "integration/scheduler/cli_project_fixture.hpp"

using namespace cli_project;

namespace {

const char* kLogsProject = R"(services:
  ping:
    image: busybox:test
    command: ["sh", "-c", "while true; do echo PING localhost; sleep 0.2; done"]
  hello:
    image: busybox:test
    command: ["sh", "-c", "echo hello; exec sleep 1000"]
    scale: 2
)";

bool contains(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

// Polls a background command's stdout file until it holds `what` (up to 20 s).
bool wait_output(const Background& b, const std::string& what) {
  for (int i = 0; i < 400; ++i) {
    std::ifstream in(b.out_file);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (contains(text, what)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

// The "<prefix>line N…" lines of `text` are exactly N = 0 … count-1, in order; says where not.
std::string numbered_lines(const std::string& text, const std::string& prefix, int count) {
  std::istringstream in(text);
  int next = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(prefix + "line ", 0) != 0) continue;
    const std::string want = prefix + "line " + std::to_string(next) + " ";
    if (line.rfind(want, 0) != 0) return "line " + std::to_string(next) + " expected, got: " + line;
    ++next;
  }
  return next == count ? "" : std::to_string(next) + " of " + std::to_string(count) + " lines";
}

// `mycompose ARGS` with its stdout on a pipe the test reads at its own pace.
struct PipedCli {
  pid_t pid = -1;
  int out = -1;
  stdfs::path err_file;

  PipedCli(const Project& p, const std::vector<std::string>& args) {
    int fds[2];
    REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
    err_file = p.r.dir / "piped.err";
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_addopen(&fa, 2, err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    pid = spawn_cli(p, args, &fa);
    posix_spawn_file_actions_destroy(&fa);
    ::close(fds[1]);
    out = fds[0];
    REQUIRE(pid > 0);
  }
  PipedCli(const PipedCli&) = delete;
  // Reads up to `max` bytes (waits up to 30 s for some); "" at the end.
  std::string read_some(std::size_t max) {
    pollfd pf{out, POLLIN, 0};
    if (::poll(&pf, 1, 30'000) <= 0) return "";
    std::string buf(max, '\0');
    const ssize_t n = ::read(out, buf.data(), max);
    buf.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    return buf;
  }
  int wait() {
    int status = 0;
    if (pid > 0 && ::waitpid(pid, &status, 0) == pid) pid = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  ~PipedCli() {
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      wait();
    }
    ::close(out);
  }
};

}  // namespace

TEST_CASE("TestLocalComposeLogs: logs of the project, of services and of one replica") {
  Project p(kLogsProject);
  p.ok({"up", "-d"});
  std::string all;
  for (int i = 0; i < 100 && !(contains(all, "PING localhost") && contains(all, "hello-2")); ++i) {
    all = p.ok({"logs"});
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CHECK(contains(all, "PING localhost"));
  CHECK(contains(all, "hello"));

  auto ping = p.ok({"logs", "ping"});
  CHECK(contains(ping, "PING localhost"));
  CHECK_FALSE(contains(ping, "hello"));

  auto both = p.ok({"logs", "hello", "ping"});
  CHECK(contains(both, "PING localhost"));
  CHECK(contains(both, "hello"));

  auto second = p.ok({"logs", "--index", "2", "hello"});
  CHECK_FALSE(contains(second, "hello-1"));
  CHECK(contains(second, "hello-2"));
}

TEST_CASE("TestLocalComposeLogsFollow: logs -f picks up the containers started after it") {
  Project p(kLogsProject);
  p.ok({"up", "-d", "ping"});
  Background follow(p, {"logs", "-f"}, "follow");
  CHECK(wait_output(follow, "ping-1 "));
  p.ok({"up", "-d"});
  CHECK(wait_output(follow, "hello-1 "));
  p.ok({"up", "-d", "--scale", "ping=2", "ping"});
  CHECK(wait_output(follow, "ping-2 "));
  follow.stop();
}

// docker compose's log consumer writes a container's stderr to its own stderr (Err), its
// stdout to stdout (Log), in `logs` and in a foreground `up`.
TEST_CASE("logs and foreground up: a container's stderr stays stderr") {
  Project p(R"(services:
  app:
    image: busybox:test
    command: ["sh", "-c", "echo to-out; echo to-err >&2"]
)");
  auto up = p.run({"up"});
  INFO(up.err);
  CHECK(up.exit_code == 0);
  CHECK(contains(up.out, "app-1  | to-out\n"));
  CHECK_FALSE(contains(up.out, "to-err"));
  CHECK(contains(up.err, "app-1  | to-err\n"));

  auto logs = p.run({"logs"});
  CHECK(logs.exit_code == 0);
  CHECK(logs.out == "app-1  | to-out\n");
  CHECK(logs.err == "app-1  | to-err\n");
}

TEST_CASE("logging driver none: foreground up shows the output, logs warns about it and goes on with the others") {
  Project p(R"(services:
  app:
    image: busybox:test
    command: ["sh", "-c", "echo kept"]
  quiet:
    image: busybox:test
    command: ["sh", "-c", "echo shown-once"]
    logging:
      driver: none
)");
  auto up = p.run({"up"});
  INFO(up.out + up.err);
  CHECK(up.exit_code == 0);
  CHECK(contains(up.out, "quiet-1  | shown-once\n"));  // attached: docker attaches, whatever the driver
  CHECK(contains(up.out, "app-1    | kept\n"));

  auto logs = p.run({"logs"});
  INFO(logs.out + logs.err);
  CHECK(logs.exit_code == 0);
  CHECK(logs.out == "app-1  | kept\n");
  CHECK(contains(logs.err, "Can't retrieve logs for \\\"proj-quiet-1\\\": Error response from daemon: configured logging driver does not support reading"));
  auto one = p.run({"logs", "quiet"});
  CHECK(one.exit_code == 0);
  CHECK(one.out.empty());
}

// docker compose runs `cat` of a 300,000-line file in a foreground `up
// --abort-on-container-exit` and expects "test-1 exited with code 0". We also check that
// every line arrived, in order, and that `logs` and `logs -f` (which ends as the container
// has exited) give them all again.
TEST_CASE("TestLocalComposeLargeLogs: 300,000 lines through foreground up, logs and logs -f, all in order") {
  Project p(R"(services:
  test:
    image: busybox:test
    command: ["cat", "/text_file.txt"]
    volumes: ["@OUT@/large.txt:/text_file.txt:ro"]
)");
  p.o.timeout_seconds = 600;
  {
    std::ofstream f(p.out / "large.txt");
    for (int i = 0; i < 300'000; ++i) f << "This is line " << i << " in a laaaarge text file\n";
  }
  auto up = p.run({"up", "--abort-on-container-exit", "--menu=false"});
  INFO(up.err.substr(0, 2000));
  CHECK(up.exit_code == 0);
  CHECK(contains(up.out, "test-1 exited with code 0"));
  CHECK(numbered_lines(up.out, "test-1  | This is ", 300'000) == "");

  auto logs = p.run({"logs", "--no-log-prefix"});
  CHECK(logs.exit_code == 0);
  CHECK(numbered_lines(logs.out, "This is ", 300'000) == "");
  auto follow = p.run({"logs", "-f", "--no-log-prefix"});
  CHECK(follow.exit_code == 0);
  CHECK(numbered_lines(follow.out, "This is ", 300'000) == "");
}

// A `logs -f` whose output is a pipe nobody reads while the container prints 200,000 lines
// (~20 MB through the engine), then read slowly: every line arrives, in order, and the
// command ends when the container has exited.
TEST_CASE("logs -f read slowly through a pipe gets every line, in order") {
  Project p(R"(services:
  talker:
    image: busybox:test
    command: ["sh", "-c", "echo ready; while [ ! -e /out/go ]; do sleep 0.1; done; awk 'BEGIN { for (i = 0; i < 200000; i++) print \"line \" i \" of a talker that does not wait for its reader\" }'"]
    volumes: ["@OUT@:/out"]
)");
  p.ok({"up", "-d"});
  PipedCli follow(p, {"logs", "-f", "--no-log-prefix"});
  std::string got;
  while (got.find("ready\n") == std::string::npos) {
    const std::string more = follow.read_some(4096);
    REQUIRE(!more.empty());
    got += more;
  }
  mycompose::fs::write_file_atomic(p.out / "go", "");
  // The reader takes nothing until the container is done…
  std::string state;
  for (int i = 0; i < 6 && state != "exited"; ++i) state = p.wait_state("proj-talker-1", "exited");
  CHECK(state == "exited");
  // …then little at a time.
  for (std::string more; !(more = follow.read_some(4096)).empty();) {
    got += more;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  CHECK(follow.wait() == 0);
  INFO(mycompose::fs::read_file(follow.err_file));
  CHECK(numbered_lines(got, "", 200'000) == "");
}

// A container that prints and exits at once: foreground `up` and `run` show all it printed
// (nothing is lost between its start and the attach, nor after its exit).
TEST_CASE("a short-lived container's output is never lost: foreground up and run") {
  Project p(R"(services:
  burst:
    image: busybox:test
    command: ["sh", "-c", "i=0; while [ $$i -lt 1000 ]; do echo \"line $$i of a burst\"; i=$$((i+1)); done"]
)");
  for (int round = 0; round < 3; ++round) {
    auto up = p.run({"up"});
    INFO("round " << round << ": " << up.err);
    CHECK(up.exit_code == 0);
    CHECK(numbered_lines(up.out, "burst-1  | ", 1000) == "");
    CHECK(contains(up.out, "burst-1 exited with code 0"));
    auto run = p.run({"run", "--rm", "burst"});
    CHECK(run.exit_code == 0);
    CHECK(numbered_lines(run.out, "", 1000) == "");
  }
}

// Class ([I], unbounded memory): a client that never reads its log stream. The engine holds
// a few hundred KB for it, not what the container prints (~60 MB of log here), keeps its
// connection (the client is stopped, not gone), and once it reads again it gets every line.
TEST_CASE("logs -f whose reader never reads: the engine's memory stays bounded and no line is lost") {
  Project p(R"(services:
  flood:
    image: busybox:test
    command: ["sh", "-c", "echo ready; while [ ! -e /out/go ]; do sleep 0.1; done; awk 'BEGIN { for (i = 0; i < 400000; i++) printf \"line %d of a flood nobody reads %s\\n\", i, \"0123456789012345678901234567890123456789012345678901234567890123456789\" }'"]
    volumes: ["@OUT@:/out"]
)");
  p.o.timeout_seconds = 300;
  p.ok({"up", "-d"});
  const pid_t engine = static_cast<pid_t>(std::stol(mycompose::fs::read_file(p.r.root() / "engine.pid")));
  auto rss_kb = [engine] {
    const std::string s = mycompose::fs::read_file("/proc/" + std::to_string(engine) + "/status");
    return std::stol(s.substr(s.find("VmRSS:") + 6));
  };
  PipedCli follow(p, {"logs", "-f", "--no-log-prefix"});
  std::string got;
  while (got.find("ready\n") == std::string::npos) {
    const std::string more = follow.read_some(4096);
    REQUIRE(!more.empty());
    got += more;
  }
  ::kill(follow.pid, SIGSTOP);  // reads nothing from here on
  const long before = rss_kb();
  mycompose::fs::write_file_atomic(p.out / "go", "");
  long peak = before;
  std::string state;
  for (int i = 0; i < 600 && state != "exited"; ++i) {
    peak = std::max(peak, rss_kb());
    auto ps = p.ps();
    state = ps.count("proj-flood-1") ? ps["proj-flood-1"]["State"].get<std::string>() : "";
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  REQUIRE(state == "exited");
  peak = std::max(peak, rss_kb());
  INFO("engine RSS " << before << " kB before, " << peak << " kB at most during the flood");
  CHECK(peak - before < 8 * 1024);  // 431fe1d: +26 MB (8 MB queued, then the client dropped)
  ::kill(follow.pid, SIGCONT);
  for (std::string more; !(more = follow.read_some(1 << 16)).empty();) got += more;
  CHECK(follow.wait() == 0);
  INFO(mycompose::fs::read_file(follow.err_file));
  CHECK(numbered_lines(got, "", 400'000) == "");
}
