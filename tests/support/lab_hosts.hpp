// Scenario YAML shared by the tests that build a small lab (written once here; issue 17
// item 6). All of it is `hosts:` text with the scenario files' two-space indent.
// - zone_entry(origin, ttl, records): one `- |` item of a host's `dns.zones`: $ORIGIN,
//   $TTL, the SOA and NS at ns.example, then `records` ("NAME IN TYPE DATA" lines, each
//   ending in a newline; names relative to the origin).
// - kBExampleRecords: b.example's one MX, mx.b.example at 192.0.2.20.
// - ns_example_host(zones): the `ns.example` host (192.0.2.53) serving `zones` (a
//   concatenation of zone_entry results), to splice between a test's own hosts.
// - kNsExampleHost: ns.example serving b.example alone (TTL 3600):
//   `"hosts:\n" + std::string(kNsExampleHost) + "  mx.b.example: ..."`.
#pragma once

#include <string>
#include <string_view>

namespace maillab::test {

inline std::string zone_entry(std::string_view origin, int ttl, std::string_view records) {
  const std::string pad(10, ' ');
  std::string out = "        - |\n" + pad + "$ORIGIN " + std::string(origin) + ".\n" + pad + "$TTL " +
                    std::to_string(ttl) + "\n" + pad + "@      IN SOA ns.example. hostmaster." +
                    std::string(origin) + ". 1 3600 600 604800 300\n" + pad + "@      IN NS  ns.example.\n";
  for (std::size_t at = 0; at < records.size();) {
    std::size_t end = records.find('\n', at);
    if (end == std::string_view::npos) end = records.size();
    out += pad + std::string(records.substr(at, end - at)) + "\n";
    at = end + 1;
  }
  return out;
}

inline constexpr std::string_view kBExampleRecords =
    "@      IN MX  10 mx.b.example.\n"
    "mx     IN A   192.0.2.20\n";

inline std::string ns_example_host(std::string_view zones) {
  return "  ns.example:\n    address: 192.0.2.53\n    dns:\n      zones:\n" + std::string(zones);
}

inline const std::string kNsExampleHost = ns_example_host(zone_entry("b.example", 3600, kBExampleRecords));

}  // namespace maillab::test
