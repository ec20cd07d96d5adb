// Container output through the real binary: json-file logs with rotation, `logs` (-n,
// --since, -t, --no-log-prefix, -f), output kept across an engine killed with -9, and
// foreground `up` (prefixed output, "exited with code", --abort-on-container-exit).
// Every case has its own MYCOMPOSE_ROOT and leaves nothing: down, engine stop, folder.
// stdout and stderr are two pipes read as they come: a test that orders lines of both
// streams pauses between them.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>

#include <regex>

#include "cli_project_fixture.hpp"
#include "mycompose/common/fs.hpp"

using namespace store_test;

namespace {

// The project fixture, plus what these cases poll for.
struct Project : cli_project::Project {
  using cli_project::Project::Project;
  // Polls `logs` until its output has `text` (up to 20 s); the last output.
  std::string wait_logs(const std::string& text, std::vector<std::string> args = {"logs"}) const {
    std::string last;
    for (int i = 0; i < 200; ++i) {
      last = run(args).out;
      if (last.find(text) != std::string::npos) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return last;
  }
  bool exited(const std::string& name) const {
    auto c = store().find(name);
    return c && store().state(c->id).status == "stopped";
  }
};

// A child whose stdout is read as it comes (for -f): killed and reaped on the way out.
struct Spawned {
  pid_t pid = -1;
  int fd = -1;
  std::string seen;
  Spawned(const std::vector<std::string>& args, const mycompose::test::RunOptions& o, bool with_stderr = false) {
    int p[2];
    REQUIRE(::pipe2(p, O_CLOEXEC) == 0);
    pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      ::dup2(p[1], 1);
      if (with_stderr) ::dup2(p[1], 2);
      if (::chdir(o.cwd.c_str()) != 0) ::_exit(127);
      for (const auto& [k, v] : o.env) ::setenv(k.c_str(), v.c_str(), 1);
      std::vector<char*> argv;
      for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(p[1]);
    fd = p[0];
  }
  ~Spawned() {
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
    if (fd >= 0) ::close(fd);
  }
  // Reads until `text` has been seen or the stream ends (or 20 s pass); whether it was seen.
  bool wait_for(const std::string& text) {
    for (int i = 0; i < 200 && seen.find(text) == std::string::npos; ++i) {
      pollfd pf{fd, POLLIN, 0};
      if (::poll(&pf, 1, 100) <= 0) continue;
      char buf[4096];
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n <= 0) break;
      seen.append(buf, static_cast<std::size_t>(n));
    }
    return seen.find(text) != std::string::npos;
  }
  // Waits for the child to exit by itself (up to 20 s); its exit status, -1 if it did not.
  int wait_exit() {
    wait_for("\x01never");
    for (int i = 0; i < 200; ++i) {
      int status;
      if (::waitpid(pid, &status, WNOHANG) == pid) {
        pid = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return -1;
  }
};

std::size_t count(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (auto p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("logs: stdout and stderr in json-file, -n, --since, -t, --no-log-prefix, driver none") {
  Project p(R"(services:
  web:
    image: busybox:test
    command: ["sh", "-c", "echo one; sleep 0.5; echo two >&2; sleep 0.5; echo three; echo four; exec sleep 1000"]
  quiet:
    image: busybox:test
    command: ["sh", "-c", "echo unseen; exec sleep 1000"]
    logging: {driver: none}
)");
  auto up = p.run({"up", "-d"});
  INFO(up.err);
  REQUIRE(up.exit_code == 0);
  const std::string all = p.wait_logs("four", {"logs", "web"});
  // The container's stderr goes to ours, as docker compose's.
  CHECK(all == "web-1  | one\nweb-1  | three\nweb-1  | four\n");
  CHECK(p.run({"logs", "web"}).err == "web-1  | two\n");

  // Docker's json-file, each line with its stream.
  const std::string json_log = mycompose::fs::read_file(p.container_dir("proj-web-1") / (p.container_dir("proj-web-1").filename().string() + "-json.log"));
  CHECK(json_log.find(R"({"log":"one\n","stream":"stdout","time":")") != std::string::npos);
  CHECK(json_log.find(R"({"log":"two\n","stream":"stderr","time":")") != std::string::npos);

  CHECK(p.run({"logs", "-n", "2", "web"}).out == "web-1  | three\nweb-1  | four\n");
  CHECK(p.run({"logs", "--no-log-prefix", "--tail", "1", "web"}).out == "four\n");
  CHECK(p.run({"logs", "--since", "1h", "web"}).out == all);
  CHECK(p.run({"logs", "--since", "2099-01-01T00:00:00Z", "web"}).out.empty());
  CHECK(p.run({"logs", "--until", "2000-01-01T00:00:00Z", "web"}).out.empty());
  const std::string stamped = p.run({"logs", "-t", "-n", "1", "web"}).out;
  CHECK(std::regex_match(stamped, std::regex(R"(web-1  \| \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z four\n)")));
  auto bad = p.run({"logs", "--since", "yesterday"});
  CHECK(bad.exit_code == 1);
  CHECK(bad.err.find("\"yesterday\" is neither a timestamp") != std::string::npos);

  // driver none: nothing is kept, and logs warns about it as docker compose does (exit 0).
  auto none = p.run({"logs", "quiet"});
  CHECK(none.exit_code == 0);
  CHECK(none.err.find("configured logging driver does not support reading") != std::string::npos);
  CHECK_FALSE(stdfs::exists(p.container_dir("proj-quiet-1") / (p.container_dir("proj-quiet-1").filename().string() + "-json.log")));
}

TEST_CASE("logs: max-size and max-file rotate the json-file log") {
  Project p(R"(services:
  chatty:
    image: busybox:test
    command: ["sh", "-c", "i=0; while [ $$i -lt 300 ]; do echo line $$i; i=$$((i+1)); done; echo done; exec sleep 1000"]
    logging:
      driver: json-file
      options: {max-size: 2k, max-file: "3"}
)");
  REQUIRE(p.run({"up", "-d"}).exit_code == 0);
  const std::string tail = p.wait_logs("done", {"logs", "--no-log-prefix", "-n", "2"});
  CHECK(tail == "line 299\ndone\n");
  const stdfs::path dir = p.container_dir("proj-chatty-1");
  const stdfs::path log = dir / (dir.filename().string() + "-json.log");
  CHECK(stdfs::exists(log.string() + ".1"));
  CHECK(stdfs::exists(log.string() + ".2"));
  CHECK_FALSE(stdfs::exists(log.string() + ".3"));
  // An entry line here is under 100 bytes: no file goes far past 2 KiB.
  for (const auto& f : {log.string(), log.string() + ".1", log.string() + ".2"}) CHECK(stdfs::file_size(f) < 2048 + 100);
  // What is kept is the newest part, without a gap.
  const std::string kept = p.run({"logs", "--no-log-prefix"}).out;
  CHECK(kept.find("line 0\n") == std::string::npos);
  CHECK(kept.find("line 298\nline 299\ndone\n") != std::string::npos);
}

TEST_CASE("logs -f: prints a line written after it started, ends when the container exits") {
  Project p(R"(services:
  web:
    image: busybox:test
    command: ["sh", "-c", "echo first; while [ ! -e /out/go ]; do sleep 0.1; done; echo second"]
    volumes: ["@OUT@:/out"]
)");
  REQUIRE(p.run({"up", "-d"}).exit_code == 0);
  Spawned follow({mycompose::test::mycompose_bin(), "logs", "-f", "--no-color"}, p.o);
  REQUIRE(follow.wait_for("web-1  | first\n"));
  CHECK(follow.seen.find("second") == std::string::npos);
  mycompose::fs::write_file_atomic(p.out / "go", "");
  CHECK(follow.wait_exit() == 0);
  CHECK(follow.seen == "web-1  | first\nweb-1  | second\n");
}

TEST_CASE("logs: an engine killed with -9 loses no line the container wrote while it was down") {
  Project p(R"(services:
  counter:
    image: busybox:test
    command: ["sh", "-c", "i=0; while [ $$i -lt 40 ]; do echo line $$i; i=$$((i+1)); sleep 0.05; done; echo end; echo > /out/done; exec sleep 1000"]
    volumes: ["@OUT@:/out"]
)");
  REQUIRE(p.run({"up", "-d"}).exit_code == 0);
  p.wait_logs("line 3\n");
  const pid_t engine = std::stoi(mycompose::fs::read_file(p.r.root() / "engine.pid"));
  REQUIRE(::kill(engine, SIGKILL) == 0);
  ::waitpid(engine, nullptr, 0);  // ours as subreaper, or gone already
  // The container goes on writing into its pipe with no engine at all. (It keeps running:
  // a FIFO nobody holds open any more loses what it buffered.)
  for (int i = 0; i < 400 && !stdfs::exists(p.out / "done"); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  REQUIRE(stdfs::exists(p.out / "done"));
  // A new engine (started on demand) drains the pipe into the log.
  const std::string logs = p.wait_logs("end\n", {"logs", "--no-log-prefix"});
  std::string want;
  for (int i = 0; i < 40; ++i) want += "line " + std::to_string(i) + "\n";
  CHECK(logs == want + "end\n");
}

TEST_CASE("up in the foreground: prefixed output, exit codes, returns when the containers exit") {
  Project p(R"(services:
  web:
    image: busybox:test
    command: ["sh", "-c", "echo hello; sleep 0.5; echo oops >&2; exit 3"]
)");
  auto up = p.run({"up", "--no-color"});
  INFO(up.err);
  CHECK(up.exit_code == 0);
  CHECK(up.out == "Attaching to web-1\nweb-1  | hello\nweb-1 exited with code 3\n");
  CHECK(up.err.find("web-1  | oops\n") != std::string::npos);  // its stderr on ours
  // A second foreground up starts it again and shows only the new run's output.
  auto again = p.run({"up", "--no-color", "--no-log-prefix"});
  CHECK(again.out == "Attaching to web-1\nhello\nweb-1 exited with code 3\n");
  CHECK(again.err.find("\noops\n") != std::string::npos);
}

TEST_CASE("up --abort-on-container-exit: the first exit stops the rest and gives the exit status") {
  Project p(R"(services:
  quick:
    image: busybox:test
    command: ["sh", "-c", "echo bye; exit 5"]
  slow:
    image: busybox:test
    command: ["sh", "-c", "echo waiting; exec sleep 1000"]
    stop_grace_period: 1s
)");
  auto up = p.run({"up", "--no-color", "--abort-on-container-exit"});
  INFO(up.out);
  INFO(up.err);
  CHECK(up.exit_code == 5);
  CHECK(up.out.find("quick-1  | bye\n") != std::string::npos);
  CHECK(up.out.find("quick-1 exited with code 5\n") != std::string::npos);
  CHECK(up.err.find("Aborting on container exit...") != std::string::npos);
  CHECK(p.exited("proj-slow-1"));
  CHECK(count(up.out, "Attaching to quick-1, slow-1\n") == 1);

  // --exit-code-from names the service whose status counts: slow, ended by its stop signal.
  auto from = p.run({"up", "--no-color", "--exit-code-from", "slow"});
  INFO(from.out);
  CHECK(p.exited("proj-slow-1"));
  ContainerStore store(p.r.root());
  CHECK(from.exit_code == store.state(store.find("proj-slow-1")->id).exit_code.value_or(-1));
}

TEST_CASE("up in the foreground: Ctrl-C stops the project gracefully") {
  Project p(R"(services:
  web:
    image: busybox:test
    command: ["sh", "-c", "echo ready; exec sleep 1000"]
    stop_grace_period: 1s
)");
  Spawned up({mycompose::test::mycompose_bin(), "up", "--no-color"}, p.o, true);
  REQUIRE(up.wait_for("web-1  | ready\n"));
  REQUIRE(::kill(up.pid, SIGINT) == 0);
  CHECK(up.wait_exit() == 130);
  CHECK(up.seen.find("Gracefully stopping... (press Ctrl+C again to force)\n") != std::string::npos);
  CHECK(p.exited("proj-web-1"));
}
