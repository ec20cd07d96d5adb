#pragma once
// Durations as Go reads and prints them (time.ParseDuration, time.Duration.String): compose
// files, Dockerfile HEALTHCHECK flags and --since all use Go's format, so there is one reader.
// Hand-written: no C++ library speaks this format.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mycompose {

// Exactly time.ParseDuration: [-+]?([0-9]*(\.[0-9]*)?unit)+ with units ns us µs μs ms s m h,
// or "0"; fractions truncated to the nanosecond as Go does; more than 2562047h47m16.854775807s
// is refused. Nanoseconds. Throws Error with Go's reason ("time: missing unit in duration \"10\"",
// overflow: "...: out of range, at most 2562047h47m16.854775807s").
std::int64_t parse_go_duration(std::string_view text);
// The same, nullopt instead of an error.
std::optional<std::int64_t> try_parse_go_duration(std::string_view text);

// Exactly time.Duration.String: "1h0m0s", "1m30s", "1.5s", "250ms", "1µs", "0s".
std::string format_go_duration(std::int64_t ns);

}  // namespace mycompose
