// Scenario values with units: durations and bandwidths (scenario-format.md "Values").
//
// A duration is one or more `<integer><unit>` parts, largest unit first, each unit at
// most once: `250ms`, `30s`, `1h30m`, `0h`, `1d2h3m4s5ms6us7ns`. Units: ns, us, ms, s, m,
// h, d. A bare number is an error that names the missing unit (`30` -> "write 30s,
// 30m, ..."), as are signs, fractions, spaces and values beyond int64 nanoseconds
// (about 292 years). format_duration() is the inverse: it writes every non-zero part,
// largest unit first (`1h30m`, `1s500ms`, `0s`), so parse(format(x)) == x.
//
// A bandwidth is `<integer><unit>` with unit bps, kbps, Mbps, Gbps (powers of 1000,
// as network people count), e.g. `10Mbps` = 10'000'000 bits per second.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace maillab::scenario {

// Same values as sim/time.hpp (this layer does not include sim/).
inline constexpr std::int64_t kNanosecond = 1;
inline constexpr std::int64_t kMicrosecond = 1000 * kNanosecond;
inline constexpr std::int64_t kMillisecond = 1000 * kMicrosecond;
inline constexpr std::int64_t kSecond = 1000 * kMillisecond;
inline constexpr std::int64_t kMinute = 60 * kSecond;
inline constexpr std::int64_t kHour = 60 * kMinute;
inline constexpr std::int64_t kDay = 24 * kHour;

// Nanoseconds, or nullopt with a one-line explanation in *error (when error is not null).
std::optional<std::int64_t> parse_duration(std::string_view text, std::string* error);

// `1h30m`, `250ms`, `0s`; a negative value gets a leading `-`.
std::string format_duration(std::int64_t ns);

// Bits per second (greater than zero), or nullopt with an explanation in *error.
std::optional<std::uint64_t> parse_bandwidth(std::string_view text, std::string* error);

// `10Mbps`, `512kbps`, `1500bps`: the largest unit that divides the value exactly.
std::string format_bandwidth(std::uint64_t bps);

}  // namespace maillab::scenario
