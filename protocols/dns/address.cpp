#include "protocols/dns/address.hpp"

#include <arpa/inet.h>

#include <cstring>

namespace maillab::dns {

std::optional<std::array<std::uint8_t, 16>> parse_ipv6(std::string_view text) {
  if (text.size() > 45) return std::nullopt;
  const std::string s(text);
  in6_addr a{};
  if (inet_pton(AF_INET6, s.c_str(), &a) != 1) return std::nullopt;
  std::array<std::uint8_t, 16> out{};
  std::memcpy(out.data(), &a, 16);
  return out;
}

std::string ipv6_to_string(const std::array<std::uint8_t, 16>& address) {
  in6_addr a{};
  std::memcpy(&a, address.data(), 16);
  char buf[INET6_ADDRSTRLEN] = {};
  if (!inet_ntop(AF_INET6, &a, buf, sizeof buf)) return "::";
  return buf;
}

}  // namespace maillab::dns
