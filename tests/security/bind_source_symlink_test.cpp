// Class: a bind source swapped for a symlink (issue 14, escape 3, "bind source"; the runc
// CVE-2021-30465 family). Service a can write a host folder; service b binds a folder below
// it. a replaces a folder on b's source path with a symlink to elsewhere on the host, then b
// starts again (`restart`) or is recreated. b must get an error naming the source, never the
// host folder the link points at. A symlink the user wrote in a path no container can write
// (as /var/run → /run) keeps working, as in Docker.
#include "mount_bait.hpp"

using namespace mount_attack;

namespace {

// a: the host folder shared/ at /shared (read-write); b: shared/x/data at /data.
std::string compose(const Bait& bait, const stdfs::path& shared) {
  return "services:\n"
         "  a:\n"
         "    image: busybox:test\n"
         "    command: [sleep, \"1000\"]\n"
         "    volumes: [\"" + shared.string() + ":/shared\"]\n"
         "  b:\n"
         "    image: busybox:test\n"
         "    command: " + probe_command("b", {"/data/marker"}, "exec sleep 1000") + "\n"
         "    volumes: [\"" + (shared / "x/data").string() + ":/data\", \"@OUT@:/out\"]\n";
}

struct Setup {
  Project p{""};
  Bait bait{p};
  stdfs::path shared = p.r.dir / "shared";
  Setup() {
    stdfs::create_directories(shared / "x/data");
    write_compose(p, compose(bait, shared));
    p.ok({"up", "-d"});
    REQUIRE(wait_for_file(p.out / "b") == "VOLUME\n");
    // a turns x into a link to the bait, which has data/marker.
    p.ok({"exec", "-T", "a", "sh", "-c", "busybox rm -rf /shared/x && busybox ln -s '" + bait.dir.string() + "' /shared/x"});
  }
};

}  // namespace

TEST_CASE("security: a bind source whose folder a container swapped for a link is refused on restart") {
  Setup s;
  auto r = s.p.run({"restart", "b"});
  INFO("restart b: exit " << r.exit_code << "\n" << r.out << r.err);
  CHECK(r.exit_code != 0);
  CHECK(r.err.find((s.shared / "x").string() + "\" is a symbolic link") != std::string::npos);
  CHECK(lines_of(s.p.out / "b") == std::vector<std::string>{"VOLUME"});
}

TEST_CASE("security: a recreate refuses a bind source through a link a container could have made") {
  Setup s;
  auto r = s.p.run({"up", "-d", "--force-recreate", "b"});
  INFO("up --force-recreate b: exit " << r.exit_code << "\n" << r.out << r.err);
  CHECK(r.exit_code != 0);
  CHECK(r.err.find("service \"b\"") != std::string::npos);
  CHECK(r.err.find((s.shared / "x").string()) != std::string::npos);
  CHECK(lines_of(s.p.out / "b") == std::vector<std::string>{"VOLUME"});
}

TEST_CASE("security: a bind source through a link the user made still works, across restarts") {
  Project p("");
  const stdfs::path real = p.r.dir / "real", link = p.r.dir / "link";
  stdfs::create_directories(real / "data");
  mycompose::fs::write_file_atomic(real / "data/marker", "mine\n");
  stdfs::create_directory_symlink("real", link);
  write_compose(p,
                                   "services:\n"
                                   "  b:\n"
                                   "    image: busybox:test\n"
                                   "    command: " + probe_command("b", {"/data/marker"}, "exec sleep 1000") + "\n"
                                   "    volumes: [\"" + (link / "data").string() + ":/data\", \"@OUT@:/out\"]\n");
  p.ok({"up", "-d"});
  REQUIRE(wait_for_file(p.out / "b") == "HOST\n");  // here the "bait" is the user's own folder
  p.ok({"restart", "b"});
  wait_probe_or_failed_restart(p, p.out / "b", 1, log_size(p));
  CHECK(lines_of(p.out / "b") == std::vector<std::string>{"HOST", "HOST"});
}
