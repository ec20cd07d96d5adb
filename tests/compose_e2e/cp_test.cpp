// docker compose pkg/e2e/cp_test.go: cp to a service copies to every replica, or to the one
// --index names; cp from a service reads the first replica, or the one --index names; folders
// both ways. busybox:test has no /tmp (nginx's image has), so /www, a folder busybox:test has,
// stands in for it. Upstream checks the files with `docker exec NAME cat`; here `exec --index`.
// Upstream's ps check (`nginx               running`) matches an old ps layout: here each
// replica is running in `ps` by project name.
#include "e2e_helpers.hpp"

using namespace compose_e2e;

namespace {

const char* kCp = R"(services:
  nginx:
    image: busybox:test
    command: ["sleep", "1000"]
)";

// `cat PATH` in replica `index`: its stdout, or "" with the exit status in `code`.
std::string cat_in(const Project& p, int index, const std::string& path, int* code = nullptr) {
  auto r = p.run({"exec", "--index=" + std::to_string(index), "nginx", "cat", path});
  if (code) *code = r.exit_code;
  return r.exit_code == 0 ? r.out : "";
}

// A host file's text, "" when the copy did not make it.
std::string host_file(const stdfs::path& path) { return stdfs::is_regular_file(path) ? mycompose::fs::read_file(path) : ""; }

}  // namespace

TEST_CASE("TestCopy: cp to and from service containers, by default and with --index, files and folders") {
  Project p(kCp, "copy_e2e");
  mycompose::fs::write_file_atomic(p.dir / "cp-me.txt", "hello world");
  stdfs::create_directories(p.dir / "cp-folder");
  mycompose::fs::write_file_atomic(p.dir / "cp-folder" / "cp-me.txt", "hello world from folder");

  // start service
  p.ok({"-f", "compose.yaml", "--project-name", "copy_e2e", "up", "--scale", "nginx=5", "-d"});

  // make sure service is running: by project name, from a folder without a compose file
  auto ps = elsewhere(p).run({"-p", "copy_e2e", "ps", "--format", "{{.Name}} {{.Service}} {{.State}}"});
  INFO(ps.out << ps.err);
  REQUIRE(ps.exit_code == 0);
  for (int i = 1; i <= 5; ++i) CHECK(ps.out.find("copy_e2e-nginx-" + std::to_string(i) + " nginx running\n") != std::string::npos);

  // copy to container copies the file to all containers by default
  {
    auto r = p.run({"-f", "compose.yaml", "-p", "copy_e2e", "cp", "./cp-me.txt", "nginx:/www/default.txt"});
    INFO(r.err);
    CHECK(r.exit_code == 0);
    for (int i = 1; i <= 5; ++i) CHECK(cat_in(p, i, "/www/default.txt").find("hello world") != std::string::npos);

    // copy from a container copies the file to the host from the first container by default
    auto from = p.run({"-f", "compose.yaml", "-p", "copy_e2e", "cp", "nginx:/www/default.txt", "./from-default.txt"});
    INFO(from.err);
    CHECK(from.exit_code == 0);
    CHECK(host_file(p.dir / "from-default.txt") == "hello world");
  }

  // copy to container with a given index copies the file to the given container
  {
    auto r = p.run({"-f", "compose.yaml", "-p", "copy_e2e", "cp", "--index=3", "./cp-me.txt", "nginx:/www/indexed.txt"});
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK(cat_in(p, 3, "/www/indexed.txt").find("hello world") != std::string::npos);
    int code = 0;
    cat_in(p, 2, "/www/indexed.txt", &code);
    CHECK(code == 1);

    // copy from a container with a given index copies the file to the host
    auto from = p.run({"-f", "compose.yaml", "-p", "copy_e2e", "cp", "--index=3", "nginx:/www/indexed.txt", "./from-indexed.txt"});
    INFO(from.err);
    CHECK(from.exit_code == 0);
    CHECK(host_file(p.dir / "from-indexed.txt") == "hello world");
  }

  // copy to and from a container also work with folder
  {
    auto r = p.run({"-f", "compose.yaml", "-p", "copy_e2e", "cp", "./cp-folder", "nginx:/www"});
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK(cat_in(p, 1, "/www/cp-folder/cp-me.txt").find("hello world from folder") != std::string::npos);

    auto back = p.run({"-f", "compose.yaml", "-p", "copy_e2e", "cp", "nginx:/www/cp-folder", "./cp-folder2"});
    INFO(back.err);
    CHECK(back.exit_code == 0);
    CHECK(host_file(p.dir / "cp-folder2" / "cp-me.txt") == "hello world from folder");
  }
}

// Not in upstream's test, but its path: cp resolves the project by name alone, as exec and ps
// do (docker compose's cp takes only the project name, pkg/compose/cp.go), and --index of a
// replica that does not exist is getSpecifiedContainer's error.
TEST_CASE("TestCopy: cp by project name alone, and --index of a missing replica") {
  Project p(kCp, "copy_e2e");
  mycompose::fs::write_file_atomic(p.dir / "cp-me.txt", "hello world");
  p.ok({"up", "-d"});
  Cli c = elsewhere(p);
  auto to = c.run({"-p", "copy_e2e", "cp", (p.dir / "cp-me.txt").string(), "nginx:/www/by-name.txt"});
  INFO(to.err);
  CHECK(to.exit_code == 0);
  CHECK(cat_in(p, 1, "/www/by-name.txt") == "hello world");

  auto missing = p.run({"cp", "--index=9", "nginx:/www/by-name.txt", "./x.txt"});
  INFO(missing.err);
  CHECK(missing.exit_code == 1);
  CHECK(missing.err.find("service \"nginx\" is not running container #9") != std::string::npos);
  auto missing_to = p.run({"cp", "--index=9", "./cp-me.txt", "nginx:/www/x.txt"});
  INFO(missing_to.err);
  CHECK(missing_to.exit_code == 1);
  CHECK(missing_to.err.find("service \"nginx\" is not running container #9") != std::string::npos);

  // A service without containers (here one the model does not have) is not looked up in the
  // model: listContainersTargetedForCopy finds nothing.
  auto unknown = c.run({"-p", "copy_e2e", "cp", "nosuch:/www/by-name.txt", "./x.txt"});
  INFO(unknown.err);
  CHECK(unknown.exit_code == 1);
  CHECK(unknown.err.find("no container found for service \"nosuch\"") != std::string::npos);
}
