// Docker's health state machine on a fake clock: start period, retries, start_interval,
// reset on success, the five-entry log, the stored shape.
#include <catch2/catch.hpp>

#include "mycompose/health/state.hpp"

using namespace mycompose::health;
using namespace std::chrono_literals;

namespace {

const TimePoint t0 = TimePoint(std::chrono::seconds(1700000000));

ProbeResult result(TimePoint start, int exit_code, std::string output = "") {
  return ProbeResult{start, start + 10ms, exit_code, std::move(output)};
}

Timings timings(Duration interval, int retries, Duration start_period = 0s, Duration start_interval = 5s) {
  Timings t;
  t.interval = interval;
  t.retries = retries;
  t.start_period = start_period;
  t.start_interval = start_interval;
  return t;
}

}  // namespace

TEST_CASE("starting becomes healthy after one success") {
  HealthMachine m(timings(30s, 3), t0);
  CHECK(m.state().status == "starting");
  CHECK(m.record(result(t0 + 30s, 0, "ok\n")));
  CHECK(m.state().status == "healthy");
  CHECK(m.state().failing_streak == 0);
  CHECK_FALSE(m.record(result(t0 + 60s, 0)));  // no change: no event
}

TEST_CASE("unhealthy after retries failures in a row, and a success resets the streak") {
  HealthMachine m(timings(30s, 3), t0);
  CHECK_FALSE(m.record(result(t0 + 30s, 1)));
  CHECK_FALSE(m.record(result(t0 + 60s, 1)));
  CHECK(m.state().status == "starting");
  CHECK(m.state().failing_streak == 2);
  CHECK(m.record(result(t0 + 90s, 1)));
  CHECK(m.state().status == "unhealthy");
  CHECK(m.state().failing_streak == 3);
  CHECK_FALSE(m.record(result(t0 + 120s, 2)));  // any non-zero exit is a failure
  CHECK(m.state().failing_streak == 4);
  CHECK(m.record(result(t0 + 150s, 0)));
  CHECK(m.state().status == "healthy");
  CHECK(m.state().failing_streak == 0);
  // From healthy it again takes `retries` failures.
  CHECK_FALSE(m.record(result(t0 + 180s, 1)));
  CHECK_FALSE(m.record(result(t0 + 210s, 1)));
  CHECK(m.state().status == "healthy");
  CHECK(m.record(result(t0 + 240s, 1)));
  CHECK(m.state().status == "unhealthy");
}

TEST_CASE("failures inside the start period do not count while starting") {
  HealthMachine m(timings(30s, 2, 60s, 5s), t0);
  for (int i = 1; i <= 10; ++i) CHECK_FALSE(m.record(result(t0 + i * 5s, 1)));  // up to t0+50s
  CHECK(m.state().status == "starting");
  CHECK(m.state().failing_streak == 0);
  CHECK(m.state().log.size() == 5);  // still logged
  // The probe that starts at the end of the period counts.
  CHECK_FALSE(m.record(result(t0 + 60s, 1)));
  CHECK(m.state().failing_streak == 1);
  CHECK(m.record(result(t0 + 65s, 1)));
  CHECK(m.state().status == "unhealthy");
}

TEST_CASE("a success ends the start period: later failures count at once") {
  HealthMachine m(timings(30s, 2, 60s, 5s), t0);
  CHECK(m.record(result(t0 + 5s, 0)));
  CHECK_FALSE(m.record(result(t0 + 10s, 1)));
  CHECK(m.state().failing_streak == 1);
  CHECK(m.record(result(t0 + 15s, 1)));
  CHECK(m.state().status == "unhealthy");
}

TEST_CASE("probes come every start_interval during the start period while starting, else every interval") {
  HealthMachine m(timings(30s, 3, 60s, 2s), t0);
  CHECK(m.next_delay(t0) == 2s);
  CHECK(m.next_delay(t0 + 59s) == 2s);
  CHECK(m.next_delay(t0 + 60s) == 30s);
  m.record(result(t0 + 10s, 0));  // healthy: the start period is over
  CHECK(m.next_delay(t0 + 11s) == 30s);

  HealthMachine no_period(timings(30s, 3), t0);  // start_period 0: start_interval never applies
  CHECK(no_period.next_delay(t0) == 30s);
}

TEST_CASE("the log keeps the last five results") {
  HealthMachine m(timings(1s, 3), t0);
  for (int i = 0; i < 7; ++i) m.record(result(t0 + i * 1s, i % 2, "run " + std::to_string(i)));
  REQUIRE(m.state().log.size() == 5);
  CHECK(m.state().log.front().output == "run 2");
  CHECK(m.state().log.back().output == "run 6");
}

TEST_CASE("output is limited as Docker's limitedBuffer") {
  CHECK(limit_output("short") == "short");
  std::string big(5000, 'x');
  std::string l = limit_output(big);
  CHECK(l.size() == 4096 + 3);
  CHECK(l.substr(4096) == "...");
  CHECK(limit_output(std::string(4096, 'y'), true) == std::string(4096, 'y') + "...");
  CHECK(timeout_message(30s, "") == "Health check exceeded timeout (30s)");
  CHECK(timeout_message(1500ms, "partial") == "Health check exceeded timeout (1.5s): partial");
}

TEST_CASE("the stored state has Docker's inspect shape and round-trips") {
  HealthMachine m(timings(30s, 3), t0);
  m.record(ProbeResult{t0 + 1s + 250ms, t0 + 2s, 1, "no\n"});
  auto j = m.state().to_json();
  CHECK(j == nlohmann::json::parse(R"({"Status":"starting","FailingStreak":1,"Log":[
      {"Start":"2023-11-14T22:13:21.25Z","End":"2023-11-14T22:13:22Z","ExitCode":1,"Output":"no\n"}]})"));
  HealthState back = HealthState::from_json(j);
  CHECK(back.status == "starting");
  CHECK(back.failing_streak == 1);
  REQUIRE(back.log.size() == 1);
  CHECK(back.log[0].start == t0 + 1s + 250ms);
  CHECK(back.log[0].output == "no\n");
  CHECK(parse_time("2023-11-14T23:13:21.5+01:00") == t0 + 1s + 500ms);
  CHECK_FALSE(parse_time("yesterday"));
}

TEST_CASE("a resumed state carries on its streak") {
  HealthState s;
  s.status = "healthy";
  s.failing_streak = 2;
  HealthMachine m(timings(30s, 3), t0, s);
  CHECK(m.record(result(t0 + 30s, 1)));
  CHECK(m.state().status == "unhealthy");
}
