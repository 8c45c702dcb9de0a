// smtp_tls_security_level `secure` against `verify` (scenario-format.md 1.1 "TLS", Postfix
// smtp_tls_secure_cert_match = nexthop, dot-nexthop): verify checks the certificate for
// the MX host's name, which an unsigned MX record supplies; secure checks it for the next
// hop (the recipient domain, or the relayhost/transport host) or a name under it. An MX
// outside the domain with a valid certificate for its own name passes verify and is a
// temporary failure (4.7.5) under secure; one whose certificate also names the domain
// passes both.
#include <catch2/catch.hpp>

#include <string>

#include "scenarios/expectations.hpp"
#include "world_helpers.hpp"

using namespace maillab;
using namespace maillab::scenario;
using namespace maillab::scenario::test;

namespace {

// b.example's MX is mx.provider.example, whose certificate names `names`; mail.a.example
// sends with `level`.
std::string world_text(const std::string& level, const std::string& names) {
  return R"(scenario: secure-match
duration: 30m
hosts:
  ns.example:
    address: 192.0.2.53
    dns:
      zones:
        - |
          $ORIGIN b.example.
          $TTL 3600
          @    IN SOA ns.example. hostmaster.b.example. 1 3600 600 604800 300
          @    IN NS  ns.example.
          @    IN MX  10 mx.provider.example.
        - |
          $ORIGIN provider.example.
          $TTL 3600
          @    IN SOA ns.example. hostmaster.provider.example. 1 3600 600 604800 300
          @    IN NS  ns.example.
          mx   IN A   192.0.2.20
  mail.a.example:
    address: 192.0.2.10
    resolver: 192.0.2.53
    tls: true
    mta:
      domains: [a.example]
      mynetworks: [192.0.2.0/24]
      smtp_tls_security_level: )" + level + R"(
  mx.provider.example:
    address: 192.0.2.20
    tls: {names: )" + names + R"(}
    mta: {domains: [b.example]}
    users: {bob: {password: builder}}
events:
  - at: 1s
    send: {from: alice@a.example, to: [bob@b.example], subject: Hi, server: mail.a.example, auth: none}
expect:
  - delivered: {to: bob@b.example, subject: Hi}
)";
}

bool delivered(const std::string& text) {
  auto w = run_world(from_text(text));
  return check_expectations(*w).front().passed;
}

std::string deferral(const std::string& text) {
  auto w = run_world(from_text(text));
  for (const auto& e : w->trace().events())
    if (e.event == io::trace::ev::kRelayDeferred) return std::string(e.get(io::trace::key::kDiagnostic));
  return {};
}

}  // namespace

TEST_CASE("secure checks the next hop's name, verify the MX host's", "[scenarios][tls]") {
  CHECK(delivered(world_text("verify", "[mx.provider.example]")));
  CHECK_FALSE(delivered(world_text("secure", "[mx.provider.example]")));
  CHECK(deferral(world_text("secure", "[mx.provider.example]")).find("4.7.5 Server certificate not verified") !=
        std::string::npos);
  // A certificate that also names the domain (or a name under it) passes secure.
  CHECK(delivered(world_text("secure", "[mx.provider.example, b.example]")));
  CHECK(delivered(world_text("secure", "[mx.provider.example, mx.b.example]")));
  CHECK_FALSE(delivered(world_text("verify", "[b.example]")));
}
