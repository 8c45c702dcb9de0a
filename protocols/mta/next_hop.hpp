// mta::NextHop: where mail for a domain goes when the configuration, not DNS, says so:
// Postfix's `relayhost` (every non-local domain) and `transport_maps` (per domain), written
// as Postfix writes them (postconf(5) relayhost, transport(5)):
//   [host]:port   no MX lookup: the A record of host (or host is an IPv4 literal)
//   host:port     the MX records of host, as for a domain (RFC 5321 5.1)
//   smtp:...      the transport name before the next hop; only `smtp` (and `relay`) exist
// The port is optional (25).
// Invariant: a parsed NextHop has a non-empty host without brackets, spaces or '@'.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace maillab::mta {

struct MtaConfig;

struct NextHop {
  std::string host;
  std::uint16_t port = 25;
  bool mx_lookup = true;  // false: [host] as Postfix writes it
  bool literal = false;   // host is an IPv4 address: no DNS at all (needs brackets)
  std::string text() const;  // as written back in Postfix's syntax
};

// The next hop written as above, or nullopt (with a reason in `error`, when given).
std::optional<NextHop> parse_next_hop(std::string_view text, std::string* error = nullptr);

// Where mail for `domain` (lowercase, not local) goes: its `transport` entry, else the
// `relayhost`, else nullopt (the domain's own MX records).
std::optional<NextHop> configured_next_hop(const MtaConfig& cfg, std::string_view domain);

}  // namespace maillab::mta
