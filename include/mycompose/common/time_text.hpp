#pragma once
// Times as text, the way Go (and so Docker) writes and reads them. One place, so every record,
// event and table agrees on the format.
#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace mycompose {

// Nanoseconds since the epoch, CLOCK_REALTIME.
std::int64_t unix_now_ns();

enum class Fraction {
  none,        // Go's time.RFC3339:          2026-12-07T15:51:35Z
  nano_fixed,  // Docker's RFC3339NanoFixed:   2026-12-07T15:51:35.120000000Z
  nano,        // Go's time.RFC3339Nano:       2026-12-07T15:51:35.12Z (trailing zeros dropped)
};

// UTC, "Z".
std::string format_rfc3339(std::int64_t unix_ns, Fraction fraction = Fraction::none);
std::string now_rfc3339(Fraction fraction = Fraction::none);
// Local time with its offset ("Z" when the zone is UTC), whole seconds.
std::string format_rfc3339_local(std::time_t t);

// RFC 3339: YYYY-MM-DDTHH:MM:SS[.frac](Z|±hh:mm) (also 't', 'z' and a space for 'T'); digits
// past the ninth are read and dropped. Nanoseconds since the epoch; nullopt if it is not that.
std::optional<std::int64_t> parse_rfc3339(std::string_view text);
// What Docker's --since/--until takes besides full RFC 3339 (timetypes.GetTimestamp): the
// date alone, no seconds, no zone; without a zone it is local time.
std::optional<std::int64_t> parse_rfc3339_partial(std::string_view text);

// Go's time.Time.String() of a UTC time, as Docker prints CreatedAt: "2026-12-07 15:51:35 +0000 UTC".
std::string format_go_time_utc(std::int64_t unix_ns);

// go-units HumanDuration: "Less than a second", "About a minute", "3 hours", "2 weeks"…
std::string human_duration(double seconds);

}  // namespace mycompose
