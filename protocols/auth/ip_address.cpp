#include "protocols/auth/ip_address.hpp"

#include "protocols/dns/address.hpp"

namespace maillab::auth {

IpAddress IpAddress::from_v4(std::uint32_t a) {
  IpAddress ip;
  ip.bytes[0] = static_cast<std::uint8_t>(a >> 24);
  ip.bytes[1] = static_cast<std::uint8_t>(a >> 16);
  ip.bytes[2] = static_cast<std::uint8_t>(a >> 8);
  ip.bytes[3] = static_cast<std::uint8_t>(a);
  return ip;
}

IpAddress IpAddress::from_v6(const std::array<std::uint8_t, 16>& b) {
  bool mapped = b[10] == 0xff && b[11] == 0xff;
  for (int i = 0; i < 10 && mapped; ++i) mapped = b[i] == 0;
  if (mapped) {
    return from_v4((std::uint32_t{b[12]} << 24) | (std::uint32_t{b[13]} << 16) |
                   (std::uint32_t{b[14]} << 8) | b[15]);
  }
  IpAddress ip;
  ip.v6 = true;
  ip.bytes = b;
  return ip;
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  if (auto v4 = dns::parse_ipv4(text)) return from_v4(*v4);
  if (auto v6 = dns::parse_ipv6(text)) return from_v6(*v6);
  return std::nullopt;
}

bool IpAddress::in_network(const IpAddress& network, int prefix) const {
  if (v6 != network.v6 || prefix < 0 || prefix > (v6 ? 128 : 32)) return false;
  int full = prefix / 8;
  for (int i = 0; i < full; ++i) {
    if (bytes[i] != network.bytes[i]) return false;
  }
  int rest = prefix % 8;
  if (rest == 0) return true;
  auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
  return (bytes[full] & mask) == (network.bytes[full] & mask);
}

std::string IpAddress::to_string() const {
  if (v6) return dns::ipv6_to_string(bytes);
  return std::to_string(bytes[0]) + "." + std::to_string(bytes[1]) + "." +
         std::to_string(bytes[2]) + "." + std::to_string(bytes[3]);
}

namespace {
constexpr char kHex[] = "0123456789abcdef";
}

std::string IpAddress::macro_form() const {
  if (!v6) return to_string();
  std::string out;
  for (int i = 0; i < 16; ++i) {
    if (i > 0) out += '.';
    out += kHex[bytes[i] >> 4];
    out += '.';
    out += kHex[bytes[i] & 15];
  }
  return out;
}

std::string IpAddress::reverse_name() const {
  std::string out;
  if (!v6) {
    for (int i = 3; i >= 0; --i) out += std::to_string(bytes[i]) + ".";
    return out + "in-addr.arpa";
  }
  for (int i = 15; i >= 0; --i) {
    out += kHex[bytes[i] & 15];
    out += '.';
    out += kHex[bytes[i] >> 4];
    out += '.';
  }
  return out + "ip6.arpa";
}

}  // namespace maillab::auth
