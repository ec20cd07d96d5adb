// Class: a volume subpath swapped for a symlink (issue 14, escape 3; the runc
// CVE-2021-30465 family of "the mount source is looked up by name, later"). Service a has
// the whole volume `data`, service b only `volume.subpath`. a replaces the subpath, or a
// folder on its way, with a symlink out of the volume (absolute or relative), then b starts
// again: by `restart`, by its restart policy, by a recreate, or `cp` writes into it. b must
// get an error naming the volume, or see the volume's own files; never the host's.
#include "mount_bait.hpp"

using namespace mount_attack;

namespace {

std::string compose(const Bait& bait, const std::string& subpath, const std::string& b_then, const std::string& b_extra = "") {
  const std::vector<std::string> shows_bait = {"/data" + (bait.dir / "marker").string(), "/data/marker", "/data/bait/marker"};
  return "services:\n"
         "  a:\n"
         "    image: busybox:test\n"
         "    command: [sleep, \"1000\"]\n"
         "    volumes: [\"data:/vol\"]\n"
         "  b:\n"
         "    image: busybox:test\n"
         "    command: " + probe_command("b", shows_bait, b_then) + "\n"
         "    volumes:\n"
         "      - {type: volume, source: data, target: /data, volume: {subpath: " + subpath + "}}\n"
         "      - \"@OUT@:/out\"\n" + b_extra +
         "volumes:\n"
         "  data: {}\n";
}

// a up with `subpath` made in the volume, b up and seeing the volume once.
void start_both(Project& p, const std::string& subpath) {
  p.ok({"up", "-d", "a"});
  p.ok({"exec", "-T", "a", "busybox", "mkdir", "-p", "/vol/" + subpath});
  p.ok({"up", "-d", "b"});
  REQUIRE(wait_for_file(p.out / "b") == "VOLUME\n");
}

void swap(Project& p, const std::string& name, const std::string& target) {
  p.ok({"exec", "-T", "a", "sh", "-c", "busybox rm -rf /vol/" + name + " && busybox ln -s '" + target + "' /vol/" + name});
}

// After `restart b`: either it failed naming the volume, or b saw only the volume.
void check_restart(Project& p) {
  auto r = p.run({"restart", "b"});
  INFO("restart b: exit " << r.exit_code << "\n" << r.out << r.err);
  if (r.exit_code == 0) {
    wait_probe_or_failed_restart(p, p.out / "b", 1, log_size(p));
    CHECK(lines_of(p.out / "b") == std::vector<std::string>{"VOLUME", "VOLUME"});
  } else {
    CHECK(r.err.find("proj_data") != std::string::npos);
    CHECK(r.err.find("symbolic link") != std::string::npos);
    CHECK(lines_of(p.out / "b") == std::vector<std::string>{"VOLUME"});
  }
}

}  // namespace

TEST_CASE("security: a volume subpath swapped for a link to / is not followed on restart") {
  Project p("");
  Bait bait(p);
  write_compose(p, compose(bait, "sub", "exec sleep 1000"));
  start_both(p, "sub");
  swap(p, "sub", "/");
  check_restart(p);
}

TEST_CASE("security: a volume subpath swapped for a relative link out of the volume is not followed") {
  Project p("");
  Bait bait(p);
  write_compose(p, compose(bait, "sub", "exec sleep 1000"));
  start_both(p, "sub");
  swap(p, "sub", "../../../..");  // volumes/proj_data/_data/sub → the test's folder, with bait/
  check_restart(p);
}

TEST_CASE("security: a folder on a nested volume subpath swapped for a link is not followed") {
  Project p("");
  Bait bait(p);
  write_compose(p, compose(bait, "x/y", "exec sleep 1000"));
  start_both(p, "x/y");
  swap(p, "x", bait.dir.string());  // x/y → bait/y, with a marker
  check_restart(p);
}

TEST_CASE("security: a volume subpath swapped for a link is not followed when the restart policy restarts") {
  Project p("");
  Bait bait(p);
  // b exits once /out/exit exists; `restart: always` brings it back, mounting again.
  write_compose(
      p, compose(bait, "sub", "while [ ! -e /out/exit ]; do sleep 0.05; done; exit 3", "    restart: always\n"));
  start_both(p, "sub");
  swap(p, "sub", "/");
  const std::size_t from = log_size(p);
  mycompose::fs::write_file_atomic(p.out / "exit", "");
  const std::string failure = wait_probe_or_failed_restart(p, p.out / "b", 1, from);
  INFO("engine.log: " << failure);
  const auto seen = lines_of(p.out / "b");
  CHECK(std::find(seen.begin(), seen.end(), "HOST") == seen.end());
  if (seen.size() == 1) {
    CHECK(failure.find("proj_data") != std::string::npos);
    CHECK(failure.find("symbolic link") != std::string::npos);
  }
}

TEST_CASE("security: a recreate refuses a volume subpath swapped for a link") {
  Project p("");
  Bait bait(p);
  write_compose(p, compose(bait, "sub", "exec sleep 1000"));
  start_both(p, "sub");
  swap(p, "sub", "/");
  auto r = p.run({"up", "-d", "--force-recreate", "b"});
  INFO(r.out << r.err);
  CHECK(r.exit_code != 0);
  CHECK(r.err.find("service \"b\": volume \"data\": subpath \"sub\"") != std::string::npos);
  CHECK(lines_of(p.out / "b") == std::vector<std::string>{"VOLUME"});
}

TEST_CASE("security: cp into a volume subpath swapped for a link does not write through it") {
  Project p("");
  Bait bait(p);
  write_compose(p, compose(bait, "sub", "exec sleep 1000"));
  start_both(p, "sub");
  swap(p, "sub", bait.dir.string());
  mycompose::fs::write_file_atomic(p.r.dir / "dropped", "from cp\n");
  auto r = p.run({"cp", (p.r.dir / "dropped").string(), "b:/data/dropped"});
  INFO(r.out << r.err);
  CHECK_FALSE(stdfs::exists(bait.dir / "dropped"));
  if (r.exit_code != 0) CHECK(r.err.find("symbolic link") != std::string::npos);
}
