// Torn and garbage state records (what a crash before fsync, a full disk or a stray write
// leaves): one bad file must not stop commands of every project, hide a running container or
// make `down` fail. Each record is emptied or filled with garbage under a running engine; the
// commands go on, the container stays visible and removable, the record is moved aside
// (<file>.corrupt-<time>) and `system check` lists it.
#include <algorithm>

#include "cli_project_fixture.hpp"

using namespace store_test;
using nlohmann::json;

namespace {

const char* const kOneService = R"(services:
  web:
    image: busybox:test
    command: ["sleep", "1000"]
)";

void overwrite(const stdfs::path& file, const std::string& content) {
  REQUIRE(stdfs::exists(file));
  // In place, as a torn write leaves it (not through the atomic writer).
  std::FILE* f = std::fopen(file.c_str(), "w");
  REQUIRE(f != nullptr);
  std::fwrite(content.data(), 1, content.size(), f);
  std::fclose(f);
}

// Files named <name>.corrupt-* in folder.
std::vector<stdfs::path> moved_aside(const stdfs::path& folder, const std::string& name) {
  std::vector<stdfs::path> out;
  std::error_code ec;
  for (const auto& e : stdfs::directory_iterator(folder, ec))
    if (e.path().filename().string().rfind(name + ".corrupt-", 0) == 0) out.push_back(e.path());
  return out;
}

pid_t init_pid(const cli_project::Project& p, const std::string& name) {
  auto store = p.store();
  auto c = store.find(name);
  REQUIRE(c);
  return store.state(c->id).pid;
}

bool alive(pid_t pid) { return pid > 0 && ::kill(pid, 0) == 0; }

}  // namespace

TEST_CASE("torn records: an empty container.json hides nothing: ps shows the running container, up starts no second one, down removes it") {
  cli_project::Project p(kOneService);
  p.ok({"up", "-d"});
  const auto dir = p.container_dir("proj-web-1");
  REQUIRE_FALSE(dir.empty());
  const std::string id = dir.filename().string();
  const pid_t pid = init_pid(p, "proj-web-1");
  overwrite(dir / "container.json", "");

  auto ps = p.ps();
  REQUIRE(ps.count("proj-web-1") == 1);
  CHECK(ps["proj-web-1"]["State"] == "running");
  CHECK(ps["proj-web-1"]["ID"].get<std::string>().rfind(id.substr(0, 12), 0) == 0);
  CHECK(moved_aside(dir, "container.json").size() == 1);

  p.ok({"up", "-d"});
  ps = p.ps();
  CHECK(ps.size() == 1);
  CHECK(init_pid(p, "proj-web-1") == pid);

  auto check = mycompose::test::system_check(p.r.root());
  INFO(check.out);
  CHECK(check.exit_code == 1);
  CHECK(check.out.find("container.json.corrupt-") != std::string::npos);

  auto down = p.run({"down", "-v", "-t", "0"});
  INFO(down.err);
  CHECK(down.exit_code == 0);
  CHECK_FALSE(alive(pid));
  CHECK_FALSE(stdfs::exists(dir));
  p.finish();
}

TEST_CASE("torn records: an empty runtime state.json: ps shows the container running and down removes it") {
  cli_project::Project p(kOneService);
  p.ok({"up", "-d"});
  const auto dir = p.container_dir("proj-web-1");
  REQUIRE_FALSE(dir.empty());
  const std::string id = dir.filename().string();
  const pid_t pid = init_pid(p, "proj-web-1");
  const auto runtime_dir = p.r.root() / "runtime" / id;
  overwrite(runtime_dir / "state.json", "");

  auto ps = p.ps();
  REQUIRE(ps.count("proj-web-1") == 1);
  CHECK(ps["proj-web-1"]["State"] == "running");
  CHECK(moved_aside(runtime_dir, "state.json").size() == 1);
  CHECK(init_pid(p, "proj-web-1") == pid);  // found again in the container's cgroup

  auto check = mycompose::test::system_check(p.r.root());
  INFO(check.out);
  CHECK(check.exit_code == 1);
  CHECK(check.out.find("state.json.corrupt-") != std::string::npos);
  // The container itself is live state, not a leak.
  CHECK(check.out.find("process ") == std::string::npos);
  CHECK(check.out.find("cgroup ") == std::string::npos);

  auto down = p.run({"down", "-v", "-t", "0"});
  INFO(down.err);
  CHECK(down.exit_code == 0);
  CHECK_FALSE(alive(pid));
  CHECK_FALSE(stdfs::exists(runtime_dir));
  p.finish();
}

TEST_CASE("torn records: an empty network record stops no project: ps, up and network ls go on, down and check --fix leave nothing") {
  cli_project::Project p(kOneService);
  p.ok({"up", "-d"});
  // An unrelated project on the same engine.
  const auto other_dir = p.r.dir / "other";
  stdfs::create_directories(other_dir);
  mycompose::fs::write_file_atomic(other_dir / "compose.yaml", R"(services:
  api:
    image: busybox:test
    command: ["sleep", "1000"]
)");
  cli_project::Cli other(p.r.root(), other_dir);
  other.ok({"up", "-d"});

  std::optional<stdfs::path> record;
  for (const auto& e : stdfs::directory_iterator(p.r.root() / "networks"))
    if (e.path().extension() == ".json" && mycompose::fs::read_file(e.path()).find("\"proj_default\"") != std::string::npos)
      record = e.path();
  REQUIRE(record);
  overwrite(*record, "");

  auto ps = other.run({"ps", "--format", "json"});
  INFO(ps.err);
  CHECK(ps.exit_code == 0);
  CHECK(ps.out.find("other-api-1") != std::string::npos);
  auto up = other.run({"up", "-d"});
  INFO(up.err);
  CHECK(up.exit_code == 0);
  auto ls = other.run({"network", "ls"});
  INFO(ls.err);
  CHECK(ls.exit_code == 0);
  CHECK(ls.out.find("other_default") != std::string::npos);
  CHECK(p.ps()["proj-web-1"]["State"] == "running");
  CHECK(moved_aside(record->parent_path(), record->filename().string()).size() == 1);

  auto check = mycompose::test::system_check(p.r.root());
  INFO(check.out);
  CHECK(check.exit_code == 1);
  CHECK(check.out.find(record->filename().string() + ".corrupt-") != std::string::npos);

  // down cannot know the bridge any more; check reports it and --fix takes it away.
  auto down = p.run({"down", "-v", "-t", "0"});
  INFO(down.err);
  CHECK(down.exit_code == 0);
  other.ok({"down", "-v", "-t", "0"});
  p.stop_engine();
  auto fix = mycompose::test::system_check(p.r.root(), true);
  INFO(fix.out);
  CHECK(fix.exit_code == 0);
  p.finish();
}

TEST_CASE("torn records: garbage images.json: image ls, ps and down go on, the images stay, check reports the record") {
  cli_project::Project p(kOneService);
  p.ok({"up", "-d"});
  const auto before = json::parse(p.ok({"image", "inspect", "busybox:test"}));
  const std::string image_id = (before.is_array() ? before.at(0) : before).at("Id").get<std::string>();
  overwrite(p.r.root() / "images.json", "{\"refs\": {\"busybox:test\"");

  auto images = p.run({"image", "ls", "-a", "-q", "--no-trunc"});
  INFO(images.err);
  CHECK(images.exit_code == 0);
  CHECK(images.out.find(image_id) != std::string::npos);  // rebuilt from the content store
  CHECK(p.ps()["proj-web-1"]["State"] == "running");
  CHECK(moved_aside(p.r.root(), "images.json").size() == 1);

  auto check = mycompose::test::system_check(p.r.root());
  INFO(check.out);
  CHECK(check.exit_code == 1);
  CHECK(check.out.find("images.json.corrupt-") != std::string::npos);

  auto down = p.run({"down", "-v", "-t", "0"});
  INFO(down.err);
  CHECK(down.exit_code == 0);
  p.stop_engine();
  CHECK(mycompose::test::system_check(p.r.root(), true).exit_code == 0);
  p.finish();
}

TEST_CASE("torn records: garbage health and supervisor records: the next engine adopts the container and its healthcheck") {
  cli_project::Project p(R"(services:
  db:
    image: busybox:test
    command: ["sh", "-c", "touch /healthy; exec sleep 1000"]
    healthcheck: {test: ["CMD", "cat", "/healthy"], interval: 200ms, retries: 1}
    restart: always
)");
  p.ok({"up", "-d", "--wait", "--wait-timeout", "30"});
  const auto dir = p.container_dir("proj-db-1");
  const std::string id = dir.filename().string();
  p.stop_engine();  // the next engine reads both records when it adopts the container
  overwrite(dir / "health.json", "\x01\x02garbage");
  overwrite(p.r.root() / "supervisor" / (id + ".json"), "[1, 2");

  std::string health;
  for (int i = 0; i < 100 && health != "healthy"; ++i) {
    health = p.ps()["proj-db-1"].value("Health", "");
    if (health != "healthy") std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(health == "healthy");
  CHECK(moved_aside(p.r.root() / "supervisor", id + ".json").size() == 1);

  auto check = mycompose::test::system_check(p.r.root());
  INFO(check.out);
  CHECK(check.out.find(id + ".json.corrupt-") != std::string::npos);

  // The moved-aside copies are kept until check --fix takes them.
  p.ok({"down", "-v", "-t", "0"});
  p.stop_engine();
  auto fix = mycompose::test::system_check(p.r.root(), true);
  INFO(fix.out);
  CHECK(fix.exit_code == 0);
  p.finish();
}
