// How ps/ls/stats word a container's state: Docker's HumanDuration, state strings and sizes.
#include <catch2/catch.hpp>

#include "../../../engine/scheduler/lifecycle_status.hpp"

using namespace mycompose::scheduler;

TEST_CASE("lifecycle status: durations as Docker's units.HumanDuration words them") {
  CHECK(human_duration(0.4) == "Less than a second");
  CHECK(human_duration(1) == "1 second");
  CHECK(human_duration(59.9) == "59 seconds");
  CHECK(human_duration(60) == "About a minute");
  CHECK(human_duration(119) == "About a minute");
  CHECK(human_duration(120) == "2 minutes");
  CHECK(human_duration(3599) == "59 minutes");
  CHECK(human_duration(3600) == "About an hour");
  CHECK(human_duration(5400) == "2 hours");  // hours round
  CHECK(human_duration(47 * 3600) == "47 hours");
  CHECK(human_duration(48 * 3600) == "2 days");
  CHECK(human_duration(14 * 86400) == "2 weeks");
  CHECK(human_duration(60 * 86400) == "2 months");
  CHECK(human_duration(730 * 86400) == "2 years");
}

TEST_CASE("lifecycle status: the STATUS column for each state") {
  StatusInput up{"running", "", std::nullopt, 5, std::nullopt};
  CHECK(status_text(up) == "Up 5 seconds");
  up.since_start = 150;
  up.health = "healthy";
  CHECK(status_text(up) == "Up 2 minutes (healthy)");
  up.health = "starting";
  CHECK(status_text(up) == "Up 2 minutes (health: starting)");
  up.health = "unhealthy";
  CHECK(status_text(up) == "Up 2 minutes (unhealthy)");
  CHECK(status_text({"paused", "", std::nullopt, 7200, std::nullopt}) == "Up 2 hours (Paused)");
  CHECK(status_text({"exited", "", 0, 10, 3.2}) == "Exited (0) 3 seconds ago");
  CHECK(status_text({"exited", "", 137, 10, 1}) == "Exited (137) 1 second ago");
  CHECK(status_text({"exited", "", 1, 10, std::nullopt}) == "Exited (1)");
  CHECK(status_text({"restarting", "", 1, 0, 2}) == "Restarting (1) 2 seconds ago");
  CHECK(status_text({"created", "", std::nullopt, 0, std::nullopt}) == "Created");
}

TEST_CASE("lifecycle status: ls's combined status is sorted by state") {
  CHECK(combined_status({{"running", 3}}) == "running(3)");
  CHECK(combined_status({{"running", 2}, {"exited", 1}, {"paused", 0}}) == "exited(1), running(2)");
  CHECK(combined_status({}) == "");
}

TEST_CASE("lifecycle status: sizes as docker stats prints them") {
  CHECK(binary_size(0) == "0B");
  CHECK(binary_size(1023) == "1023B");
  CHECK(binary_size(1536) == "1.5KiB");
  CHECK(binary_size(3.5 * 1024 * 1024) == "3.5MiB");
  CHECK(binary_size(7.6 * 1024 * 1024 * 1024) == "7.6GiB");
  CHECK(decimal_size(0) == "0B");
  CHECK(decimal_size(1234) == "1.23kB");
  CHECK(decimal_size(656) == "656B");
  CHECK(decimal_size(12.3e6) == "12.3MB");
}

TEST_CASE("lifecycle status: RFC 3339 times") {
  CHECK(*parse_rfc3339("1970-01-01T00:01:40Z") == Approx(100));
  CHECK(*parse_rfc3339("2026-11-26T01:02:03.500000000Z") == Approx(1795654923.5));
  CHECK(*parse_rfc3339("2026-11-26T02:02:03+01:00") == Approx(1795654923));
  CHECK_FALSE(parse_rfc3339("yesterday"));
  CHECK(docker_created_at("2026-11-26T01:02:03.123456789Z") == "2026-11-26 01:02:03 +0000 UTC");
}
