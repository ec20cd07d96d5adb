// docker compose's pkg/e2e/export_test.go, ported: `export` writes a service container's
// filesystem (without its volumes) as a tar, and --index picks the replica.
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "integration/scheduler/cli_project_fixture.hpp"

using namespace cli_project;

namespace {

const char* kExport = R"(services:
  service:
    image: busybox:test
    command: ["sleep", "1000"]
    volumes: ["data:/data"]
  service-with-replicas:
    image: busybox:test
    command: ["sleep", "1000"]
    deploy:
      replicas: 3
volumes:
  data:
)";

// The archive's entry names, one a line (as tar -t lists them).
std::string entries(const stdfs::path& tar) {
  auto r = mycompose::test::run({"tar", "-tvf", tar.string()});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return r.out;
}

bool lists(const std::string& listing, const std::string& name) {
  std::istringstream in(listing);
  for (std::string line; std::getline(in, line);) {
    auto sp = line.rfind(' ');
    auto arrow = line.find(" -> ");
    std::string n = arrow != std::string::npos ? line.substr(0, arrow) : line;
    n = n.substr(n.rfind(' ') + 1);
    if (n == name || n == name + "/") return true;
    (void)sp;
  }
  return false;
}

}  // namespace

TEST_CASE("TestExport: export writes the service container's filesystem to the output file") {
  Project p(kExport, "export-test");
  p.ok({"up", "-d", "service"});
  CHECK(p.wait_state("export-test-service-1", "running") == "running");
  p.ok({"exec", "-T", "service", "sh", "-c", "echo hi > /exported && echo vol > /data/in-volume && busybox ln -s / /hostroot"});
  const stdfs::path out = p.r.dir / "service.tar";
  auto r = p.run({"export", "-o", out.string(), "service"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  REQUIRE(stdfs::exists(out));
  struct stat st {};
  REQUIRE(::stat(out.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  const std::string list = entries(out);
  INFO(list);
  CHECK(lists(list, "bin/busybox"));
  CHECK(lists(list, "exported"));
  CHECK(lists(list, "hostroot"));
  CHECK(list.find("hostroot/") == std::string::npos);  // a link, never followed
  CHECK(lists(list, "data"));                             // the mount point, not the volume
  CHECK_FALSE(lists(list, "data/in-volume"));

  // Without -o, to stdout (not a terminal here).
  auto s = p.run({"export", "service"});
  CHECK(s.exit_code == 0);
  CHECK(s.out.size() > 1024);
}

TEST_CASE("TestExportWithReplicas: export --index picks the requested replica") {
  Project p(kExport, "export-replicas");
  p.ok({"up", "-d", "service-with-replicas"});
  p.ok({"exec", "-T", "--index", "2", "service-with-replicas", "sh", "-c", "echo two > /replica"});
  const stdfs::path r1 = p.r.dir / "r1.tar", r2 = p.r.dir / "r2.tar";
  p.ok({"export", "-o", r1.string(), "--index=1", "service-with-replicas"});
  p.ok({"export", "-o", r2.string(), "--index=2", "service-with-replicas"});
  CHECK_FALSE(lists(entries(r1), "replica"));
  CHECK(lists(entries(r2), "replica"));
  auto r = p.run({"export", "-o", (p.r.dir / "r7.tar").string(), "--index=7", "service-with-replicas"});
  CHECK(r.exit_code != 0);
  CHECK(r.err.find("service \"service-with-replicas\" is not running container #7") != std::string::npos);
  CHECK_FALSE(stdfs::exists(p.r.dir / "r7.tar"));
}
