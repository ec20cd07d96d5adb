#pragma once
// Byte sizes as Docker prints and reads them (github.com/docker/go-units), one place for every
// table, progress line and compose attribute.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mycompose {

// units.HumanSizeWithPrecision: decimal units (kB, MB … YB), "%.*g". "12.35MB".
std::string human_size(double bytes, int precision = 4);  // precision 4: units.HumanSize
// units.BytesSize: binary units (KiB, MiB … YiB), "%.4g". "1.5MiB".
std::string bytes_size(double bytes);

// units.RAMInBytes: digits (one fraction allowed), an optional space, an optional k, m, g, t
// or p (1024-based), an optional i, an optional b, any case: "512m", "1.5GB", "100KiB", "42",
// "7i". Truncated to whole bytes; nullopt when it is not one, or more than an int64 holds.
std::optional<std::int64_t> ram_in_bytes(std::string_view text);

}  // namespace mycompose
