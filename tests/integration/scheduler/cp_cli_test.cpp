// `mycompose cp` through the real binary: both ways, docker cp's landing rules, modes and
// owners (-a), volumes mapped to their host folder, tar streams, and the symlink race of
// CVE-2018-15664 (a container process flipping a symlink to a host path while cp runs).
#include <sys/stat.h>
#include <unistd.h>

#include "cli_project_fixture.hpp"

using namespace cli_project;

namespace {

const char* kCompose = R"(services:
  web:
    image: busybox:test
    command: ["sleep", "1000"]
    volumes: ["data:/data"]
volumes: {data: {}}
)";

struct stat lstat_of(const stdfs::path& p) {
  struct stat st {};
  REQUIRE(::lstat(p.c_str(), &st) == 0);
  return st;
}

// A host tree: a.txt (0640, 1234:5678), sub/b.txt (0600), link -> a.txt.
stdfs::path make_tree(const stdfs::path& at) {
  stdfs::create_directories(at / "sub");
  mycompose::fs::write_file_atomic(at / "a.txt", "alpha\n", 0640);
  REQUIRE(::chown((at / "a.txt").c_str(), 1234, 5678) == 0);
  mycompose::fs::write_file_atomic(at / "sub/b.txt", "beta\n", 0600);
  stdfs::create_symlink("a.txt", at / "link");
  return at;
}

}  // namespace

TEST_CASE("cli cp: host to container and back, with modes, owners and links") {
  Project p(kCompose);
  p.ok({"up", "-d"});
  const stdfs::path src = make_tree(p.r.dir / "src");
  auto stat_in = [&](const std::string& path) { return p.ok({"exec", "-T", "web", "busybox", "stat", "-c", "%a %u:%g %F", path}); };

  p.ok({"cp", src.string(), "web:/copied"});  // a folder to a new name: its content lands there
  CHECK(p.ok({"exec", "-T", "web", "cat", "/copied/a.txt", "/copied/sub/b.txt"}) == "alpha\nbeta\n");
  CHECK(stat_in("/copied/a.txt") == "640 0:0 regular file\n");  // without -a: root's
  CHECK(stat_in("/copied/sub/b.txt") == "600 0:0 regular file\n");
  CHECK(p.ok({"exec", "-T", "web", "busybox", "readlink", "/copied/link"}) == "a.txt\n");

  p.ok({"cp", "-a", src.string(), "web:/copied"});  // into an existing folder: as copied/src
  CHECK(stat_in("/copied/src/a.txt") == "640 1234:5678 regular file\n");

  p.ok({"cp", (src / "a.txt").string(), "web:/data/"});  // a volume: the host folder of it
  CHECK(mycompose::fs::read_file(p.r.root() / "volumes/proj_data/_data/a.txt") == "alpha\n");

  p.ok({"exec", "-T", "web", "sh", "-c", "echo gamma > /data/c.txt; busybox chmod 604 /data/c.txt; busybox chown 42:43 /data/c.txt"});
  const stdfs::path back = p.r.dir / "back";
  p.ok({"cp", "web:/copied", back.string()});
  CHECK(mycompose::fs::read_file(back / "sub/b.txt") == "beta\n");
  CHECK((lstat_of(back / "a.txt").st_mode & 07777) == 0640);
  CHECK(S_ISLNK(lstat_of(back / "link").st_mode));
  p.ok({"cp", "-a", "web:/data/c.txt", back.string()});
  CHECK(mycompose::fs::read_file(back / "c.txt") == "gamma\n");
  CHECK((lstat_of(back / "c.txt").st_mode & 07777) == 0604);
  CHECK(lstat_of(back / "c.txt").st_uid == 42);
  p.ok({"cp", "web:/data/c.txt", (back / "renamed.txt").string()});
  CHECK(lstat_of(back / "renamed.txt").st_uid == ::geteuid());

  auto missing = p.run({"cp", "web:/nope", back.string()});
  CHECK(missing.exit_code == 1);
  CHECK(missing.err == "error: Could not find the file /nope in container proj-web-1\n");
  auto dir_on_file = p.run({"cp", "web:/copied", (back / "c.txt").string()});
  CHECK(dir_on_file.err.find("cannot copy a directory to a file") != std::string::npos);
}

TEST_CASE("cli cp: tar streams out of and into a container") {
  Project p(kCompose);
  p.ok({"up", "-d"});
  const stdfs::path src = make_tree(p.r.dir / "src");
  p.ok({"cp", src.string(), "web:/tree"});

  const std::string tar = p.ok({"cp", "web:/tree", "-"});
  mycompose::fs::write_file_atomic(p.r.dir / "out.tar", tar, 0600);
  auto listing = mycompose::test::run({"tar", "-tvf", (p.r.dir / "out.tar").string()});
  CHECK(listing.out.find("tree/sub/b.txt") != std::string::npos);
  CHECK(listing.out.find("tree/link -> a.txt") != std::string::npos);

  // The tar made by the host's tar keeps its owners only with -a.
  auto host_tar = mycompose::test::run({"tar", "--owner=7", "--group=8", "-C", src.string(), "-cf", "-", "."});
  REQUIRE(host_tar.exit_code == 0);
  p.ok({"exec", "-T", "web", "busybox", "mkdir", "/untar", "/untar-a"});
  p.ok({"cp", "-", "web:/untar"}, host_tar.out);
  p.ok({"cp", "-a", "-", "web:/untar-a"}, host_tar.out);
  CHECK(p.ok({"exec", "-T", "web", "busybox", "stat", "-c", "%a %u:%g", "/untar/sub/b.txt", "/untar-a/sub/b.txt"}) ==
        "600 0:0\n600 7:8\n");

  auto escaping = mycompose::test::run({"sh", "-c", "cd " + p.r.dir.string() + " && tar -cf - --absolute-names ../" +
                                                          p.r.dir.filename().string() + "/src/a.txt"});
  auto refused = p.run({"cp", "-", "web:/untar"}, escaping.out);
  CHECK(refused.exit_code == 1);
  CHECK(refused.err.find("climbs out with ..") != std::string::npos);
}

TEST_CASE("cli cp: a symlink flipped to a host path by the container never leads outside it (CVE-2018-15664)") {
  // The host folder the container's symlink points at: a cp that resolved the path on the
  // host would read hostside/secret or write into hostside.
  char tmpl[] = "/tmp/mycompose-cp-hostside-XXXXXX";
  REQUIRE(::mkdtemp(tmpl));
  const stdfs::path hostside = tmpl;
  struct Cleanup {
    stdfs::path p;
    ~Cleanup() {
      std::error_code ec;
      stdfs::remove_all(p, ec);
    }
  } cleanup{hostside};
  mycompose::fs::write_file_atomic(hostside / "secret", "HOST\n", 0600);

  Project p(R"(services:
  web:
    image: busybox:test
    command: ["sh", "-c", "busybox mkdir -p /stage/real; echo CONTAINER > /stage/real/secret; while :; do busybox ln -sfn /stage/real /stage/link; busybox ln -sfn )" +
            hostside.string() + R"( /stage/link; done"]
)");
  p.ok({"up", "-d"});
  const stdfs::path payload = p.r.dir / "payload";
  mycompose::fs::write_file_atomic(payload, "PAYLOAD\n", 0644);
  int read_inside = 0, wrote_inside = 0;
  for (int i = 0; i < 25; ++i) {
    const stdfs::path out = p.r.dir / ("out" + std::to_string(i));
    auto r = p.run({"cp", "web:/stage/link/secret", out.string()});
    if (r.exit_code == 0) {
      CHECK(mycompose::fs::read_file(out) == "CONTAINER\n");
      ++read_inside;
    } else {
      CHECK(r.err.find("Could not find the file /stage/link/secret") != std::string::npos);
    }
    auto w = p.run({"cp", payload.string(), "web:/stage/link/"});
    if (w.exit_code == 0) ++wrote_inside;
  }
  INFO("copies that found the container's folder: " << read_inside << " out, " << wrote_inside << " in");
  CHECK(mycompose::fs::read_file(hostside / "secret") == "HOST\n");
  CHECK_FALSE(stdfs::exists(hostside / "payload"));
  // Whatever went in landed inside the container's root.
  if (wrote_inside > 0) CHECK(p.ok({"exec", "-T", "web", "cat", "/stage/real/payload"}) == "PAYLOAD\n");
}
