#pragma once
// Compose durations ("1m30s", "250ms"): Go's time.ParseDuration and Duration.String, which
// compose uses, so the engine reads stop_grace_period and healthcheck timings as the loader wrote them.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mycompose::compose::schema {

std::optional<std::int64_t> parse_duration(std::string_view s);  // nanoseconds; nullopt if invalid
std::string format_duration(std::int64_t ns);

}  // namespace mycompose::compose::schema
