#include <catch2/catch.hpp>

#include <sys/resource.h>

#include "mycompose/runtime/capabilities.hpp"

using namespace mycompose::runtime;

TEST_CASE("capability names resolve to kernel numbers in any spelling") {
  CHECK(capability_numbers({"CAP_CHOWN", "cap_kill", "NET_RAW", "CAP_SYS_ADMIN"}) == std::vector<int>{0, 5, 13, 21});
  CHECK(capability_name(0) == "CAP_CHOWN");
  CHECK(capability_name(21) == "CAP_SYS_ADMIN");
  CHECK(capability_name(4000).empty());
  auto all = all_capability_names();
  CHECK(all.size() >= 38);
  CHECK(all.front() == "CAP_CHOWN");
}

TEST_CASE("unknown capability and rlimit names are errors naming them") {
  CHECK_THROWS_WITH(capability_numbers({"CAP_CHOWN", "CAP_FLY"}), "unknown capability \"CAP_FLY\"");
  CHECK_THROWS_WITH(capability_numbers({"CAP_"}), "unknown capability \"CAP_\"");
  CHECK_THROWS_WITH(apply_capabilities({{"bounding", {"CAP_CHOWN", "CAP_TELEPORT"}}}), "unknown capability \"CAP_TELEPORT\"");
  CHECK(rlimit_number("RLIMIT_NOFILE") == RLIMIT_NOFILE);
  CHECK_THROWS_WITH(rlimit_number("RLIMIT_FUN"), "unknown rlimit \"RLIMIT_FUN\"");
  CHECK_THROWS_WITH(apply_rlimits({{{"type", "RLIMIT_WHAT"}, {"soft", 1}, {"hard", 1}}}), "unknown rlimit \"RLIMIT_WHAT\"");
}
