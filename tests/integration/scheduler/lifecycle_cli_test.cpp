// The lifecycle commands through the real binary and its engine: create/start/stop/restart
// keep container ids and states, kill delivers the signal, pause/unpause freeze, rm -f -s -v,
// ps/ls/top/stats output, wait's exit code, and two CLIs on one project taking turns.
#include <regex>

#include "cli_project_fixture.hpp"

using namespace cli_project;

namespace {

const char* kTwoServices = R"(services:
  db:
    image: busybox:test
    command: ["sleep", "1000"]
  web:
    image: busybox:test
    depends_on: [db]
    command: ["sleep", "1000"]
)";

}  // namespace

TEST_CASE("lifecycle: create, start, stop and restart keep the containers and order them by dependency") {
  Project p(kTwoServices);
  auto create = p.run({"create"});
  INFO(create.err);
  REQUIRE(create.exit_code == 0);
  CHECK(pos(create.err, "Container proj-db-1  Created") < pos(create.err, "Container proj-web-1  Created"));
  auto created = p.ps();
  REQUIRE(created.size() == 2);
  CHECK(created["proj-db-1"]["State"] == "created");
  CHECK(created["proj-db-1"]["Status"] == "Created");
  const std::string db_id = created["proj-db-1"]["ID"], web_id = created["proj-web-1"]["ID"];

  auto start = p.run({"start"});
  INFO(start.err);
  REQUIRE(start.exit_code == 0);
  CHECK(pos(start.err, "Container proj-db-1  Started") < pos(start.err, "Container proj-web-1  Started"));
  auto running = p.ps();
  CHECK(running["proj-db-1"]["ID"] == db_id);
  CHECK(running["proj-web-1"]["ID"] == web_id);
  CHECK(running["proj-web-1"]["State"] == "running");
  CHECK(std::regex_match(running["proj-web-1"]["Status"].get<std::string>(), std::regex("Up (Less than a second|[0-9]+ seconds?)")));

  auto stop = p.run({"stop", "-t", "1"});
  INFO(stop.err);
  REQUIRE(stop.exit_code == 0);
  CHECK(pos(stop.err, "Container proj-web-1  Stopped") < pos(stop.err, "Container proj-db-1  Stopped"));  // dependents first
  auto stopped = p.ps();
  CHECK(stopped["proj-web-1"]["ID"] == web_id);
  CHECK(stopped["proj-web-1"]["State"] == "exited");
  const int code = stopped["proj-web-1"]["ExitCode"];
  CHECK(stopped["proj-web-1"]["Status"].get<std::string>().rfind("Exited (" + std::to_string(code) + ") ", 0) == 0);
  auto only_running = p.run({"ps", "-q"});
  CHECK(only_running.out.empty());

  auto restart = p.run({"restart", "-t", "1"});
  INFO(restart.err);
  REQUIRE(restart.exit_code == 0);
  CHECK(restart.err.find("Stopped") == std::string::npos);  // docker compose prints only the starts
  CHECK(pos(restart.err, "Container proj-db-1  Started") < pos(restart.err, "Container proj-web-1  Started"));
  auto again = p.ps();
  CHECK(again["proj-db-1"]["ID"] == db_id);
  CHECK(again["proj-web-1"]["ID"] == web_id);
  CHECK(again["proj-db-1"]["State"] == "running");
  CHECK(again["proj-web-1"]["State"] == "running");

  // Only the named service: stop web leaves db running; start web does not need db started.
  REQUIRE(p.run({"stop", "-t", "1", "web"}).exit_code == 0);
  auto one = p.ps();
  CHECK(one["proj-web-1"]["State"] == "exited");
  CHECK(one["proj-db-1"]["State"] == "running");

  auto unknown = p.run({"start", "nosuch"});
  CHECK(unknown.exit_code == 1);
  CHECK(unknown.err.find("no such service: nosuch") != std::string::npos);
}

TEST_CASE("lifecycle: start waits for service_healthy and service_completed_successfully, as up does") {
  Project p(kGatedProject);
  REQUIRE(p.run({"create"}).exit_code == 0);
  auto start = p.run({"start"});
  INFO(start.err);
  REQUIRE(start.exit_code == 0);
  CHECK(pos(start.err, "Container proj-db-1  Healthy") < pos(start.err, "Container proj-app-1  Started"));
  CHECK(pos(start.err, "Container proj-seed-1  Exited") < pos(start.err, "Container proj-app-1  Started"));
  // app's first act read what both wrote just before their conditions held.
  CHECK(wait_for_file(p.out / "app-saw") == "ready\nseeded\n");
}

TEST_CASE("lifecycle: kill -s SIGUSR1 reaches the process, kill stops it with SIGKILL") {
  Project p(R"(services:
  web:
    image: busybox:test
    volumes: ["@OUT@:/out"]
    command: ["sh", "-c", "trap 'echo got >> /out/usr1' USR1; while true; do sleep 0.1; done"]
)");
  REQUIRE(p.run({"up", "-d"}).exit_code == 0);
  auto bad = p.run({"kill", "-s", "SIGNOPE"});
  CHECK(bad.exit_code == 1);
  CHECK(bad.err == "error: invalid signal \"SIGNOPE\"\n");

  auto usr1 = p.run({"kill", "-s", "SIGUSR1"});
  INFO(usr1.err);
  REQUIRE(usr1.exit_code == 0);
  CHECK(usr1.err.find("Container proj-web-1  Killed") != std::string::npos);
  CHECK(wait_for_file(p.out / "usr1") == "got\n");
  CHECK(p.ps()["proj-web-1"]["State"] == "running");

  REQUIRE(p.run({"kill"}).exit_code == 0);
  CHECK(p.wait_state("proj-web-1", "exited") == "exited");
  CHECK(p.ps()["proj-web-1"]["ExitCode"] == 137);
  CHECK(p.ps()["proj-web-1"]["Status"].get<std::string>().rfind("Exited (137)", 0) == 0);
}

TEST_CASE("lifecycle: kill leaves a restart: always container exited, as docker compose does") {
  Project p(R"(services:
  web:
    image: busybox:test
    volumes: ["@OUT@:/out"]
    command: ["sh", "-c", "echo run >> /out/runs; exec sleep 1000"]
    restart: always
)");
  REQUIRE(p.run({"up", "-d"}).exit_code == 0);
  auto runs = [&] {
    const std::string text = wait_for_file(p.out / "runs");
    return std::count(text.begin(), text.end(), '\n');
  };
  auto wait_runs = [&](long n) {
    for (int i = 0; i < 200 && runs() < n; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    return runs();
  };
  REQUIRE(wait_runs(1) == 1);
  // The policy is live: the init killed from outside the engine comes back.
  const pid_t init = p.store().state(p.ps()["proj-web-1"]["ID"]).pid;
  REQUIRE(::kill(init, SIGKILL) == 0);
  REQUIRE(wait_runs(2) == 2);
  REQUIRE(p.wait_state("proj-web-1", "running") == "running");

  auto kill = p.run({"kill"});
  INFO(kill.err);
  REQUIRE(kill.exit_code == 0);
  CHECK(p.wait_state("proj-web-1", "exited") == "exited");
  // Well past the restart backoff (200 ms after one restart): still down, never run again.
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  CHECK(p.ps()["proj-web-1"]["State"] == "exited");
  CHECK(runs() == 2);
  // start brings it back, under its policy again.
  REQUIRE(p.run({"start"}).exit_code == 0);
  CHECK(wait_runs(3) == 3);
}

TEST_CASE("lifecycle: pause freezes the containers, unpause thaws them") {
  Project p(kTwoServices);
  REQUIRE(p.run({"up", "-d"}).exit_code == 0);
  auto pause = p.run({"pause", "web"});
  INFO(pause.err);
  REQUIRE(pause.exit_code == 0);
  CHECK(pause.err.find("Container proj-web-1  Paused") != std::string::npos);
  auto paused = p.ps();
  CHECK(paused["proj-web-1"]["State"] == "paused");
  CHECK(std::regex_match(paused["proj-web-1"]["Status"].get<std::string>(), std::regex("Up .* \\(Paused\\)")));
  CHECK(paused["proj-db-1"]["State"] == "running");
  ContainerStore store(p.r.root());
  CHECK(store.state(paused["proj-web-1"]["ID"]).status == "paused");

  auto unpause = p.run({"unpause"});
  INFO(unpause.err);
  REQUIRE(unpause.exit_code == 0);
  CHECK(unpause.err.find("Container proj-web-1  Unpaused") != std::string::npos);
  CHECK(unpause.err.find("proj-db-1") == std::string::npos);  // was not paused
  CHECK(p.ps()["proj-web-1"]["State"] == "running");
  CHECK(store.state(paused["proj-web-1"]["ID"]).status == "running");
}

TEST_CASE("lifecycle: rm asks, removes only stopped containers, -s stops them, -v takes anonymous volumes") {
  Project p(R"(services:
  web:
    image: busybox:test
    command: ["sleep", "1000"]
    volumes: ["/data"]
)");
  REQUIRE(p.run({"up", "-d"}).exit_code == 0);
  auto anonymous = [&] {
    int n = 0;
    for (const auto& e : stdfs::directory_iterator(p.r.root() / "volumes"))
      n += e.path().filename().string().size() == 64;
    return n;
  };
  REQUIRE(anonymous() == 1);

  auto running = p.run({"rm", "-f"});
  CHECK(running.exit_code == 0);
  CHECK(running.err == "No stopped containers\n");
  CHECK(p.ps().count("proj-web-1") == 1);

  REQUIRE(p.run({"stop", "-t", "0"}).exit_code == 0);
  auto no = p.run({"rm"}, "n\n");
  CHECK(no.exit_code == 0);
  CHECK(no.out == "Going to remove proj-web-1\nAre you sure? [yN] ");
  CHECK(p.ps().count("proj-web-1") == 1);

  REQUIRE(p.run({"start"}).exit_code == 0);
  auto rm = p.run({"rm", "-f", "-s", "-v"});
  INFO(rm.err);
  REQUIRE(rm.exit_code == 0);
  CHECK(rm.out == "Going to remove proj-web-1\n");
  CHECK(rm.err.find("Container proj-web-1  Removed") != std::string::npos);
  CHECK(p.ps().empty());
  CHECK(anonymous() == 0);
}

TEST_CASE("lifecycle: ps json fields, table, filters and health, top and stats") {
  Project p(kTwoServices);
  REQUIRE(p.run({"up", "-d"}).exit_code == 0);
  auto all = p.ps();
  REQUIRE(all.size() == 2);
  const json& web = all["proj-web-1"];
  CHECK(web["Service"] == "web");
  CHECK(web["Project"] == "proj");
  CHECK(web["Image"] == "busybox:test");
  CHECK(web["Command"] == "\"sleep 1000\"");
  CHECK(web["Networks"] == "proj_default");
  CHECK(web["ExitCode"] == 0);
  CHECK(web["Health"] == "");
  CHECK(web["ID"].get<std::string>().size() == 64);
  CHECK(web["Labels"].get<std::string>().find("com.docker.compose.project=proj") != std::string::npos);
  CHECK(std::regex_match(web["RunningFor"].get<std::string>(), std::regex("(Less than a second|[0-9]+ seconds?) ago")));
  CHECK(std::regex_match(web["CreatedAt"].get<std::string>(), std::regex("[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} \\+0000 UTC")));

  // The health module's record shows in the status.
  mycompose::fs::write_file_atomic(p.r.root() / "containers" / web["ID"].get<std::string>() / "health.json",
                                   R"({"Status": "healthy", "FailingStreak": 0, "Log": []})", 0600);
  auto healthy = p.ps()["proj-web-1"];
  CHECK(healthy["Health"] == "healthy");
  CHECK(std::regex_match(healthy["Status"].get<std::string>(), std::regex("Up .* \\(healthy\\)")));

  auto table = p.run({"ps"});
  REQUIRE(table.exit_code == 0);
  CHECK(table.out.rfind("NAME         IMAGE          COMMAND        SERVICE   CREATED", 0) == 0);
  CHECK(table.out.find("\nproj-db-1    busybox:test   \"sleep 1000\"   db        ") != std::string::npos);

  auto services = p.run({"ps", "--services"});
  CHECK(services.out == "db\nweb\n");
  auto quiet = p.run({"ps", "-q", "web"});
  CHECK(quiet.out == web["ID"].get<std::string>() + "\n");
  REQUIRE(p.run({"stop", "-t", "0", "web"}).exit_code == 0);
  CHECK(p.run({"ps", "--services", "--status", "exited"}).out == "web\n");
  CHECK(p.run({"ps", "--services", "--filter", "status=running"}).out == "db\n");
  CHECK(p.run({"ps", "--services"}).out == "db\n");

  auto top = p.run({"top"});
  INFO(top.err);
  REQUIRE(top.exit_code == 0);
  CHECK(top.out.rfind("proj-db-1\nUID    PID", 0) == 0);
  CHECK(std::regex_search(top.out, std::regex("\nroot +[0-9]+ +[0-9]+ +[0-9]+ +[0-9:A-Za-z]+ +\\? +[0-9:]{8} +sleep 1000\n")));

  auto stats = p.run({"stats", "--no-stream", "--format", "json"});
  INFO(stats.err);
  REQUIRE(stats.exit_code == 0);
  json s = json::parse(stats.out.substr(0, stats.out.find('\n')));
  CHECK(s["Name"] == "proj-db-1");
  CHECK(s["PIDs"] == "2");  // our init and sleep
  CHECK(std::regex_match(s["CPUPerc"].get<std::string>(), std::regex("[0-9]+\\.[0-9]{2}%")));
  CHECK(std::regex_match(s["MemUsage"].get<std::string>(), std::regex("[0-9.]+[KMG]?i?B / [0-9.]+[KMG]i?B")));
  auto stats_table = p.run({"stats", "--no-stream"});
  CHECK(stats_table.out.rfind("CONTAINER ID   NAME        CPU %     MEM USAGE / LIMIT", 0) == 0);  // only proj-db-1 runs
}

TEST_CASE("lifecycle: ls lists the project from its labels, wait returns the first exit code") {
  Project p(R"(services:
  job:
    image: busybox:test
    command: ["sh", "-c", "sleep 1; exit 3"]
  idle:
    image: busybox:test
    command: ["sleep", "1000"]
)");
  REQUIRE(p.run({"up", "-d"}).exit_code == 0);
  auto ls = p.run({"ls", "--format", "json"});
  REQUIRE(ls.exit_code == 0);
  json projects = json::parse(ls.out);
  REQUIRE(projects.size() == 1);
  CHECK(projects[0]["Name"] == "proj");
  CHECK(projects[0]["ConfigFiles"] == (p.dir / "compose.yaml").string());
  CHECK(projects[0]["Status"].get<std::string>().find("running(") != std::string::npos);

  auto wait = p.run({"wait", "job"});
  INFO(wait.err);
  CHECK(wait.exit_code == 3);
  CHECK(wait.out == "3\n");
  CHECK(p.run({"ls", "-q"}).out == "proj\n");
  auto table = p.run({"ls"});
  CHECK(table.out == "NAME                STATUS                  CONFIG FILES\nproj                exited(1), running(1)   " +
                         (p.dir / "compose.yaml").string() + "\n");

  REQUIRE(p.run({"stop", "-t", "0"}).exit_code == 0);
  CHECK(p.run({"ls", "-q"}).out.empty());  // no running container
  CHECK(p.run({"ls", "-a", "-q"}).out == "proj\n");
}

TEST_CASE("lifecycle: events follows the project's container events") {
  Project p(kTwoServices);
  REQUIRE(p.run({"up", "-d"}).exit_code == 0);
  Background events(p, {"events", "--json"}, "events");
  // The follower is subscribed once an event it caused is seen: repeat a harmless kill until then.
  std::string out;
  for (int i = 0; i < 100 && out.find("\"kill\"") == std::string::npos; ++i) {
    REQUIRE(p.run({"kill", "-s", "SIGWINCH", "web"}).exit_code == 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    out = events.out();
  }
  REQUIRE(p.run({"pause", "db"}).exit_code == 0);
  for (int i = 0; i < 100 && out.find("\"pause\"") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    out = events.out();
  }
  events.stop();
  std::istringstream in(out);
  std::vector<json> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(json::parse(line));
  REQUIRE(!lines.empty());
  CHECK(lines.front()["action"] == "kill");
  CHECK(lines.front()["service"] == "web");
  CHECK(lines.front()["type"] == "container");
  CHECK(lines.front()["attributes"]["name"] == "proj-web-1");
  CHECK(lines.front()["attributes"]["signal"] == "28");
  CHECK(lines.back()["action"] == "pause");
  CHECK(lines.back()["attributes"]["name"] == "proj-db-1");
}

TEST_CASE("lifecycle: two CLIs on one project take turns, two projects run side by side") {
  // slow ignores SIGTERM, so `stop -t 30` holds the project for as long as the test lets it.
  Project p(R"(services:
  slow:
    image: busybox:test
    command: ["sh", "-c", "trap '' TERM; while true; do sleep 0.1; done"]
  web:
    image: busybox:test
    depends_on: [slow]
    command: ["sleep", "1000"]
)");
  REQUIRE(p.run({"up", "-d"}).exit_code == 0);
  const std::string slow_id = p.ps()["proj-slow-1"]["ID"];

  Background stop(p, {"stop", "-t", "30"}, "stop");
  // web (the dependent) goes first; slow then waits out its grace period inside `stop`.
  REQUIRE(p.wait_state("proj-web-1", "exited") == "exited");
  Background up(p, {"up", "-d"}, "up");

  // Another project on the same engine is not held up meanwhile.
  const stdfs::path other = p.r.dir / "other";
  stdfs::create_directories(other);
  mycompose::fs::write_file_atomic(other / "compose.yaml", "services:\n  solo:\n    image: busybox:test\n    command: [\"sleep\", \"1000\"]\n");
  auto o = p.o;
  o.cwd = other.string();
  auto other_up = mycompose::test::run({mycompose::test::mycompose_bin(), "up", "-d"}, o);
  INFO(other_up.err);
  CHECK(other_up.exit_code == 0);
  CHECK(stop.running());  // the first project's stop is still waiting for slow
  CHECK(up.running());    // and its up waits behind it
  CHECK(p.ps()["proj-slow-1"]["State"] == "running");

  // End slow's grace period: kill its processes from here, as the engine does after 30 s.
  ContainerStore store(p.r.root());
  store.runtime().kill(slow_id, SIGKILL, true);
  CHECK(stop.wait() == 0);
  CHECK(up.wait() == 0);
  INFO("up:\n" << up.err() << "stop:\n" << stop.err());
  // up ran after stop had finished: it found both stopped and started both.
  CHECK(up.err().find("Container proj-slow-1  Started") != std::string::npos);
  CHECK(up.err().find("Container proj-web-1  Started") != std::string::npos);
  CHECK(p.ps()["proj-slow-1"]["State"] == "running");
  mycompose::test::run({mycompose::test::mycompose_bin(), "down", "-t", "0"}, o);
}
