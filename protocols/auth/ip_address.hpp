// IpAddress: the client address an SPF check is about (RFC 7208 5.6, 7.3), IPv4 or IPv6.
// An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is an IPv4 address (RFC 7208 5, item 9 of
// 5.1.1 in the openspf suite: "MUST be treated as IPv4"). Parsing is strict (dotted quads
// without leading zeros, inet_pton for IPv6), via protocols/dns/address.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace maillab::auth {

struct IpAddress {
  bool v6 = false;
  std::array<std::uint8_t, 16> bytes{};  // IPv4: the first 4 octets

  static std::optional<IpAddress> parse(std::string_view text);
  static IpAddress from_v4(std::uint32_t host_order);
  static IpAddress from_v6(const std::array<std::uint8_t, 16>& network_order);

  // Whether the first `prefix` bits equal those of `network` (same family only).
  bool in_network(const IpAddress& network, int prefix) const;
  // "192.0.2.1" / "2001:db8::1" (RFC 5952).
  std::string to_string() const;
  // %{i} of RFC 7208 7.3: dotted quad, or 32 dot-separated nibbles for IPv6.
  std::string macro_form() const;
  // The reverse name: "1.2.0.192.in-addr.arpa" / "...ip6.arpa" (RFC 1035 3.5, RFC 3596 2.5).
  std::string reverse_name() const;
  bool operator==(const IpAddress&) const = default;
};

}  // namespace maillab::auth
