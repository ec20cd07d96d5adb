// docker compose pkg/e2e/compose_environment_test.go, ported: where a container's variable
// comes from (run -e, the shell, --env-file / COMPOSE_ENV_FILES / .env, environment,
// env_file, the image), interpolation from .env, comments in env files, and an unset
// pass-through variable removing the image's value. The images are built from busybox:test.
#include "integration/scheduler/cli_project_fixture.hpp"

using namespace cli_project;

namespace {

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

struct Priority : Project {
  Priority() : Project("services:\n  env-compose-priority:\n    image: env-compose-priority\n", "env-priority") {
    auto w = [this](const char* f, const char* text) { mycompose::fs::write_file_atomic(dir / f, text); };
    w("Dockerfile", "FROM busybox:test\nENV WHEREAMI=Dockerfile\nCMD [\"sh\", \"-c\", \"echo $WHEREAMI\"]\n");
    w("compose-with-env.yaml",
      "services:\n  env-compose-priority:\n    image: env-compose-priority\n    build:\n      context: .\n"
      "    environment:\n      WHEREAMI: \"Compose File\"\n");
    w("compose-with-env-file.yaml",
      "services:\n  env-compose-priority:\n    image: env-compose-priority\n    build:\n      context: .\n"
      "    env_file:\n      - .env.override\n");
    w(".env", "WHEREAMI=Env File\n");
    w(".env.override", "WHEREAMI=override\n");
    w(".env.override.with.default", "WHEREAMI=${WHEREAMI:-EnvFileDefaultValue}\n");
    w(".env.empty", "");
  }
  // `run --rm -e … env-compose-priority` with extra environment; the printed value.
  std::string run_with(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
    Cli c = *this;
    for (auto& [k, v] : env) c.o.env[k] = v;
    auto res = c.run(args);
    INFO(res.err);
    REQUIRE(res.exit_code == 0);
    return trimmed(res.out);
  }
};

}  // namespace

TEST_CASE("TestEnvPriority: run -e, shell, --env-file, COMPOSE_ENV_FILES, .env, environment, env_file, image") {
  Priority p;
  p.ok({"-f", "compose-with-env.yaml", "build"});
  const std::vector<std::string> with_env{"-f", "compose-with-env.yaml", "--env-file", ".env.override"};
  auto args = [](std::vector<std::string> a, std::vector<std::string> b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  };
  const std::vector<std::string> run_e{"run", "--rm", "-e", "WHEREAMI", "env-compose-priority"};
  // compose file priority: -e KEY takes the shell's value over `environment`
  CHECK(p.run_with(args(with_env, run_e), {{"WHEREAMI", "shell"}}) == "shell");
  CHECK(p.run_with(args(with_env, {"run", "--rm", "-e", "WHEREAMI=shell", "env-compose-priority"})) == "shell");
  // shell priority
  CHECK(p.run_with(args({"--env-file", ".env.override"}, run_e), {{"WHEREAMI", "shell"}}) == "shell");
  CHECK(p.run_with(args({"--env-file", ".env.override.with.default"}, run_e), {{"WHEREAMI", "shell"}}) == "shell");
  // shell priority implicitly set: the --env-file's default
  CHECK(p.run_with(args({"--env-file", ".env.override.with.default"}, run_e)) == "EnvFileDefaultValue");
  CHECK(p.run_with(run_e, {{"COMPOSE_ENV_FILES", ".env.override.with.default"}}) == "EnvFileDefaultValue");
  // shell priority from run command
  CHECK(p.run_with({"--env-file", ".env.override", "run", "--rm", "-e", "WHEREAMI=shell-run", "env-compose-priority"}) ==
        "shell-run");
  // override env file from compose: env_file in the file, -e KEY from .env
  CHECK(p.run_with(args({"-f", "compose-with-env-file.yaml"}, run_e)) == "Env File");
  // override env file / env file
  CHECK(p.run_with(args({"--env-file", ".env.override"}, run_e)) == "override");
  CHECK(p.run_with(run_e) == "Env File");
  // use Dockerfile: nothing sets it, the image's value stays
  CHECK(p.run_with(args({"--env-file", ".env.empty"}, run_e)) == "Dockerfile");
}

TEST_CASE("TestEnvInterpolation: the shell over .env, and .env defaults, in interpolation") {
  Project p("services:\n  env-interpolation:\n    image: busybox:test\n    environment:\n      IMAGE: ${IMAGE}\n");
  mycompose::fs::write_file_atomic(p.dir / ".env", "WHEREAMI=Env File\nIMAGE=default_env:${WHEREAMI}\n");
  Cli shell = p;
  shell.o.env["WHEREAMI"] = "shell";
  CHECK(shell.ok({"config"}).find("IMAGE: default_env:shell") != std::string::npos);

  Project d("services:\n  env-interpolation:\n    image: busybox:test\n    environment:\n      IMAGE: ${IMAGE}\n", "dflt");
  mycompose::fs::write_file_atomic(d.dir / ".env", "IMAGE=default_env:${WHEREAMI:-EnvFileDefaultValue}\n");
  CHECK(d.ok({"config"}).find("IMAGE: default_env:EnvFileDefaultValue") != std::string::npos);
}

TEST_CASE("TestCommentsInEnvFile: an inline comment needs a blank before #") {
  Project p(R"(services:
  env-file-comments:
    image: busybox:test
    env_file: .env
    command: sh -c "busybox env | busybox grep COMMENT= | busybox sort"
)");
  mycompose::fs::write_file_atomic(p.dir / ".env", "COMMENT=1234 # comment\nNO_COMMENT=1234#5\n");
  auto out = p.ok({"run", "--rm", "-e", "COMMENT", "-e", "NO_COMMENT", "env-file-comments"});
  CHECK(out.find("COMMENT=1234\n") != std::string::npos);
  CHECK(out.find("NO_COMMENT=1234#5\n") != std::string::npos);
}

TEST_CASE("TestUnsetEnv: an unset pass-through variable removes the image's value") {
  Project p(R"(services:
  empty-variable:
    build:
      context: .
    image: empty-variable
    environment:
      - EMPTY
)");
  mycompose::fs::write_file_atomic(p.dir / "Dockerfile",
                                   "FROM busybox:test\nENV EMPTY=not_empty\nCMD [\"sh\", \"-c\", \"echo \\\"=$EMPTY=\\\"\"]\n");
  p.ok({"build"});
  CHECK(p.ok({"run", "-e", "EMPTY=hello", "--rm", "empty-variable"}) == "=hello=\n");
  CHECK(p.ok({"run", "--rm", "empty-variable"}) == "==\n");
}
