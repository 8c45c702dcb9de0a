#include "scenarios/duration.hpp"

#include <array>
#include <cctype>
#include <limits>

namespace maillab::scenario {
namespace {

struct Unit {
  std::string_view name;
  std::int64_t ns;
};

// Largest first: the order parts must follow and the order format_duration writes.
constexpr std::array<Unit, 7> kUnits{{{"d", kDay},
                                      {"h", kHour},
                                      {"m", kMinute},
                                      {"s", kSecond},
                                      {"ms", kMillisecond},
                                      {"us", kMicrosecond},
                                      {"ns", kNanosecond}}};

// Spellings people write by habit, and the unit they mean.
struct Alias {
  std::string_view written;
  std::string_view unit;
};
constexpr std::array<Alias, 20> kAliases{{{"D", "d"},       {"day", "d"},      {"days", "d"},
                                          {"H", "h"},       {"hr", "h"},       {"hrs", "h"},
                                          {"hour", "h"},    {"hours", "h"},    {"M", "m"},
                                          {"min", "m"},     {"mins", "m"},     {"minute", "m"},
                                          {"minutes", "m"}, {"S", "s"},        {"sec", "s"},
                                          {"secs", "s"},    {"second", "s"},   {"seconds", "s"},
                                          {"µs", "us"},     {"MS", "ms"}}};

bool set_error(std::string* error, std::string message) {
  if (error) *error = std::move(message);
  return false;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string quoted(std::string_view text) { return "`" + std::string(text) + "`"; }

// Reads the digits at text[i...]; false when there are none or the value overflows.
bool read_number(std::string_view text, std::size_t& i, std::uint64_t& value, bool& overflow) {
  std::size_t start = i;
  value = 0;
  overflow = false;
  while (i < text.size() && is_digit(text[i])) {
    std::uint64_t digit = static_cast<std::uint64_t>(text[i] - '0');
    if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) overflow = true;
    else value = value * 10 + digit;
    ++i;
  }
  return i > start;
}

}  // namespace

std::optional<std::int64_t> parse_duration(std::string_view text, std::string* error) {
  const std::string q = quoted(text);
  if (text.empty()) {
    set_error(error, "empty duration: write a number with a unit, e.g. 30s");
    return std::nullopt;
  }
  if (text[0] == '-') {
    set_error(error, q + " is negative: durations and time points count forward from 0s");
    return std::nullopt;
  }
  if (text[0] == '+') {
    set_error(error, q + ": write " + std::string(text.substr(1)) + " without a sign");
    return std::nullopt;
  }
  const std::int64_t max = std::numeric_limits<std::int64_t>::max();
  const std::string too_long = q + " is too long: at most 106751d (about 292 years)";
  std::int64_t total = 0;
  std::size_t last_rank = 0;  // rank + 1 of the previous part's unit; 0 before the first
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t number_start = i;
    std::uint64_t value = 0;
    bool overflow = false;
    if (!read_number(text, i, value, overflow)) {
      if (std::isspace(static_cast<unsigned char>(text[i]))) {
        set_error(error, q + ": no spaces inside a duration (write e.g. 1h30m)");
        return std::nullopt;
      }
      set_error(error, q + ": expected a number at `" + std::string(text.substr(i)) +
                           "`; a duration is like 250ms, 30s or 1h30m");
      return std::nullopt;
    }
    std::string_view number = text.substr(number_start, i - number_start);
    if (i == text.size()) {
      std::string n(number);
      if (number_start == 0)
        set_error(error, q + " has no unit: write " + n + "s, " + n + "m, " + n + "h, " + n +
                             "d, " + n + "ms, ...");
      else
        set_error(error, q + ": the last number `" + n + "` has no unit: write e.g. " +
                             std::string(text) + "m or " + std::string(text) + "s");
      return std::nullopt;
    }
    if (std::isspace(static_cast<unsigned char>(text[i]))) {
      set_error(error, q + ": no spaces inside a duration (write e.g. 1h30m)");
      return std::nullopt;
    }
    if (text[i] == '.' || text[i] == ',') {
      set_error(error, q + ": durations are whole numbers; use a smaller unit "
                           "(1h30m for 1.5h, 1500ms for 1.5s)");
      return std::nullopt;
    }
    std::size_t unit_start = i;
    while (i < text.size() && !is_digit(text[i]) &&
           !std::isspace(static_cast<unsigned char>(text[i])))
      ++i;
    std::string_view unit_text = text.substr(unit_start, i - unit_start);
    std::size_t rank = 0;
    while (rank < kUnits.size() && kUnits[rank].name != unit_text) ++rank;
    if (rank == kUnits.size()) {
      std::string hint;
      for (const auto& a : kAliases)
        if (a.written == unit_text)
          hint = "; write " + std::string(number) + std::string(a.unit);
      set_error(error, q + ": unknown unit `" + std::string(unit_text) +
                           "` (units: ns, us, ms, s, m, h, d)" + hint);
      return std::nullopt;
    }
    if (rank + 1 <= last_rank) {
      set_error(error, q + ": parts go from the largest unit to the smallest, each unit once "
                           "(e.g. 1h30m)");
      return std::nullopt;
    }
    last_rank = rank + 1;
    const std::int64_t unit_ns = kUnits[rank].ns;
    if (overflow || value > static_cast<std::uint64_t>(max / unit_ns)) {
      set_error(error, too_long);
      return std::nullopt;
    }
    std::int64_t part = static_cast<std::int64_t>(value) * unit_ns;
    if (part > max - total) {
      set_error(error, too_long);
      return std::nullopt;
    }
    total += part;
  }
  return total;
}

std::string format_duration(std::int64_t ns) {
  if (ns == 0) return "0s";
  std::string out;
  // Work on the magnitude as unsigned so that INT64_MIN has one.
  std::uint64_t rest = static_cast<std::uint64_t>(ns);
  if (ns < 0) {
    out = "-";
    rest = ~rest + 1;
  }
  for (const Unit& u : kUnits) {
    std::uint64_t unit = static_cast<std::uint64_t>(u.ns);
    if (rest >= unit) {
      out += std::to_string(rest / unit);
      out += u.name;
      rest %= unit;
    }
  }
  return out;
}

namespace {
struct RateUnit {
  std::string_view name;
  std::uint64_t bps;
};
constexpr std::array<RateUnit, 5> kRateUnits{{{"Gbps", 1'000'000'000ULL},
                                              {"Mbps", 1'000'000ULL},
                                              {"kbps", 1'000ULL},
                                              {"Kbps", 1'000ULL},
                                              {"bps", 1ULL}}};
}  // namespace

std::optional<std::uint64_t> parse_bandwidth(std::string_view text, std::string* error) {
  const std::string q = quoted(text);
  std::size_t i = 0;
  std::uint64_t value = 0;
  bool overflow = false;
  if (!read_number(text, i, value, overflow)) {
    set_error(error, q + " is not a bandwidth: write a whole number with a unit, e.g. 10Mbps");
    return std::nullopt;
  }
  std::string n(text.substr(0, i));
  if (i == text.size()) {
    set_error(error, q + " has no unit: write " + n + "Mbps, " + n + "kbps, " + n + "Gbps or " +
                         n + "bps");
    return std::nullopt;
  }
  std::string_view unit_text = text.substr(i);
  for (const RateUnit& u : kRateUnits) {
    if (u.name != unit_text) continue;
    if (overflow || value > std::numeric_limits<std::uint64_t>::max() / u.bps) {
      set_error(error, q + " is too large");
      return std::nullopt;
    }
    if (value == 0) {
      set_error(error, q + ": a bandwidth must be greater than 0 (leave it out for unlimited)");
      return std::nullopt;
    }
    return value * u.bps;
  }
  set_error(error, q + ": unknown unit `" + std::string(unit_text) +
                       "` (units: bps, kbps, Mbps, Gbps; bits per second)");
  return std::nullopt;
}

std::string format_bandwidth(std::uint64_t bps) {
  for (const RateUnit& u : kRateUnits) {
    if (u.name == "Kbps") continue;
    if (bps != 0 && bps % u.bps == 0) return std::to_string(bps / u.bps) + std::string(u.name);
  }
  return std::to_string(bps) + "bps";
}

}  // namespace maillab::scenario
