// Docker's restart policies and its restart manager's backoff.
#include <catch2/catch.hpp>

#include "mycompose/common/error.hpp"
#include "mycompose/daemon/restart_policy.hpp"

using namespace mycompose::daemon;
using std::chrono::milliseconds;

TEST_CASE("restart policies parse and print as Compose writes them") {
  for (const char* s : {"no", "always", "on-failure", "on-failure:3", "unless-stopped"})
    CHECK(RestartPolicy::parse(s).to_string() == s);
  CHECK(RestartPolicy::parse("").mode == RestartPolicy::Mode::No);
  CHECK(RestartPolicy::parse("on-failure:5").max_retries == 5);
  CHECK_THROWS_WITH(RestartPolicy::parse("sometimes"),
                    "invalid restart policy \"sometimes\": expected no, always, on-failure[:max-retries] or unless-stopped");
  CHECK_THROWS_WITH(RestartPolicy::parse("on-failure:x"),
                    "invalid restart policy \"on-failure:x\": the maximum retry count must be a non-negative integer");
  CHECK_THROWS_AS(RestartPolicy::parse("on-failure:-1"), mycompose::Error);
}

TEST_CASE("which exits restart") {
  auto p = RestartPolicy::parse;
  CHECK_FALSE(should_restart(p("no"), 1, 0, false));
  CHECK(should_restart(p("always"), 0, 100, false));
  CHECK(should_restart(p("unless-stopped"), 0, 0, false));
  CHECK_FALSE(should_restart(p("always"), 1, 0, true));  // the user stopped it
  CHECK_FALSE(should_restart(p("on-failure"), 0, 0, false));
  CHECK(should_restart(p("on-failure"), 1, 1000, false));  // no maximum
  CHECK(should_restart(p("on-failure:3"), 2, 2, false));
  CHECK_FALSE(should_restart(p("on-failure:3"), 2, 3, false));
}

TEST_CASE("backoff doubles from 100 ms to 1 min and resets after 10 s up") {
  RestartBackoff b;
  std::vector<long long> delays;
  for (int i = 0; i < 12; ++i) delays.push_back(b.next(milliseconds(50)).count());
  CHECK(delays == std::vector<long long>{100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 51200, 60000, 60000});
  CHECK(b.next(milliseconds(9999)).count() == 60000);
  CHECK(b.next(milliseconds(10000)).count() == 100);
  CHECK(b.next(milliseconds(0)).count() == 200);
}
