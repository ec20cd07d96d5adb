// Argument parsing, pinned through the MYCOMPOSE_DEBUG_PARSE hook: mycompose parses, runs
// nothing, and prints what it parsed as JSON.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "support/run.hpp"

using mycompose::test::run_mycompose;
using nlohmann::json;

namespace {

json parsed(const std::vector<std::string>& args) {
  mycompose::test::RunOptions o;
  o.env = {{"MYCOMPOSE_DEBUG_PARSE", "1"}};
  auto r = run_mycompose(args, o);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return json::parse(r.out);
}

}  // namespace

TEST_CASE("exec keeps everything after the command for the command") {
  auto p = parsed({"exec", "web", "ls", "-la"});
  CHECK(p["command"] == json{"exec"});
  CHECK(p["positionals"]["SERVICE"] == json{"web"});
  CHECK(p["positionals"]["COMMAND"] == json{"ls", "-la"});
  CHECK(p["options"].empty());
}

TEST_CASE("exec parses its own flags before SERVICE and none after it") {
  auto p = parsed({"exec", "-u", "root", "-e", "A=1", "--env", "B=2", "-T", "web", "sh", "-c", "echo -u x", "-T"});
  CHECK(p["options"]["--user"] == json{"root"});
  CHECK(p["options"]["--env"] == json{"A=1", "B=2"});
  CHECK(p["options"].contains("--no-tty"));
  CHECK(p["positionals"]["COMMAND"] == json{"sh", "-c", "echo -u x", "-T"});
}

TEST_CASE("exec accepts docker's hidden -i and -t, combined as -it") {
  auto p = parsed({"exec", "-it", "web", "sh"});
  CHECK(p["options"].contains("--interactive"));
  CHECK(p["options"].contains("--tty"));
  CHECK(p["positionals"]["COMMAND"] == json{"sh"});
}

TEST_CASE("run stops option parsing at SERVICE, and the command is optional") {
  auto p = parsed({"run", "--rm", "-p", "8080:80", "-p", "9090:90", "web", "python", "-m", "http.server", "--bind", "0"});
  CHECK(p["options"]["--publish"] == json{"8080:80", "9090:90"});
  CHECK(p["options"].contains("--rm"));
  CHECK(p["positionals"]["SERVICE"] == json{"web"});
  CHECK(p["positionals"]["COMMAND"] == json{"python", "-m", "http.server", "--bind", "0"});
  auto bare = parsed({"run", "web"});
  CHECK_FALSE(bare["positionals"].contains("COMMAND"));
}

TEST_CASE("each flag occurrence takes one value, as in docker: repeat the flag for more") {
  auto p = parsed({"up", "--attach", "web", "db", "--scale", "web=2", "--scale", "db=3"});
  CHECK(p["options"]["--attach"] == json{"web"});
  CHECK(p["options"]["--scale"] == json{"web=2", "db=3"});
  CHECK(p["positionals"]["SERVICE"] == json{"db"});
  auto g = parsed({"-f", "a.yml", "--profile", "x", "ps", "web"});
  CHECK(g["global"]["--file"] == json{"a.yml"});
  CHECK(g["positionals"]["SERVICE"] == json{"web"});
}

TEST_CASE("run --cap-add takes a comma-separated list, as docker's list type") {
  auto p = parsed({"run", "--cap-add", "NET_ADMIN,SYS_TIME", "--cap-add", "CHOWN", "web"});
  CHECK(p["options"]["--cap-add"] == json{"NET_ADMIN", "SYS_TIME", "CHOWN"});
}

TEST_CASE("a command's own short flag wins over the global one of the same letter") {
  auto logs = parsed({"logs", "-f", "web"});  // logs -f is --follow, the global -f is --file
  CHECK(logs["options"].contains("--follow"));
  CHECK(logs["global"].empty());
  CHECK(logs["positionals"]["SERVICE"] == json{"web"});
  auto run = parsed({"run", "-p", "80:80", "web"});  // run -p is --publish, the global -p --project-name
  CHECK(run["options"]["--publish"] == json{"80:80"});
  CHECK(run["global"].empty());
}

TEST_CASE("global flags go before the command, or after it when the command has no flag of that name") {
  auto p = parsed({"-f", "a.yml", "--file", "b.yml", "--profile", "debug", "up", "-d", "--project-name", "demo", "web"});
  CHECK(p["global"]["--file"] == json{"a.yml", "b.yml"});
  CHECK(p["global"]["--profile"] == json{"debug"});
  CHECK(p["global"]["--project-name"] == json{"demo"});
  CHECK(p["options"].contains("--detach"));
  CHECK(p["positionals"]["SERVICE"] == json{"web"});
}

TEST_CASE("flags that default to true can be turned off with =false") {
  CHECK(parsed({"attach", "--sig-proxy=false", "web"})["options"]["--sig-proxy"] == json{"false"});
  CHECK(parsed({"ps", "--orphans=false"})["options"]["--orphans"] == json{"false"});
  CHECK(parsed({"commit", "--pause=false", "web"})["options"]["--pause"] == json{"false"});
}

TEST_CASE("several services, SERVICE=NUM pairs and `-` as a path are positionals") {
  CHECK(parsed({"stop", "web", "db"})["positionals"]["SERVICE"] == json{"web", "db"});
  CHECK(parsed({"scale", "web=3", "db=1"})["positionals"]["SERVICE=REPLICAS"] == json{"web=3", "db=1"});
  auto cp = parsed({"cp", "web:/etc/hosts", "-"});
  CHECK(cp["positionals"]["SRC"] == json{"web:/etc/hosts"});
  CHECK(cp["positionals"]["DEST"] == json{"-"});
}

TEST_CASE("sub-subcommands parse their own flags") {
  auto p = parsed({"volume", "rm", "-f", "v1", "v2"});
  CHECK(p["command"] == json{"volume", "rm"});
  CHECK(p["options"].contains("--force"));
  CHECK(p["positionals"]["VOLUME"] == json{"v1", "v2"});
  CHECK(parsed({"system", "check", "--fix"})["options"].contains("--fix"));
}

TEST_CASE("a flag written --flag= is an empty value, as pflag reads it, and never takes the next argument") {
  auto p = parsed({"run", "--entrypoint=", "--user=", "-e", "A=1", "web", "sh", "-c", "echo", "--x="});
  CHECK(p["options"]["--entrypoint"] == json{""});
  CHECK(p["options"]["--user"] == json{""});
  CHECK(p["positionals"]["SERVICE"] == json{"web"});
  // After SERVICE every argument is the command's, `--x=` included.
  CHECK(p["positionals"]["COMMAND"] == json{"sh", "-c", "echo", "--x="});
  auto g = parsed({"--project-name=", "--env-file=", "ps", "web"});
  CHECK(g["global"]["--project-name"] == json{""});
  CHECK(g["positionals"]["SERVICE"] == json{"web"});
  auto up = parsed({"up", "--attach=", "--timeout", "3", "web"});
  CHECK(up["options"]["--attach"] == json{""});
  CHECK(up["positionals"]["SERVICE"] == json{"web"});
}

TEST_CASE("a global --dry-run is refused before anything runs, never ignored") {
  auto r = run_mycompose({"--dry-run", "down", "-v"});
  CHECK(r.exit_code != 0);
  CHECK(r.err.find("--dry-run is not supported yet: nothing was done") != std::string::npos);
}
