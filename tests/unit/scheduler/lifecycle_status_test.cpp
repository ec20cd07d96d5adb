// How ps/ls/stats word a container's state (durations and sizes: tests/unit/common).
#include <catch2/catch.hpp>

#include "../../../engine/scheduler/lifecycle_status.hpp"

using namespace mycompose::scheduler;

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
