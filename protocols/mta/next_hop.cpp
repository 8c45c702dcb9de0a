#include "protocols/mta/next_hop.hpp"

#include <charconv>

#include "protocols/mta/mta_config.hpp"

namespace maillab::mta {

namespace {

std::optional<NextHop> refuse(std::string* error, std::string why) {
  if (error) *error = std::move(why);
  return std::nullopt;
}

bool host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_';
}

}  // namespace

std::string NextHop::text() const {
  std::string out = mx_lookup ? host : "[" + host + "]";
  if (port != 25) out += ":" + std::to_string(port);
  return out;
}

std::optional<NextHop> parse_next_hop(std::string_view text, std::string* error) {
  // transport(5): "transport:nexthop"; a bare next hop means the default transport (smtp).
  for (std::string_view prefix : {"smtp:", "relay:"}) {
    if (text.substr(0, prefix.size()) == prefix) {
      text.remove_prefix(prefix.size());
      break;
    }
  }
  NextHop hop;
  std::string_view host = text;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos) return refuse(error, "a `[` without its `]`");
    host = text.substr(1, close - 1);
    hop.mx_lookup = false;
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return refuse(error, "only `:port` may follow `]`");
      port = rest.substr(1);
      if (port.empty()) return refuse(error, "a `:` without a port");
    }
  } else if (const std::size_t colon = text.find(':'); colon != std::string_view::npos) {
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (port.empty()) return refuse(error, "a `:` without a port");
  }
  if (host.empty()) return refuse(error, "no host name");
  for (char c : host)
    if (!host_char(c)) return refuse(error, "`" + std::string(1, c) + "` in a host name");
  if (!port.empty()) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535)
      return refuse(error, "the port must be a number from 1 to 65535");
    hop.port = static_cast<std::uint16_t>(value);
  }
  hop.host = lowercase(std::string(host));
  hop.literal = parse_ipv4(hop.host).has_value();
  if (hop.literal && hop.mx_lookup)
    return refuse(error, "an address needs brackets (`[" + hop.host + "]`): it has no MX records");
  return hop;
}

std::optional<NextHop> configured_next_hop(const MtaConfig& cfg, std::string_view domain) {
  if (auto it = cfg.transport.find(std::string(domain)); it != cfg.transport.end())
    return parse_next_hop(it->second);
  if (!cfg.relayhost.empty()) return parse_next_hop(cfg.relayhost);
  return std::nullopt;
}

}  // namespace maillab::mta
