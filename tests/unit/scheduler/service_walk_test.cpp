#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "mycompose/common/error.hpp"
#include "mycompose/scheduler/service_walk.hpp"

using namespace mycompose::scheduler;

namespace {

struct Log {
  std::mutex m;
  std::vector<std::string> events;
  void add(const std::string& e) {
    std::lock_guard<std::mutex> l(m);
    events.push_back(e);
  }
  long index(const std::string& e) {
    std::lock_guard<std::mutex> l(m);
    auto it = std::find(events.begin(), events.end(), e);
    return it == events.end() ? -1 : it - events.begin();
  }
};

}  // namespace

TEST_CASE("walk: a service starts only after its dependencies finished and passed their gate") {
  Log log;
  WalkCallbacks cb;
  cb.work = [&](const std::string& s) {
    log.add("start " + s);
    std::this_thread::sleep_for(std::chrono::milliseconds(s == "db" ? 30 : 1));
    log.add("done " + s);
  };
  cb.gate = [&](const std::string& dependent, const WalkEdge& e) { log.add("gate " + dependent + "<-" + e.service + ":" + e.condition); };
  walk_services({{"web", {{"db", true, "service_healthy"}, {"cache", true, "service_started"}}}, {"db", {}}, {"cache", {}}, {"lone", {}}}, cb);
  REQUIRE(log.events.size() == 10);
  CHECK(log.index("done db") < log.index("gate web<-db:service_healthy"));
  CHECK(log.index("done cache") < log.index("gate web<-cache:service_started"));
  CHECK(log.index("gate web<-db:service_healthy") < log.index("start web"));
  // db, cache and lone have no dependencies: all three run before db's slow work ends.
  CHECK(log.index("start cache") < log.index("done db"));
  CHECK(log.index("start lone") < log.index("done db"));
}

TEST_CASE("walk: a failed required dependency stops its dependents with compose's message, the first cause is thrown") {
  std::atomic<bool> web_ran{false}, other_ran{false};
  WalkCallbacks cb;
  cb.work = [&](const std::string& s) {
    if (s == "web") web_ran = true;
    if (s == "other") other_ran = true;
  };
  cb.gate = [](const std::string&, const WalkEdge& e) {
    if (e.service == "db") throw mycompose::Error("container shop-db-1 is unhealthy");
  };
  try {
    walk_services({{"web", {{"db", true, "service_healthy"}}}, {"db", {}}, {"other", {}}}, cb);
    FAIL("no error");
  } catch (const mycompose::Error& e) {
    CHECK(std::string(e.what()) == "dependency failed to start: container shop-db-1 is unhealthy");
  }
  CHECK_FALSE(web_ran);
  CHECK(other_ran);
}

TEST_CASE("walk: an optional dependency that fails is a warning") {
  std::vector<std::string> warnings;
  std::atomic<bool> web_ran{false};
  WalkCallbacks cb;
  cb.work = [&](const std::string& s) {
    if (s == "db") throw mycompose::Error("boom");
    if (s == "web") web_ran = true;
  };
  cb.warn = [&](const std::string& w) { warnings.push_back(w); };
  CHECK_THROWS_WITH(walk_services({{"web", {{"db", false, "service_started"}}}, {"db", {}}}, cb), "boom");
  CHECK(web_ran);
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0] == "optional dependency \"db\" of \"web\" failed: boom");
}

TEST_CASE("for_each_parallel: every index once, at most `width` at a time, first failure rethrown after all ran") {
  std::atomic<int> running{0}, peak{0}, ran{0};
  std::vector<std::atomic<int>> seen(40);
  auto body = [&](std::size_t i) {
    const int now = ++running;
    for (int p = peak; now > p && !peak.compare_exchange_weak(p, now);) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    ++seen[i];
    ++ran;
    --running;
    if (i == 7) throw mycompose::Error("seven");
  };
  CHECK_THROWS_WITH(for_each_parallel(seen.size(), 4, body), "seven");
  CHECK(ran == 40);
  CHECK(peak <= 4);
  CHECK(peak >= 2);  // it did run in parallel
  for (auto& s : seen) CHECK(s == 1);
}
