// A zone read from BIND master-file text (RFC 1035 5; $TTL from RFC 2308 4).
// Supported: $ORIGIN, $TTL (with BIND units 1h30m), @, relative and absolute names,
// omitted owner (a line starting with blank reuses the previous owner), TTL and class in
// either order, parentheses over several lines, ; comments, quoted strings with \X and
// \DDD escapes, and the types A, AAAA, NS, CNAME, MX, SOA, TXT, PTR, plus TYPEnnn with
// RFC 3597 generic data (\# len hex). $INCLUDE is refused: the parser reads no files.
// Invariants of a parsed Zone: names canonical (name.hpp), identical records appear once,
// no CNAME shares its name with other data and no name has two CNAMEs (RFC 1034 3.6.2,
// RFC 2181 10.1), at most one SOA. Errors carry a 1-based line and column (in octets)
// within the text, and say what was expected and what was found.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/dns/message.hpp"

namespace maillab::dns {

struct Zone {
  // The SOA owner when there is a SOA; otherwise the default origin given to parse_zone,
  // else the first $ORIGIN; "" (the root) when none of these exists.
  std::string origin;
  std::vector<ResourceRecord> records;  // in file order
};

struct ZoneError {
  int line = 0;    // 1-based
  int column = 0;  // 1-based, in octets
  std::string message;
  std::string to_string() const;  // "5:12: expected an IPv4 address, found '192.0.2'"
};

struct ZoneParseResult {
  std::optional<Zone> zone;  // set on success
  ZoneError error;           // meaningful when !ok()
  bool ok() const { return zone.has_value(); }
};

// `default_origin` is the origin before any $ORIGIN (named.conf's zone name); "" means
// none, and then a relative name before the first $ORIGIN is an error.
ZoneParseResult parse_zone(std::string_view text, std::string default_origin = "");

}  // namespace maillab::dns
