// Supervision across engine restarts and restart policies, on busybox containers made by the
// runtime under the engine's root.
#include <catch2/catch.hpp>

#include "engine_helpers.hpp"

using namespace enginetest;

namespace {

// Exits with `code` on SIGTERM, runs until then.
std::vector<std::string> exits_on_term(int code) {
  return {"sh", "-c", "trap 'exit " + std::to_string(code) + "' TERM; while :; do sleep 0.05; done"};
}

void create_and_start(EngineRoot& root, const std::string& id, const std::vector<std::string>& args) {
  auto b = root.bundle(id + "-bundle", args);
  auto c = root.rt({"create", "--bundle", b.dir.string(), id});
  REQUIRE(c.status == 0);
  REQUIRE(root.rt({"start", id}).status == 0);
}

json supervised(EngineRoot& root, const std::string& id) {
  Answer a = request(root.sock(), "GET", "/supervisor/containers/" + id);
  INFO(a.body);
  REQUIRE(a.status == 200);
  return json::parse(a.body);
}

bool is_die_of(const json& ev, const std::string& id) {
  return ev["Type"] == "container" && ev["Action"] == "die" && ev["Actor"]["ID"] == id;
}

}  // namespace

TEST_CASE("kill -9 of the engine leaves containers running, and the next engine re-adopts them and sees exit codes",
          "[engine][supervisor]") {
  EngineRoot root;
  create_and_start(root, "alive", exits_on_term(7));
  create_and_start(root, "diesalone", exits_on_term(5));
  pid_t alive_pid = root.state("alive")["pid"].get<pid_t>();

  pid_t first = root.start_engine();
  CHECK(supervised(root, "alive")["status"] == "running");
  CHECK(supervised(root, "alive")["pid"] == alive_pid);
  CHECK(supervised(root, "diesalone")["status"] == "running");

  ::kill(first, SIGKILL);
  CHECK(root.wait_engine(first) == 128 + SIGKILL);
  CHECK(root.state("alive")["status"] == "running");
  CHECK(rttest::process_alive(alive_pid));

  // One container ends while no engine runs.
  pid_t lone = root.state("diesalone")["pid"].get<pid_t>();
  REQUIRE(root.rt({"kill", "diesalone", "TERM"}).status == 0);
  rttest::wait_gone(lone);
  for (int i = 0; i < 200 && root.state("diesalone")["status"] != "stopped"; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));

  root.start_engine();
  json gone = supervised(root, "diesalone");
  CHECK(gone["status"] == "exited");
  CHECK(gone["exitCode"] == 5);
  CHECK_THAT(root.log(), Catch::Contains("diesalone exited while no engine ran (exit code 5)"));
  json back = supervised(root, "alive");
  CHECK(back["status"] == "running");
  CHECK(back["pid"] == alive_pid);

  // The re-adopted one is really watched: its exit is an event with its code.
  EventStream events(root.sock(), "/events?type=container");
  REQUIRE(root.rt({"kill", "alive", "TERM"}).status == 0);
  REQUIRE(events.read_until([](const std::vector<json>& ev) {
    return std::any_of(ev.begin(), ev.end(), [](const json& e) { return is_die_of(e, "alive"); });
  }));
  auto die = std::find_if(events.events.begin(), events.events.end(), [](const json& e) { return is_die_of(e, "alive"); });
  CHECK((*die)["Actor"]["Attributes"]["exitCode"] == "7");
  CHECK(supervised(root, "alive")["exitCode"] == 7);
  CHECK(supervised(root, "alive")["status"] == "exited");
}

TEST_CASE("on-failure:3 restarts a failing container three times with doubling backoff, then leaves it", "[engine][supervisor]") {
  EngineRoot root;
  auto b = root.bundle("fails-bundle", {"sh", "-c", "exit 3"});
  REQUIRE(root.rt({"create", "--bundle", b.dir.string(), "fails"}).status == 0);
  root.start_engine();
  EventStream events(root.sock(), "/events?type=container");

  Answer w = request(root.sock(), "POST", "/supervisor/containers/fails", json{{"restart", "on-failure:3"}});
  INFO(w.body << root.log());
  REQUIRE(w.status == 200);

  auto count = [](const std::vector<json>& ev, const std::string& action) {
    return std::count_if(ev.begin(), ev.end(), [&](const json& e) { return e["Action"] == action; });
  };
  REQUIRE(events.read_until([&](const std::vector<json>& ev) { return count(ev, "die") == 4; }));
  INFO("engine log after the restarts:\n" << root.log());
  std::vector<std::string> delays, counts;
  for (const auto& e : events.events) {
    if (e["Action"] != "restart") continue;
    delays.push_back(e["Actor"]["Attributes"]["delayMs"]);
    counts.push_back(e["Actor"]["Attributes"]["restartCount"]);
  }
  CHECK(delays == std::vector<std::string>{"100", "200", "400"});
  CHECK(counts == std::vector<std::string>{"1", "2", "3"});
  for (const auto& e : events.events)
    if (e["Action"] == "die") CHECK(e["Actor"]["Attributes"]["exitCode"] == "3");

  json s = supervised(root, "fails");
  CHECK(s["status"] == "exited");
  CHECK(s["restartCount"] == 3);
  CHECK(s["exitCode"] == 3);
  CHECK(s["restartPolicy"] == "on-failure:3");
}

TEST_CASE("a container the user stopped is not restarted, even with restart: always", "[engine][supervisor]") {
  EngineRoot root;
  create_and_start(root, "steady", exits_on_term(0));
  root.start_engine();
  REQUIRE(request(root.sock(), "POST", "/supervisor/containers/steady", json{{"restart", "always"}}).status == 200);
  EventStream events(root.sock(), "/events?type=container");
  REQUIRE(request(root.sock(), "POST", "/supervisor/containers/steady/stopped").status == 204);
  REQUIRE(root.rt({"kill", "steady", "TERM"}).status == 0);
  REQUIRE(events.read_until([](const std::vector<json>& ev) { return !ev.empty() && is_die_of(ev.back(), "steady"); }));
  json s = supervised(root, "steady");
  CHECK(s["status"] == "exited");
  CHECK(s["restartCount"] == 0);
  CHECK(s["stoppedByUser"] == true);

  Answer bad = request(root.sock(), "POST", "/supervisor/containers/steady", json{{"restart", "sometimes"}});
  CHECK(bad.status == 400);
  Answer unknown = request(root.sock(), "POST", "/supervisor/containers/nosuch", json{{"restart", "no"}});
  CHECK(unknown.status == 404);
}

TEST_CASE("at engine start, restart: always brings back a container even after a user stop, as Docker's daemon does",
          "[engine][supervisor]") {
  EngineRoot root;
  create_and_start(root, "comeback", exits_on_term(0));
  pid_t first = root.start_engine();
  REQUIRE(request(root.sock(), "POST", "/supervisor/containers/comeback", json{{"restart", "always"}}).status == 200);
  REQUIRE(request(root.sock(), "POST", "/supervisor/containers/comeback/stopped").status == 204);
  {
    EventStream events(root.sock(), "/events?type=container");
    REQUIRE(root.rt({"kill", "comeback", "TERM"}).status == 0);
    REQUIRE(events.read_until([](const std::vector<json>& ev) { return !ev.empty() && is_die_of(ev.back(), "comeback"); }));
  }
  CHECK(supervised(root, "comeback")["status"] == "exited");
  REQUIRE(request(root.sock(), "POST", "/shutdown").status == 200);
  CHECK(root.wait_engine(first) == 0);

  root.start_engine();
  json s;
  for (int i = 0; i < 500; ++i) {  // polling with a safety net: the restart waits 100 ms of backoff
    s = supervised(root, "comeback");
    if (s["status"] == "running") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(s["status"] == "running");
  CHECK(s["restartCount"] == 1);
  CHECK(s["stoppedByUser"] == false);
  CHECK(root.state("comeback")["status"] == "running");
}

TEST_CASE("a container removed while it waits for its restart is no longer supervised", "[engine][supervisor]") {
  EngineRoot root;
  auto b = root.bundle("flaky-bundle", {"sh", "-c", "exit 1"});
  REQUIRE(root.rt({"create", "--bundle", b.dir.string(), "flaky"}).status == 0);
  root.start_engine();
  REQUIRE(request(root.sock(), "POST", "/supervisor/containers/flaky", json{{"restart", "on-failure"}}).status == 200);
  // Wait (polling, safety net) for a long backoff, so the removal lands between restarts.
  json s;
  for (int i = 0; i < 2000; ++i) {
    s = supervised(root, "flaky");
    if (s["status"] == "restarting" && s["nextRestartDelayMs"].get<long long>() >= 1600) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  REQUIRE(s["status"] == "restarting");
  REQUIRE(root.rt({"delete", "--force", "flaky"}).status == 0);
  EventStream events(root.sock(), "/events?type=container");
  Answer a;
  for (int i = 0; i < 1000; ++i) {  // the pending restart finds it gone
    a = request(root.sock(), "GET", "/supervisor/containers/flaky");
    if (a.status == 404) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(a.status == 404);
  CHECK_FALSE(stdfs::exists(root.dir / "supervisor" / "flaky.json"));
  CHECK_FALSE(stdfs::exists(root.runtime_root() / "flaky"));
  CHECK_THAT(root.log(), Catch::Contains("flaky was removed, no longer supervised"));
}
