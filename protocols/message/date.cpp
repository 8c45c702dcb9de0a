#include "protocols/message/date.hpp"

#include <cstdint>

#include <array>
#include <cctype>
#include <charconv>
#include <cstring>
#include <vector>

#include "protocols/message/ascii.hpp"

namespace maillab::message {
namespace {

constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// Howard Hinnant, "chrono-Compatible Low-Level Date Algorithms" (proleptic Gregorian).
int64_t days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

std::optional<int64_t> to_int(std::string_view s) {
  if (!all_digits(s) || s.size() > 9) return std::nullopt;
  int64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

// Strips comments (nested parentheses) and turns ',' into a space, then splits on WSP.
std::vector<std::string> date_tokens(std::string_view text) {
  std::string clean;
  int depth = 0;
  for (char c : text) {
    if (c == '(') { ++depth; continue; }
    if (c == ')' && depth > 0) { --depth; clean += ' '; continue; }
    if (depth > 0) continue;
    clean += (c == ',' || c == '\t' || c == '\r' || c == '\n') ? ' ' : c;
  }
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < clean.size()) {
    while (i < clean.size() && clean[i] == ' ') ++i;
    std::size_t j = i;
    while (j < clean.size() && clean[j] != ' ') ++j;
    if (j > i) out.emplace_back(clean.substr(i, j - i));
    i = j;
  }
  return out;
}

std::optional<int> zone_offset_minutes(std::string_view z) {
  if (z.size() == 5 && (z[0] == '+' || z[0] == '-') && all_digits(z.substr(1))) {
    int hh = (z[1] - '0') * 10 + (z[2] - '0');
    int mm = (z[3] - '0') * 10 + (z[4] - '0');
    if (mm > 59) return std::nullopt;
    int off = hh * 60 + mm;
    return z[0] == '-' ? -off : off;
  }
  struct Named { const char* name; int hours; };
  static constexpr Named kNamed[] = {{"UT", 0},   {"UTC", 0},  {"GMT", 0},  {"Z", 0},
                                     {"EST", -5}, {"EDT", -4}, {"CST", -6}, {"CDT", -5},
                                     {"MST", -7}, {"MDT", -6}, {"PST", -8}, {"PDT", -7}};
  for (const auto& n : kNamed)
    if (iequals(z, n.name)) return n.hours * 60;
  // RFC 5322 4.3: other (military) zones are to be treated as "-0000".
  bool alpha = !z.empty();
  for (char c : z) alpha = alpha && std::isalpha(static_cast<unsigned char>(c));
  if (alpha && z.size() <= 5) return 0;
  return std::nullopt;
}

// Fixed-width decimal writers for the date formats (no printf on hot paths). Every
// simulated time (int64 ns, +-292 years around 2026) has a four-digit year.
char* put2(char* p, int v) {
  p[0] = static_cast<char>('0' + v / 10);
  p[1] = static_cast<char>('0' + v % 10);
  return p + 2;
}

char* put4(char* p, int v) { return put2(put2(p, v / 100), v % 100); }

char* put3(char* p, const char* name) {
  std::memcpy(p, name, 3);
  return p + 3;
}

// "hh:mm:ss"
char* put_hms(char* p, const CivilTime& t) {
  p = put2(p, t.hour);
  *p++ = ':';
  p = put2(p, t.minute);
  *p++ = ':';
  return put2(p, t.second);
}

}  // namespace

int64_t unix_seconds(int64_t sim_ns) { return floor_div(sim_ns, kNanosPerSecond) + kEpochUnixSeconds; }

CivilTime civil_from_unix(int64_t unix_secs) {
  const int64_t days = floor_div(unix_secs, 86400);
  const int64_t secs = unix_secs - days * 86400;
  CivilTime t;
  t.hour = static_cast<int>(secs / 3600);
  t.minute = static_cast<int>(secs % 3600 / 60);
  t.second = static_cast<int>(secs % 60);
  t.weekday = static_cast<int>(days >= -4 ? (days + 4) % 7 : (days + 5) % 7 + 6);
  const int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  t.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  t.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  t.year = yoe + era * 400 + (t.month <= 2);
  return t;
}

int64_t unix_from_civil(int64_t year, int month, int day, int hour, int minute, int second) {
  return days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
}

std::string_view format_rfc5322_date(int64_t sim_ns, char (&buf)[kRfc5322DateSize]) {
  const CivilTime t = civil_from_unix(unix_seconds(sim_ns));
  char* p = put3(buf, kDays[t.weekday]);
  *p++ = ',';
  *p++ = ' ';
  p = put2(p, t.day);
  *p++ = ' ';
  p = put3(p, kMonths[t.month - 1]);
  *p++ = ' ';
  p = put4(p, static_cast<int>(t.year));
  *p++ = ' ';
  p = put_hms(p, t);
  std::memcpy(p, " +0000", 6);
  return {buf, kRfc5322DateSize};
}

std::string rfc5322_date(int64_t sim_ns) {
  char buf[kRfc5322DateSize];
  return std::string(format_rfc5322_date(sim_ns, buf));
}

std::string mbox_date(int64_t sim_ns) {
  const CivilTime t = civil_from_unix(unix_seconds(sim_ns));
  char buf[24];
  char* p = put3(buf, kDays[t.weekday]);
  *p++ = ' ';
  p = put3(p, kMonths[t.month - 1]);
  *p++ = ' ';
  p = put2(p, t.day);
  if (t.day < 10) p[-2] = ' ';  // "%2d"
  *p++ = ' ';
  p = put_hms(p, t);
  *p++ = ' ';
  put4(p, static_cast<int>(t.year));
  return std::string(buf, sizeof buf);
}

std::string compact_date(int64_t sim_ns) {
  const CivilTime t = civil_from_unix(unix_seconds(sim_ns));
  char buf[14];
  char* p = put4(buf, static_cast<int>(t.year));
  p = put2(p, t.month);
  p = put2(p, t.day);
  p = put2(p, t.hour);
  p = put2(p, t.minute);
  put2(p, t.second);
  return std::string(buf, sizeof buf);
}

std::optional<int64_t> parse_rfc5322_date(std::string_view text) {
  std::vector<std::string> tok = date_tokens(text);
  std::size_t i = 0;
  if (i < tok.size() && !tok[i].empty() && std::isalpha(static_cast<unsigned char>(tok[i][0]))) {
    bool known = false;
    for (const char* d : kDays) known = known || iequals(tok[i], d);
    if (!known) return std::nullopt;
    ++i;
  }
  if (tok.size() < i + 4) return std::nullopt;
  auto day = to_int(tok[i]);
  int month = 0;
  for (int m = 0; m < 12; ++m)
    if (iequals(tok[i + 1], kMonths[m])) month = m + 1;
  auto year = to_int(tok[i + 2]);
  if (!day || month == 0 || !year || *day < 1 || *day > 31) return std::nullopt;
  // RFC 5322 4.3: two-digit years below 50 are 20xx, others 19xx; three digits add 1900.
  if (tok[i + 2].size() == 2) *year += *year < 50 ? 2000 : 1900;
  else if (tok[i + 2].size() == 3) *year += 1900;
  if (*year < 1 || *year > 9999) return std::nullopt;

  std::string_view time = tok[i + 3];
  int hms[3] = {0, 0, 0};
  int fields = 0;
  while (!time.empty() && fields < 3) {
    std::size_t colon = time.find(':');
    auto part = to_int(time.substr(0, colon));
    if (!part || time.substr(0, colon).size() > 2) return std::nullopt;
    hms[fields++] = static_cast<int>(*part);
    if (colon == std::string_view::npos) { time = {}; break; }
    time.remove_prefix(colon + 1);
    if (time.empty()) return std::nullopt;
  }
  if (!time.empty() || fields < 2 || hms[0] > 23 || hms[1] > 59 || hms[2] > 60) return std::nullopt;

  int offset = 0;
  if (tok.size() > i + 4) {
    auto z = zone_offset_minutes(tok[i + 4]);
    if (!z) return std::nullopt;
    offset = *z;
  }
  const int64_t unix = unix_from_civil(*year, month, static_cast<int>(*day), hms[0], hms[1], hms[2]) -
                       int64_t(offset) * 60;
  // Simulated time is int64 nanoseconds: about 292 years either side of the epoch.
  const int64_t seconds = unix - kEpochUnixSeconds;
  constexpr int64_t kLimit = INT64_MAX / kNanosPerSecond;
  if (seconds > kLimit || seconds < -kLimit) return std::nullopt;
  return seconds * kNanosPerSecond;
}

}  // namespace maillab::message
