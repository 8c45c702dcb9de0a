#include "protocols/message/date.hpp"

#include <catch2/catch.hpp>

using namespace maillab::message;

namespace {
constexpr int64_t kSec = kNanosPerSecond;
}

TEST_CASE("epoch is Monday 2026-03-02 09:00:00 UTC", "[date]") {
  CHECK(kEpochUnixSeconds == 1772442000);
  CHECK(rfc5322_date(0) == "Mon, 02 Mar 2026 09:00:00 +0000");
  CHECK(mbox_date(0) == "Mon Mar  2 09:00:00 2026");
  CHECK(compact_date(0) == "20260302090000");
  CHECK(unix_seconds(0) == kEpochUnixSeconds);
}

TEST_CASE("dates for several simulated times", "[date]") {
  struct Case { int64_t sim_ns; const char* rfc; const char* mbox; };
  const Case cases[] = {
      {1 * kSec + 999'999'999, "Mon, 02 Mar 2026 09:00:01 +0000", "Mon Mar  2 09:00:01 2026"},
      {15 * 3600 * kSec, "Tue, 03 Mar 2026 00:00:00 +0000", "Tue Mar  3 00:00:00 2026"},
      {-1, "Mon, 02 Mar 2026 08:59:59 +0000", "Mon Mar  2 08:59:59 2026"},
      {-(9 * 3600 + 1) * kSec, "Sun, 01 Mar 2026 23:59:59 +0000", "Sun Mar  1 23:59:59 2026"},
      {26319599 * kSec, "Thu, 31 Dec 2026 23:59:59 +0000", "Thu Dec 31 23:59:59 2026"},  // year change
      {26319600 * kSec, "Fri, 01 Jan 2027 00:00:00 +0000", "Fri Jan  1 00:00:00 2027"},
      {62998496 * kSec, "Tue, 29 Feb 2028 12:34:56 +0000", "Tue Feb 29 12:34:56 2028"},  // leap day
      {(62998496 + 86400) * kSec, "Wed, 01 Mar 2028 12:34:56 +0000", "Wed Mar  1 12:34:56 2028"},
      {-kEpochUnixSeconds * kSec, "Thu, 01 Jan 1970 00:00:00 +0000", "Thu Jan  1 00:00:00 1970"},
  };
  for (const auto& c : cases) {
    INFO(c.sim_ns);
    CHECK(rfc5322_date(c.sim_ns) == c.rfc);
    CHECK(mbox_date(c.sim_ns) == c.mbox);
    CHECK(parse_rfc5322_date(c.rfc) == c.sim_ns / kSec * kSec - (c.sim_ns < 0 && c.sim_ns % kSec ? kSec : 0));
  }
}

TEST_CASE("civil conversion round-trips across four centuries", "[date]") {
  for (int64_t days = -150000; days < 150000; days += 97) {
    const int64_t unix = days * 86400 + 3723;
    CivilTime t = civil_from_unix(unix);
    CHECK(unix_from_civil(t.year, t.month, t.day, t.hour, t.minute, t.second) == unix);
  }
  CHECK(civil_from_unix(unix_from_civil(2000, 2, 29, 0, 0, 0)).day == 29);
  CHECK(civil_from_unix(unix_from_civil(2100, 3, 1, 0, 0, 0) - 86400).day == 28);  // 2100 is no leap year
}

TEST_CASE("parse_rfc5322_date tolerates common variants", "[date]") {
  CHECK(parse_rfc5322_date("Mon, 2 Mar 2026 09:00:00 +0000") == 0);
  CHECK(parse_rfc5322_date("2 Mar 2026 09:00 GMT") == 0);
  CHECK(parse_rfc5322_date("Mon,  2 Mar 2026 10:00:00 +0100 (CET)") == 0);
  CHECK(parse_rfc5322_date("mon, 02 mar 26 04:00:00 EST") == 0);
  CHECK_FALSE(parse_rfc5322_date(""));
  CHECK_FALSE(parse_rfc5322_date("Mon, 02 Foo 2026 09:00:00 +0000"));
  CHECK_FALSE(parse_rfc5322_date("Mon, 02 Mar 2026 25:00:00 +0000"));
  CHECK_FALSE(parse_rfc5322_date("garbage"));
}
