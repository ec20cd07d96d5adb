// `--help` everywhere: the root, every command and every sub-subcommand exit 0 and list
// docker compose's flags for that command.
#include <catch2/catch.hpp>

#include <sstream>

#include "support/run.hpp"

using mycompose::test::run_mycompose;

namespace {

struct HelpCase {
  std::vector<std::string> command;
  std::vector<std::string> expected;  // flags (as the help prints them) and positionals
};

// A few flags per command, short and long forms as docker compose has them.
const HelpCase kHelp[] = {
    {{"attach"}, {"--detach-keys", "--index", "--no-stdin", "--sig-proxy", "SERVICE"}},
    {{"build"}, {"--build-arg", "-m,--memory", "--no-cache", "--pull", "--push", "-q,--quiet", "--ssh",
                 "--with-dependencies"}},
    {{"commit"}, {"-a,--author", "-c,--change", "-m,--message", "-p,--pause", "--index"}},
    {{"config"}, {"--format"}},
    {{"cp"}, {"-a,--archive", "-L,--follow-link", "--index", "SRC", "DEST"}},
    {{"create"}, {"--build", "--force-recreate", "--no-build", "--no-recreate", "--pull", "--quiet-pull",
                  "--remove-orphans", "--scale", "-y,--yes"}},
    {{"down"}, {"--remove-orphans", "--rmi", "-t,--timeout", "-v,--volumes"}},
    {{"events"}, {"--json", "--since", "--until"}},
    {{"exec"}, {"-d,--detach", "-e,--env", "--index", "--privileged", "-T,--no-tty", "-u,--user", "-w,--workdir",
                "SERVICE", "COMMAND"}},
    {{"export"}, {"--index", "-o,--output", "SERVICE"}},
    {{"images"}, {"--format", "-q,--quiet"}},
    {{"kill"}, {"--remove-orphans", "-s,--signal"}},
    {{"logs"}, {"-f,--follow", "--index", "--no-color", "--no-log-prefix", "--since", "-n,--tail", "-t,--timestamps",
                "--until"}},
    {{"ls"}, {"-a,--all", "--filter", "--format", "-q,--quiet"}},
    {{"pause"}, {"SERVICE"}},
    {{"port"}, {"--index", "--protocol", "SERVICE", "PRIVATE_PORT"}},
    {{"ps"}, {"-a,--all", "--filter", "--format", "--no-trunc", "--orphans", "-q,--quiet", "--services", "--status"}},
    {{"pull"}, {"--ignore-buildable", "--ignore-pull-failures", "--include-deps", "--policy", "-q,--quiet"}},
    {{"push"}, {"--ignore-push-failures", "--include-deps", "-q,--quiet"}},
    {{"restart"}, {"--no-deps", "-t,--timeout"}},
    {{"rm"}, {"-f,--force", "-s,--stop", "-v,--volumes"}},
    {{"run"}, {"--build", "--cap-add", "--cap-drop", "-d,--detach", "--entrypoint", "-e,--env", "-i,--interactive",
               "-l,--label", "--name", "-T,--no-TTY", "--no-deps", "-p,--publish", "--pull", "--rm",
               "-P,--service-ports", "--use-aliases", "-u,--user", "-v,--volume", "-w,--workdir", "SERVICE",
               "COMMAND"}},
    {{"scale"}, {"--no-deps", "SERVICE=REPLICAS"}},
    {{"start"}, {"SERVICE"}},
    {{"stats"}, {"-a,--all", "--format", "--no-stream", "--no-trunc"}},
    {{"stop"}, {"-t,--timeout"}},
    {{"top"}, {"SERVICE"}},
    {{"unpause"}, {"SERVICE"}},
    {{"up"}, {"--abort-on-container-exit", "--abort-on-container-failure", "--always-recreate-deps", "--attach",
              "--attach-dependencies", "--build", "-d,--detach", "--exit-code-from", "--force-recreate", "--menu",
              "--no-attach", "--no-build", "--no-color", "--no-deps", "--no-log-prefix", "--no-recreate",
              "--no-start", "--pull", "--quiet-pull", "--remove-orphans", "-V,--renew-anon-volumes", "--scale",
              "-t,--timeout", "--timestamps", "--wait", "--wait-timeout", "-w,--watch", "-y,--yes", "SERVICE"}},
    {{"version"}, {"-f,--format", "--short"}},
    {{"wait"}, {"--down-project", "SERVICE"}},
    {{"watch"}, {"--no-up", "--prune", "--quiet"}},
    {{"alpha", "viz"}, {"--image", "--indentation-size", "--networks", "--ports", "--spaces"}},
    {{"engine"}, {"--root", "--log-level"}},
    {{"volume", "ls"}, {"-f,--filter", "--format", "-q,--quiet"}},
    {{"volume", "create"}, {"-d,--driver", "--label", "-o,--opt", "VOLUME"}},
    {{"volume", "inspect"}, {"-f,--format", "VOLUME"}},
    {{"volume", "rm"}, {"-f,--force", "VOLUME"}},
    {{"volume", "prune"}, {"-a,--all", "--filter", "-f,--force"}},
    {{"network", "ls"}, {"-f,--filter", "--format", "--no-trunc", "-q,--quiet"}},
    {{"network", "inspect"}, {"-f,--format", "NETWORK"}},
    {{"network", "rm"}, {"-f,--force", "NETWORK"}},
    {{"network", "prune"}, {"--filter", "-f,--force"}},
    {{"system", "prune"}, {"-a,--all", "--filter", "-f,--force", "--volumes"}},
    {{"system", "check"}, {"--fix"}},
    {{"login"}, {"-u,--username", "-p,--password", "--password-stdin", "SERVER"}},
    {{"logout"}, {"SERVER"}},
};

std::string joined(const std::vector<std::string>& words) {
  std::string s;
  for (const auto& w : words) s += (s.empty() ? "" : " ") + w;
  return s;
}

// The names under "Subcommands:" in a help text.
std::vector<std::string> subcommands_in(const std::string& help) {
  std::vector<std::string> names;
  std::istringstream in(help);
  std::string line;
  bool in_section = false;
  while (std::getline(in, line)) {
    if (line == "Subcommands:") in_section = true;
    else if (in_section && line.rfind("  ", 0) == 0) names.push_back(line.substr(2, line.find_first_of(" ,", 2) - 2));  // "ls, list": ls
    else if (in_section) break;
  }
  return names;
}

}  // namespace

TEST_CASE("the root --help lists the global flags and every command") {
  auto r = run_mycompose({"--help"});
  REQUIRE(r.exit_code == 0);
  for (const char* flag : {"-f,--file", "-p,--project-name", "--project-directory", "--profile", "--env-file", "--ansi",
                           "--progress", "--dry-run"})
    CHECK_THAT(r.out, Catch::Contains(flag));
  auto listed = subcommands_in(r.out);
  for (const char* cmd : {"attach", "build",  "commit", "config", "cp",      "create",  "down",   "events",
                          "exec",   "export", "images", "kill",   "logs",    "ls",      "pause",  "port",
                          "ps",     "pull",   "push",   "restart", "rm",     "run",     "scale",  "start",
                          "stats",  "stop",   "top",    "unpause", "up",     "version", "wait",   "watch",
                          "alpha",  "engine", "runtime", "image", "volume",  "network", "system", "login",
                          "logout"}) {
    INFO("command " << cmd);
    CHECK(std::find(listed.begin(), listed.end(), cmd) != listed.end());
  }
}

TEST_CASE("each command's --help exits 0 and lists docker compose's flags for it") {
  for (const auto& c : kHelp) {
    auto args = c.command;
    args.push_back("--help");
    auto r = run_mycompose(args);
    INFO("mycompose " << joined(args) << "\n" << r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("Usage: mycompose " + joined(c.command)));
    for (const auto& flag : c.expected) CHECK_THAT(r.out, Catch::Contains(flag));
  }
}

TEST_CASE("every command and sub-subcommand the help lists answers --help and -h") {
  auto root = run_mycompose({"--help"});
  REQUIRE(root.exit_code == 0);
  std::size_t checked = 0;
  for (const auto& cmd : subcommands_in(root.out)) {
    auto r = run_mycompose({cmd, "--help"});
    INFO("mycompose " << cmd << " --help\n" << r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("Usage: mycompose " + cmd));
    CHECK(run_mycompose({cmd, "-h"}).out == r.out);
    ++checked;
    for (const auto& sub : subcommands_in(r.out)) {
      auto s = run_mycompose({cmd, sub, "--help"});
      INFO("mycompose " << cmd << " " << sub << " --help\n" << s.out << s.err);
      CHECK(s.exit_code == 0);
      CHECK_THAT(s.out, Catch::Contains("Usage: mycompose " + cmd + " " + sub));
      ++checked;
    }
  }
  CHECK(checked > 40);
}

TEST_CASE("groups list their sub-subcommands") {
  CHECK(subcommands_in(run_mycompose({"volume", "--help"}).out) ==
        std::vector<std::string>{"ls", "create", "inspect", "rm", "prune"});
  CHECK(subcommands_in(run_mycompose({"network", "--help"}).out) ==
        std::vector<std::string>{"ls", "inspect", "rm", "prune"});
  CHECK(subcommands_in(run_mycompose({"system", "--help"}).out) == std::vector<std::string>{"prune", "check", "df"});
  CHECK(subcommands_in(run_mycompose({"alpha", "--help"}).out) == std::vector<std::string>{"viz"});
}

TEST_CASE("help shows defaults and allowed values where docker compose has them") {
  CHECK_THAT(run_mycompose({"up", "--help"}).out, Catch::Contains("policy"));
  CHECK_THAT(run_mycompose({"logs", "--help"}).out, Catch::Contains("=all"));
  CHECK_THAT(run_mycompose({"kill", "--help"}).out, Catch::Contains("=SIGKILL"));
  CHECK_THAT(run_mycompose({"port", "--help"}).out, Catch::Contains("=tcp"));
  CHECK_THAT(run_mycompose({"down", "--help"}).out, Catch::Contains("{local,all}"));
}

TEST_CASE("docker's hidden flags stay out of the help") {
  auto exec = run_mycompose({"exec", "--help"}).out;
  CHECK_THAT(exec, !Catch::Contains("--interactive") && !Catch::Contains("--tty "));
  auto run = run_mycompose({"run", "--help"}).out;
  CHECK_THAT(run, !Catch::Contains("-t,--tty"));
}
