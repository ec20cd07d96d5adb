// The user's terminal handed to a container process. `exec -T` ran the process with the
// CLI's own stdio; when that is the user's terminal, a container process (here with
// CAP_SYS_ADMIN, which TIOCSTI needs where dev.tty.legacy_tiocsti is 0) can push keystrokes
// into the user's shell: commands run on the host when the shell reads them.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <pty.h>
#include <spawn.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "integration/scheduler/cli_project_fixture.hpp"
#include "probe.hpp"

using cli_project::Project;
namespace stdfs = std::filesystem;

TEST_CASE("security, exec -T from a terminal: the container process gets pipes, not the user's terminal") {
  Project p(R"(services:
  web:
    image: busybox:test
    cap_add: [SYS_ADMIN]
    volumes: ["@OUT@:/out"]
    command: ["sleep", "1000"]
)");
  stdfs::copy_file(security_test::probe("tiocsti"), p.out / "tiocsti");
  p.ok({"up", "-d"});

  int master = -1, slave = -1;
  REQUIRE(::openpty(&master, &slave, nullptr, nullptr, nullptr) == 0);
  termios raw{};
  ::tcgetattr(slave, &raw);
  ::cfmakeraw(&raw);
  ::tcsetattr(slave, TCSANOW, &raw);

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  for (int fd = 0; fd < 3; ++fd) posix_spawn_file_actions_adddup2(&fa, slave, fd);
  const pid_t pid = spawn_cli(p, {"exec", "-T", "web", "/out/tiocsti"}, &fa);
  REQUIRE(pid > 0);
  posix_spawn_file_actions_destroy(&fa);
  int status = 0;
  ::waitpid(pid, &status, 0);

  // What the probe printed (through the terminal), and whether anything was typed into it.
  std::string printed, typed;
  ::fcntl(master, F_SETFL, O_NONBLOCK);
  ::fcntl(slave, F_SETFL, O_NONBLOCK);
  char buf[512];
  for (ssize_t n; (n = ::read(master, buf, sizeof buf)) > 0;) printed.append(buf, static_cast<std::size_t>(n));
  for (ssize_t n; (n = ::read(slave, buf, sizeof buf)) > 0;) typed.append(buf, static_cast<std::size_t>(n));
  ::close(master);
  ::close(slave);
  INFO("the probe printed: " << printed);
  CHECK(WIFEXITED(status));
  CHECK(printed.find("stdin is not a terminal") != std::string::npos);
  CHECK(typed.find('#') == std::string::npos);

  // Output still reaches the terminal, and a pipe on stdin still reaches the process.
  auto echo = p.run({"exec", "-T", "web", "sh", "-c", "cat; echo out; echo err >&2"}, "in\n");
  CHECK(echo.out == "in\nout\n");
  CHECK(echo.err == "err\n");
  p.finish();
}
