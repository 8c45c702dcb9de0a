// Text <-> binary for the addresses A and AAAA records carry (RFC 1035 3.4.1, RFC 4291
// 2.2, RFC 5952 for the text we print). Pure functions over inet_pton/inet_ntop, which
// are conversions, not I/O. Parsing is strict: dotted quads only, no leading zeros.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/ipv4.hpp"

namespace maillab::dns {

using base::parse_ipv4;  // host byte order
inline std::string ipv4_to_string(std::uint32_t address) { return base::format_ipv4(address); }
std::optional<std::array<std::uint8_t, 16>> parse_ipv6(std::string_view text);
std::string ipv6_to_string(const std::array<std::uint8_t, 16>& address);

}  // namespace maillab::dns
