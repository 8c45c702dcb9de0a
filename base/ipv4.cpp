#include "base/ipv4.hpp"

#include <arpa/inet.h>

#include <cstring>

namespace maillab::base {

std::optional<std::uint32_t> parse_ipv4(std::string_view text) {
  char buf[16];  // "255.255.255.255" and its NUL; inet_pton wants a C string
  // A NUL inside would end the C string early: "1.2.3.4\0junk" is not an address.
  if (text.size() >= sizeof buf || std::memchr(text.data(), '\0', text.size())) return std::nullopt;
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  in_addr a{};
  if (inet_pton(AF_INET, buf, &a) != 1) return std::nullopt;
  return ntohl(a.s_addr);
}

// Written out digit by digit: the simulator formats an address for every datagram a
// service receives and every peer_address(); four std::to_string calls cost several
// times more.
std::string format_ipv4(std::uint32_t address) {
  char buf[15];  // "255.255.255.255"
  char* p = buf;
  for (int i = 3; i >= 0; --i) {
    const unsigned v = (address >> (8 * i)) & 0xff;
    if (v >= 100) *p++ = static_cast<char>('0' + v / 100);
    if (v >= 10) *p++ = static_cast<char>('0' + v / 10 % 10);
    *p++ = static_cast<char>('0' + v % 10);
    if (i) *p++ = '.';
  }
  return std::string(buf, static_cast<std::size_t>(p - buf));
}

std::optional<Cidr> Cidr::parse(std::string_view text) {
  const std::size_t slash = text.find('/');
  const auto address = parse_ipv4(text.substr(0, slash));
  if (!address) return std::nullopt;
  Cidr c{*address, 32};
  if (slash == std::string_view::npos) return c;
  const std::string_view digits = text.substr(slash + 1);
  if (digits.empty() || digits.size() > 2) return std::nullopt;
  c.prefix = 0;
  for (char d : digits) {
    if (d < '0' || d > '9') return std::nullopt;
    c.prefix = c.prefix * 10 + (d - '0');
  }
  if (c.prefix > 32) return std::nullopt;
  return c;
}

}  // namespace maillab::base
