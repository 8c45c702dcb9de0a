// An SPF record (RFC 7208 4.5, 4.6, 5, 6, 12 ABNF) parsed into terms. The whole record is
// checked before any of it is evaluated (4.6: a syntax error anywhere is a permerror):
// terms are separated by spaces only; mechanisms all, include, a, mx, ptr, ip4, ip6 and
// exists with their arguments and CIDR lengths (dual-cidr-length for a and mx, no leading
// zeros, at most 32 / 128); modifiers redirect and exp at most once each, unknown
// modifiers kept out (6: ignored) once their macro-string is valid. Bytes outside
// printable ASCII and space are a permerror (3.1).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/auth/ip_address.hpp"

namespace maillab::auth {

// RFC 7208 2.6; to_string gives the lowercase names of 8.
enum class SpfResult { None, Neutral, Pass, Fail, SoftFail, TempError, PermError };
std::string_view to_string(SpfResult result);

enum class SpfMechanismKind { All, Include, A, Mx, Ptr, Ip4, Ip6, Exists };

struct SpfMechanism {
  SpfResult qualifier = SpfResult::Pass;  // Pass "+", Fail "-", SoftFail "~", Neutral "?"
  SpfMechanismKind kind = SpfMechanismKind::All;
  std::string domain_spec;  // include/a/mx/ptr/exists target (macro-string); "" = <domain>
  int cidr4 = 32;
  int cidr6 = 128;
  IpAddress network;  // ip4/ip6
  std::string text;   // the term as written (Received-SPF "mechanism=")
};

struct SpfRecord {
  std::vector<SpfMechanism> mechanisms;
  std::optional<std::string> redirect;
  std::optional<std::string> exp;
  bool has_all() const;
  // Terms that cost a DNS lookup (4.6.4): include, a, mx, ptr, exists, redirect.
  int lookup_terms() const;
};

struct SpfParse {
  std::optional<SpfRecord> record;
  std::string error;  // why not, when !record
};

// "v=spf1" (any case) followed by a space or the end (4.5).
bool is_spf_record(std::string_view text);
SpfParse parse_spf_record(std::string_view text);

}  // namespace maillab::auth
