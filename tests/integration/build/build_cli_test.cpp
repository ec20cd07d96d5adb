// `mycompose build` on a Compose project: image names, build args, --no-cache, -q, errors.
#include <fcntl.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>

#include "build_helpers.hpp"

using namespace buildtest;

namespace {

struct Result {
  int status = -1;
  std::string out, err;
};

Result run_cli(const Sandbox& sb, std::vector<std::string> args) {
  const char* bin = std::getenv("MYCOMPOSE_BIN");
  REQUIRE(bin);
  args.insert(args.begin(), bin);
  auto out = sb.dir / ".out", err = sb.dir / ".err";
  pid_t pid = ::fork();
  if (pid == 0) {
    ::setenv("MYCOMPOSE_ROOT", sb.root.c_str(), 1);
    if (::chdir(sb.ctx.c_str()) != 0) _exit(126);
    int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600), e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(o, 1);
    ::dup2(e, 2);
    std::vector<char*> a;
    for (auto& s : args) a.push_back(s.data());
    a.push_back(nullptr);
    ::execv(a[0], a.data());
    _exit(127);
  }
  int st = 0;
  ::waitpid(pid, &st, 0);
  return {WIFEXITED(st) ? WEXITSTATUS(st) : 128, mycompose::fs::read_file(out), mycompose::fs::read_file(err)};
}

}  // namespace

TEST_CASE("build cli: services are built as <project>-<service> or their image name, with compose and CLI build args") {
  Sandbox sb;
  sb.import_busybox();
  sb.write("compose.yaml",
           "name: demo\n"
           "services:\n"
           "  web:\n"
           "    build:\n"
           "      context: ./web\n"
           "      args: {WHO: compose}\n"
           "    depends_on: [api]\n"
           "  api:\n"
           "    image: example/api:1\n"
           "    build:\n"
           "      dockerfile_inline: |\n"
           "        FROM busybox:test\n"
           "        RUN echo api-$$((40+2))\n"
           "  db:\n"
           "    image: busybox:test\n");
  sb.write("web/Dockerfile", "FROM busybox:test\nARG WHO\nRUN echo \"hello $WHO\"\n");
  auto r = run_cli(sb, {"build"});
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(r.err.find("[web 2/2] RUN echo \"hello $WHO\"") != std::string::npos);
  CHECK(r.err.find(" hello compose\n") != std::string::npos);
  CHECK(r.err.find(" api-42\n") != std::string::npos);
  CHECK(sb.store.resolve("demo-web"));
  CHECK(sb.store.resolve("example/api:1"));

  auto again = run_cli(sb, {"build", "--build-arg", "WHO=cli", "web"});
  REQUIRE(again.status == 0);
  CHECK(again.err.find(" hello cli\n") != std::string::npos);
  CHECK(again.err.find("api-") == std::string::npos);  // not asked for

  auto cached = run_cli(sb, {"build", "--with-dependencies", "web"});
  CHECK(cached.err.find("CACHED") != std::string::npos);
  CHECK(cached.err.find("#2 CACHED\n") != std::string::npos);  // api first (a dependency), cached
  CHECK(cached.err.find(" api-42\n") == std::string::npos);

  auto nocache = run_cli(sb, {"build", "--no-cache", "-q", "api"});
  CHECK(nocache.status == 0);
  CHECK(nocache.err.empty());
  CHECK(nocache.out.empty());
}

TEST_CASE("build cli: a Dockerfile error is printed with its line and exits 1") {
  Sandbox sb;
  sb.write("compose.yaml", "services:\n  web:\n    build: .\n");
  sb.write("Dockerfile", "FROM scratch\nCOPY nothing-here /x\n");
  auto r = run_cli(sb, {"build"});
  CHECK(r.status == 1);
  CHECK(r.err.find("error: Dockerfile:2: COPY failed: file not found in build context or excluded by .dockerignore: nothing-here\n") !=
        std::string::npos);
}
