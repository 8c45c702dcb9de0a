// Scenario YAML shared by the tests that build a small lab (written once here; issue 17
// item 6).
// - kNsExampleHost: the `ns.example` host (192.0.2.53) serving b.example, whose one MX is
//   mx.b.example at 192.0.2.20; a block of `hosts:` (two-space indent), to splice between
//   a test's own hosts: `"hosts:\n" + std::string(kNsExampleHost) + "  mx.b.example: ..."`.
#pragma once

namespace maillab::test {

inline constexpr const char* kNsExampleHost = R"(  ns.example:
    address: 192.0.2.53
    dns:
      zones:
        - |
          $ORIGIN b.example.
          $TTL 3600
          @    IN SOA ns.example. hostmaster.b.example. 1 3600 600 604800 300
          @    IN NS  ns.example.
          @    IN MX  10 mx.b.example.
          mx   IN A   192.0.2.20
)";

}  // namespace maillab::test
