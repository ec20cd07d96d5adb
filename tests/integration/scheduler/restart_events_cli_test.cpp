// restart's dependency wait and events --since/--until, through the real binary.
#include <catch2/catch.hpp>
#include <cstdio>

#include "cli_project_fixture.hpp"

using namespace cli_project;

namespace {

// The events of `events --json` output, one object a line.
std::vector<json> event_lines(const std::string& out) {
  std::vector<json> lines;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(json::parse(line));
  return lines;
}

// "action name" of each event, in order.
std::vector<std::string> actions(const std::vector<json>& lines) {
  std::vector<std::string> out;
  for (const auto& j : lines) out.push_back(j["action"].get<std::string>() + " " + j["attributes"]["name"].get<std::string>());
  return out;
}

bool has(const std::vector<std::string>& list, const std::string& what) { return std::find(list.begin(), list.end(), what) != list.end(); }

// Unix seconds with milliseconds, as --since/--until take them.
std::string unix_now(double plus_seconds = 0) {
  timespec ts;
  ::clock_gettime(CLOCK_REALTIME, &ts);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(ts.tv_sec) + ts.tv_nsec / 1e9 + plus_seconds);
  return buf;
}

const char* const kOneService = R"(services:
  web:
    image: busybox:test
    command: ["sleep", "1000"]
)";

}  // namespace

TEST_CASE("restart: each service waits for its dependencies' conditions again, as start does") {
  // kGatedProject, with a db that forgets its /ready at each start: a restarted container
  // keeps its filesystem, and db would be healthy again at its first probe.
  std::string yaml = kGatedProject;
  const std::string before = R"("sleep 1; echo ready > /out/ready)";
  yaml.replace(pos(yaml, before), before.size(), R"("rm -f /ready; sleep 1; echo ready > /out/ready)");
  Project p(yaml);
  REQUIRE(p.run({"up", "-d"}).exit_code == 0);
  REQUIRE(wait_for_file(p.out / "app-saw") == "ready\nseeded\n");
  // What db and seed write on their next run, and what app reads from them then.
  for (const char* f : {"ready", "seed", "app-saw"}) stdfs::remove(p.out / f);
  auto restart = p.run({"restart"});
  INFO(restart.err);
  REQUIRE(restart.exit_code == 0);
  CHECK(pos(restart.err, "Container proj-db-1  Healthy") < pos(restart.err, "Container proj-app-1  Started"));
  CHECK(pos(restart.err, "Container proj-seed-1  Exited") < pos(restart.err, "Container proj-app-1  Started"));
  // app restarted only once db was healthy and seed had completed again.
  CHECK(wait_for_file(p.out / "app-saw") == "ready\nseeded\n");
}

TEST_CASE("restart: a dependency that fails its condition fails restart with compose's message") {
  Project p(R"(services:
  job:
    image: busybox:test
    command: ["sh", "-c", "test -e /out/fail && exit 3; exit 0"]
    volumes: ["@OUT@:/out"]
  app:
    image: busybox:test
    depends_on:
      job: {condition: service_completed_successfully}
    command: ["sleep", "1000"]
)");
  REQUIRE(p.run({"up", "-d"}).exit_code == 0);
  mycompose::fs::write_file_atomic(p.out / "fail", "x");
  auto restart = p.run({"restart"});
  CHECK(restart.exit_code == 1);
  // docker compose reports a failed one-shot in its own words, without "dependency failed to start".
  CHECK(restart.err.find("error: service \"job\" didn't complete successfully: exit 3") != std::string::npos);
}

TEST_CASE("events: --since replays the engine's recent events of the project, --until in the past ends at once") {
  Project p(kOneService);
  REQUIRE(p.run({"up", "-d"}).exit_code == 0);
  REQUIRE(p.run({"stop", "web"}).exit_code == 0);
  const std::string between = unix_now();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  REQUIRE(p.run({"start", "web"}).exit_code == 0);
  REQUIRE(p.run({"kill", "-s", "SIGWINCH", "web"}).exit_code == 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the kill event reaches the bus from the worker
  const std::string after = unix_now();

  // Everything from the last minute, up to now: returns by itself.
  auto all = p.run({"events", "--json", "--since", "1m", "--until", after});
  INFO(all.err);
  REQUIRE(all.exit_code == 0);
  const auto every = actions(event_lines(all.out));
  INFO(all.out);
  CHECK(has(every, "stop proj-web-1"));
  CHECK(has(every, "kill proj-web-1"));
  // In order: the stop came before the kill.
  CHECK(std::find(every.begin(), every.end(), "stop proj-web-1") < std::find(every.begin(), every.end(), "kill proj-web-1"));

  // From between the stop and the start on: the kill, not the stop.
  auto later = p.run({"events", "--json", "--since", between, "--until", after});
  REQUIRE(later.exit_code == 0);
  const auto some = actions(event_lines(later.out));
  INFO(later.out);
  CHECK_FALSE(has(some, "stop proj-web-1"));
  CHECK(has(some, "kill proj-web-1"));

  // The plain line format, RFC 3339 --since.
  auto plain = p.run({"events", "--since", "2000-01-01T00:00:00Z", "--until", after});
  REQUIRE(plain.exit_code == 0);
  CHECK(plain.out.find(" container kill ") != std::string::npos);
  CHECK(plain.out.find("name=proj-web-1") != std::string::npos);

  auto bad = p.run({"events", "--since", "yesterday"});
  CHECK(bad.exit_code == 1);
  CHECK(bad.err.find("invalid value for \"since\"/\"until\": \"yesterday\"") != std::string::npos);
}

TEST_CASE("events: --until in the future streams live events and ends at that time") {
  Project p(kOneService);
  REQUIRE(p.run({"up", "-d"}).exit_code == 0);
  Background events(p, {"events", "--json", "--until", unix_now(3)}, "events");
  // The follower is subscribed once an event it caused is seen: repeat a harmless kill until then.
  std::string out;
  for (int i = 0; i < 25 && out.find("\"kill\"") == std::string::npos; ++i) {
    REQUIRE(p.run({"kill", "-s", "SIGWINCH", "web"}).exit_code == 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    out = events.out();
  }
  CHECK(out.find("\"kill\"") != std::string::npos);
  // It ends by itself, soon after the 3 s.
  for (int i = 0; i < 100 && events.running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  REQUIRE_FALSE(events.running());
  CHECK(events.exit_code == 0);
  INFO(events.err());
  for (const auto& j : event_lines(events.out())) CHECK(j["attributes"]["name"] == "proj-web-1");
}
