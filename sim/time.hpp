// Simulated time: integer nanoseconds since the start of the run (DESIGN.md "The
// simulator"). Never a floating point value, never the wall clock.
#pragma once

#include <cstdint>

namespace maillab::sim {

using Time = std::int64_t;

inline constexpr Time kNanosecond = 1;
inline constexpr Time kMicrosecond = 1000 * kNanosecond;
inline constexpr Time kMillisecond = 1000 * kMicrosecond;
inline constexpr Time kSecond = 1000 * kMillisecond;
inline constexpr Time kMinute = 60 * kSecond;
inline constexpr Time kHour = 60 * kMinute;
inline constexpr Time kDay = 24 * kHour;

}  // namespace maillab::sim
