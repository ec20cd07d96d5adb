#include <catch2/catch.hpp>

#include "mycompose/common/error.hpp"
#include "mycompose/common/go_duration.hpp"

using namespace mycompose;

namespace {
constexpr std::int64_t kS = 1'000'000'000;
}

TEST_CASE("Go durations: the units, signs and the zero special case") {
  CHECK(parse_go_duration("0") == 0);
  CHECK(parse_go_duration("-0") == 0);
  CHECK(parse_go_duration("+0") == 0);
  CHECK(parse_go_duration("5ns") == 5);
  CHECK(parse_go_duration("5us") == 5000);
  CHECK(parse_go_duration("5\xC2\xB5s") == 5000);  // µ, micro sign
  CHECK(parse_go_duration("5\xCE\xBCs") == 5000);  // μ, Greek mu
  CHECK(parse_go_duration("5ms") == 5'000'000);
  CHECK(parse_go_duration("1h30m") == 5400 * kS);
  CHECK(parse_go_duration("-1m30s") == -90 * kS);
  CHECK(parse_go_duration("+10s") == 10 * kS);
  CHECK(parse_go_duration("1h1h") == 7200 * kS);  // units may repeat, as in Go
}

TEST_CASE("Go durations: fractions are truncated to the nanosecond as Go does") {
  CHECK(parse_go_duration("1.5s") == 1500 * 1'000'000);
  CHECK(parse_go_duration(".5s") == kS / 2);
  CHECK(parse_go_duration("1.s") == kS);
  CHECK(parse_go_duration("0.1s") == kS / 10);
  CHECK(parse_go_duration("1.5h") == 5400 * kS);
  // The compose loader rounded this to 2ns; Go (and now every reader) truncates to 1ns.
  CHECK(parse_go_duration("1.5ns") == 1);
  CHECK(parse_go_duration("0.0000000009s") == 0);
  // Digits past what fits are read and dropped.
  CHECK(parse_go_duration("1.00000000000000000000000000001s") == kS);
}

TEST_CASE("Go durations: what Go refuses, with its reasons") {
  CHECK_THROWS_WITH(parse_go_duration(""), "time: invalid duration \"\"");
  CHECK_THROWS_WITH(parse_go_duration("-"), "time: invalid duration \"-\"");
  CHECK_THROWS_WITH(parse_go_duration("10"), "time: missing unit in duration \"10\"");
  CHECK_THROWS_WITH(parse_go_duration("1h30"), "time: missing unit in duration \"1h30\"");
  CHECK_THROWS_WITH(parse_go_duration("10x"), "time: unknown unit \"x\" in duration \"10x\"");
  CHECK_THROWS_WITH(parse_go_duration("1S"), "time: unknown unit \"S\" in duration \"1S\"");
  CHECK_THROWS_WITH(parse_go_duration(".s"), "time: invalid duration \".s\"");
  CHECK_THROWS_WITH(parse_go_duration("s"), "time: invalid duration \"s\"");
  CHECK_THROWS_WITH(parse_go_duration("1s 2s"), "time: unknown unit \"s \" in duration \"1s 2s\"");
  CHECK_THROWS_WITH(parse_go_duration("--1s"), "time: invalid duration \"--1s\"");
  CHECK_FALSE(try_parse_go_duration("1d"));  // no days in Go (the build parser took "1d" as an error too)
}

TEST_CASE("Go durations: the int64 range, and overflow refused with a clear message") {
  CHECK(parse_go_duration("9223372036854775807ns") == INT64_MAX);
  CHECK(parse_go_duration("-9223372036854775808ns") == INT64_MIN);
  CHECK(parse_go_duration("2562047h47m16.854775807s") == INT64_MAX);
  const std::string range = ": out of range, at most 2562047h47m16.854775807s";
  CHECK_THROWS_WITH(parse_go_duration("9223372036854775808ns"), "time: invalid duration \"9223372036854775808ns\"" + range);
  CHECK_THROWS_WITH(parse_go_duration("2562048h"), "time: invalid duration \"2562048h\"" + range);
  CHECK_THROWS_WITH(parse_go_duration("99999999999999999999s"), "time: invalid duration \"99999999999999999999s\"" + range);
  CHECK_THROWS_WITH(parse_go_duration("2562047h60m"), "time: invalid duration \"2562047h60m\"" + range);
}

TEST_CASE("Go durations are printed as time.Duration.String") {
  CHECK(format_go_duration(0) == "0s");
  CHECK(format_go_duration(1) == "1ns");
  CHECK(format_go_duration(1500) == "1.5\xC2\xB5s");
  CHECK(format_go_duration(1'500'000) == "1.5ms");
  CHECK(format_go_duration(kS) == "1s");
  CHECK(format_go_duration(90 * kS) == "1m30s");
  CHECK(format_go_duration(3600 * kS) == "1h0m0s");
  CHECK(format_go_duration(-1500 * 1'000'000) == "-1.5s");
  CHECK(format_go_duration(INT64_MIN) == "-2562047h47m16.854775808s");
  for (const char* s : {"1h2m3.5s", "250ms", "-7m0.000000001s"}) CHECK(format_go_duration(parse_go_duration(s)) == s);
}
