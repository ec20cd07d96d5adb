#include <catch2/catch.hpp>

#include "mycompose/common/time_text.hpp"

using namespace mycompose;

namespace {
constexpr std::int64_t kNanosPerSecond = 1'000'000'000;
constexpr std::int64_t k2026 = 1796658695;  // 2026-12-07T15:51:35Z
}  // namespace

TEST_CASE("RFC 3339 is written as Go writes it: whole seconds, fixed nanoseconds, or Nano") {
  const std::int64_t t = k2026 * kNanosPerSecond + 120'000'000;
  CHECK(format_rfc3339(t) == "2026-12-07T15:51:35Z");
  CHECK(format_rfc3339(t, Fraction::nano_fixed) == "2026-12-07T15:51:35.120000000Z");
  CHECK(format_rfc3339(t, Fraction::nano) == "2026-12-07T15:51:35.12Z");
  CHECK(format_rfc3339(k2026 * kNanosPerSecond, Fraction::nano) == "2026-12-07T15:51:35Z");
  CHECK(format_rfc3339(k2026 * kNanosPerSecond, Fraction::nano_fixed) == "2026-12-07T15:51:35.000000000Z");
  // Before 1970 the fraction still counts forward from the second.
  CHECK(format_rfc3339(-1, Fraction::nano_fixed) == "1969-12-31T23:59:59.999999999Z");
  CHECK(format_go_time_utc(t) == "2026-12-07 15:51:35 +0000 UTC");
}

TEST_CASE("RFC 3339 is read with a fraction and a zone, and refused without") {
  CHECK(parse_rfc3339("2026-12-07T15:51:35Z") == k2026 * kNanosPerSecond);
  CHECK(parse_rfc3339("2026-12-07t15:51:35z") == k2026 * kNanosPerSecond);
  CHECK(parse_rfc3339("2026-12-07T15:51:35.5Z") == k2026 * kNanosPerSecond + kNanosPerSecond / 2);
  CHECK(parse_rfc3339("2026-12-07T15:51:35.123456789123Z") == k2026 * kNanosPerSecond + 123456789);
  CHECK(parse_rfc3339("2026-12-07T17:51:35+02:00") == k2026 * kNanosPerSecond);
  CHECK(parse_rfc3339("2026-12-07T13:21:35-02:30") == k2026 * kNanosPerSecond);
  // The old readers disagreed here: two ignored what followed the time (so "…35Zjunk" was
  // read, and a missing zone meant UTC), one took local time. Both are refused now.
  CHECK_FALSE(parse_rfc3339("2026-12-07T15:51:35Zjunk"));
  CHECK_FALSE(parse_rfc3339("2026-12-07T15:51:35"));
  CHECK_FALSE(parse_rfc3339("2026-12-07T15:51:35."));
  CHECK_FALSE(parse_rfc3339("2026-12-07T15:51Z"));
  CHECK_FALSE(parse_rfc3339("2026-12-07"));
  CHECK_FALSE(parse_rfc3339("2026-13-07T15:51:35Z"));
  CHECK_FALSE(parse_rfc3339("2026-12-07T25:51:35Z"));
  CHECK_FALSE(parse_rfc3339(""));
  CHECK_FALSE(parse_rfc3339("2026-12-07T15:51:35+0200"));
}

TEST_CASE("RFC 3339 partial forms as Docker's --since takes them") {
  CHECK(parse_rfc3339_partial("2026-12-07T15:51Z") == (k2026 - 35) * kNanosPerSecond);
  CHECK(parse_rfc3339_partial("2026-12-07T15:51:35Z") == k2026 * kNanosPerSecond);
  CHECK(parse_rfc3339_partial("2026-12-07"));  // local midnight
  CHECK_FALSE(parse_rfc3339_partial("2026-12"));
  CHECK_FALSE(parse_rfc3339_partial("10m"));
}

TEST_CASE("RFC 3339 round trip of now") {
  const std::int64_t now = unix_now_ns();
  CHECK(parse_rfc3339(format_rfc3339(now, Fraction::nano_fixed)) == now);
  CHECK(parse_rfc3339(format_rfc3339(now, Fraction::nano)) == now);
  CHECK(parse_rfc3339(now_rfc3339()).has_value());
}

TEST_CASE("go-units HumanDuration, as ps, images and stats word ages") {
  CHECK(human_duration(0.4) == "Less than a second");
  CHECK(human_duration(1) == "1 second");
  CHECK(human_duration(59.9) == "59 seconds");
  CHECK(human_duration(60) == "About a minute");
  CHECK(human_duration(119) == "About a minute");
  CHECK(human_duration(120) == "2 minutes");
  CHECK(human_duration(3599) == "59 minutes");
  CHECK(human_duration(3600) == "About an hour");
  // Hours are rounded. `docker images`' copy truncated them: 5400 s was "1 hours ago" there.
  CHECK(human_duration(5400) == "2 hours");
  CHECK(human_duration(47 * 3600) == "47 hours");
  CHECK(human_duration(48 * 3600) == "2 days");
  CHECK(human_duration(14 * 86400) == "2 weeks");
  CHECK(human_duration(60 * 86400) == "2 months");
  CHECK(human_duration(730 * 86400) == "2 years");
}
