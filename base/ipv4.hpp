// base::parse_ipv4 / format_ipv4 / Cidr: IPv4 addresses and networks as text, one
// definition for every layer (the simulator's addresses, DNS A records, the scenario
// loader; RFC 791 dotted quads, RFC 4632 3.1 prefixes). The lowest layer: it depends on
// nothing of the lab.
//
// Invariants: addresses are in host byte order. parse_ipv4 is inet_pton(AF_INET): exactly
// four decimal octets 0-255, no leading zero ("010" would be octal to inet_aton), no
// sign, no blank; format_ipv4 writes that same form back. A Cidr keeps its address as
// written; contains() compares under the prefix's mask, so host bits do not matter there
// (the loader refuses them, Postfix's mynetworks ignores them).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace maillab::base {

std::optional<std::uint32_t> parse_ipv4(std::string_view text);
std::string format_ipv4(std::uint32_t address);

struct Cidr {
  std::uint32_t network = 0;  // as written
  int prefix = 32;            // 0..32

  // "a.b.c.d/N" (N: one or two decimal digits, at most 32) or a bare address (/32).
  static std::optional<Cidr> parse(std::string_view text);
  std::uint32_t mask() const { return prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix); }
  bool host_bits_set() const { return (network & mask()) != network; }
  bool contains(std::uint32_t address) const { return (address & mask()) == (network & mask()); }
};

}  // namespace maillab::base
