// Local users and the state root (Docker's CVE-2021-41091): containers write named volumes as
// root, so a setuid-root file one puts there is a root shell for any local user who can reach
// it. The root must be 0710 and its folders 0700 whichever command makes it first, an engine
// repairs the modes of an existing root and refuses one owned by another user, and the files
// the engine writes as root in it (engine.pid, engine.log) are never reached through a link.
#include <catch2/catch.hpp>

#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "integration/scheduler/cli_project_fixture.hpp"

namespace {

using cli_project::Cli;
using cli_project::Project;
namespace stdfs = std::filesystem;

constexpr uid_t kNobody = 65534;

// Runs argv as uid/gid 65534 with no supplementary groups: a local user without privileges.
mycompose::test::RunResult run_as_nobody(const std::vector<std::string>& argv) {
  int out[2];
  REQUIRE(::pipe(out) == 0);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out[1], 1);
    ::dup2(out[1], 2);
    ::close(out[0]);
    if (::setgroups(0, nullptr) != 0 || ::setgid(kNobody) != 0 || ::setuid(kNobody) != 0) _exit(100);
    std::vector<char*> a;
    for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
    a.push_back(nullptr);
    ::execv(a[0], a.data());
    std::fprintf(stderr, "exec %s: %s\n", a[0], std::strerror(errno));
    _exit(127);
  }
  ::close(out[1]);
  mycompose::test::RunResult r;
  char buf[4096];
  for (ssize_t n; (n = ::read(out[0], buf, sizeof buf)) > 0;) r.out.append(buf, static_cast<std::size_t>(n));
  ::close(out[0]);
  int st = 0;
  ::waitpid(pid, &st, 0);
  r.exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  return r;
}

unsigned mode_of(const stdfs::path& p) {
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

// The test's temp folder is 0700; a real root's parent (/var/lib) lets everyone through.
void open_parent(const Project& p) { REQUIRE(::chmod(p.r.dir.c_str(), 0755) == 0); }

}  // namespace

TEST_CASE("security, state root: a setuid-root file a container writes into a named volume cannot be run by a local user") {
  Project p(R"(services:
  web:
    image: busybox:test
    volumes: ["data:/data", "@OUT@:/out"]
    command: ["sh", "-c", "busybox cp /out/id /data/id && busybox chmod 4755 /data/id && echo done > /out/done && exec sleep 1000"]
volumes:
  data: {}
)");
  open_parent(p);
  stdfs::copy_file("/usr/bin/id", p.out / "id");
  // A new user's root: the first command to make it is the engine starting on demand.
  const stdfs::path root = p.r.dir / "fresh";
  Cli c(root, p.dir);
  c.ok({"engine", "ping"});
  c.ok({"image", "import", (p.r.dir / "image.tar").string(), "busybox:test"});
  c.ok({"up", "-d"});
  for (int i = 0; i < 200 && !stdfs::exists(p.out / "done"); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const stdfs::path planted = root / "volumes" / "proj_data" / "_data" / "id";
  REQUIRE((mode_of(planted) & 04000) != 0);  // the container did plant it
  auto r = run_as_nobody({planted.string(), "-u"});
  INFO("a local user ran " << planted << ": exit " << r.exit_code << ", output: " << r.out);
  CHECK(r.out.find("0\n") != 0);  // not root
  CHECK(r.exit_code == 127);      // could not even reach it
  CHECK((mode_of(root) & 0007) == 0);
  c.ok({"down", "-v"});
  c.stop_engine();
  cli_project::check_no_leaks(root);
}

TEST_CASE("security, state root: whichever command makes the root, others cannot reach it") {
  Project p("services:\n  web:\n    image: busybox:test\n    command: [\"sleep\", \"1000\"]\n    volumes: [\"data:/data\"]\n"
            "volumes:\n  data: {}\n");
  open_parent(p);
  // The fixture made its root with `image import`.
  CHECK(mode_of(p.r.root()) == 0710);
  const std::vector<std::vector<std::string>> first_commands = {
      {"volume", "create", "v1"}, {"engine", "ping"}, {"up", "-d"}, {"image", "ls"}, {"ps"}};
  int i = 0;
  for (const auto& args : first_commands) {
    const stdfs::path root = p.r.dir / ("root-" + std::to_string(i++));
    INFO("first command: " << args.front() << " " << (args.size() > 1 ? args[1] : ""));
    Cli c(root, p.dir);
    c.run(args);
    REQUIRE(stdfs::exists(root));
    CHECK((mode_of(root) & 0067) == 0);
    for (const auto& e : stdfs::directory_iterator(root))
      if (e.is_directory() && !e.is_symlink()) CHECK((mode_of(e.path()) & 0077) == 0);
    CHECK(run_as_nobody({"/bin/ls", root.string()}).exit_code != 0);
    c.run({"down", "-v", "-t", "0"});
    c.stop_engine();
    cli_project::check_no_leaks(root);
  }
}

TEST_CASE("security, state root: an engine repairs open modes and refuses a root owned by another user") {
  Project p("services:\n  web:\n    image: busybox:test\n    command: [\"sleep\", \"1000\"]\n");
  open_parent(p);
  const stdfs::path root = p.r.root();
  REQUIRE(::chmod(root.c_str(), 0755) == 0);
  stdfs::create_directories(root / "volumes" / "old" / "_data");
  REQUIRE(::chmod((root / "volumes").c_str(), 0755) == 0);
  p.ok({"engine", "ping"});
  CHECK(mode_of(root) == 0710);
  CHECK(mode_of(root / "volumes") == 0700);
  CHECK(mode_of(root / "content") == 0700);
  p.stop_engine();

  REQUIRE(::chown(root.c_str(), kNobody, kNobody) == 0);
  auto r = p.run({"ps"});
  CHECK(r.exit_code != 0);
  CHECK(r.err.find("belongs to uid 65534") != std::string::npos);
  REQUIRE(::chown(root.c_str(), 0, 0) == 0);
}

TEST_CASE("security, state root: engine.pid and engine.log are not written through a symlink") {
  for (const char* name : {"engine.pid", "engine.log"}) {
    INFO(name);
    Project p("services:\n  web:\n    image: busybox:test\n    command: [\"sleep\", \"1000\"]\n");
    const stdfs::path victim = p.r.dir / "victim";
    mycompose::fs::write_file_atomic(victim, "precious\n", 0644);
    stdfs::create_symlink(victim, p.r.root() / name);
    auto r = p.run({"engine", "ping"});
    CHECK(r.exit_code != 0);
    CHECK(mycompose::fs::read_file(victim) == "precious\n");
    p.stop_engine();
    stdfs::remove(p.r.root() / name);
  }
}
