// Simulated time -> calendar dates, for Date: headers (RFC 5322 3.3), Received stamps
// (RFC 5321 4.4), DSN dates (RFC 3464 2.2.5 / 2.3.6), Maildir names and mbox From_
// lines (asctime form). Always UTC ("+0000"): the lab has no time zones.
//
// Invariants: simulated time 0 is kEpochUnixSeconds (2026-03-02T09:00:00Z, a Monday);
// negative simulated times are valid (floor division), so every int64_t maps to a date.
// No clock, no time zone database: civil dates use Howard Hinnant's days/civil algorithms.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace maillab::message {

// 2026-03-02T09:00:00Z, a Monday.
inline constexpr int64_t kEpochUnixSeconds = 1772442000;
inline constexpr int64_t kNanosPerSecond = 1'000'000'000;

struct CivilTime {
  int64_t year = 1970;
  int month = 1;    // 1..12
  int day = 1;      // 1..31
  int hour = 0;
  int minute = 0;
  int second = 0;
  int weekday = 4;  // 0 = Sunday .. 6 = Saturday
};

// Unix seconds of a simulated time (floor: -1 ns is the second before the epoch).
int64_t unix_seconds(int64_t sim_ns);
CivilTime civil_from_unix(int64_t unix_secs);
int64_t unix_from_civil(int64_t year, int month, int day, int hour, int minute, int second);

// "Mon, 02 Mar 2026 09:00:00 +0000"
std::string rfc5322_date(int64_t sim_ns);
// rfc5322_date() written into `buf` (no allocation); the view is of `buf`.
inline constexpr std::size_t kRfc5322DateSize = 31;
std::string_view format_rfc5322_date(int64_t sim_ns, char (&buf)[kRfc5322DateSize]);
// "Mon Mar  2 09:00:00 2026" (asctime, as in mbox From_ lines)
std::string mbox_date(int64_t sim_ns);
// "20260302090000" (Message-ID left parts)
std::string compact_date(int64_t sim_ns);
// Parses an RFC 5322 date-time (day name optional, obsolete zones UT/GMT/Z and a trailing
// comment accepted) back to simulated nanoseconds; nullopt when malformed.
std::optional<int64_t> parse_rfc5322_date(std::string_view text);

}  // namespace maillab::message
