// dns_authority_fuzz: arbitrary query bytes into dns::Authority::handle on a fixed pair of
// zones (MX, A, NS delegation with glue, CNAME chains and loops, a wildcard, an empty
// non-terminal), the zones of tests/protocols/dns/authority_test.cpp.
//
// Input: byte 0 bit 0 picks the transport size (0: UDP 512, 1: TCP 65535); the rest is
// the query.
//
// Checks:
// - a response is dropped ("") exactly when the query has no 12-octet header or is itself
//   a response (QR=1); otherwise there is one;
// - a response decodes cleanly, fits max_size, has QR=1, the query's id and opcode, RD
//   copied, and the query's question when the query had exactly one;
// - over TCP without truncation, the wire response is answer() of the decoded query.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_support.hpp"
#include "protocols/dns/authority.hpp"
#include "protocols/dns/zone.hpp"
#include "tests/support/dns_zones.hpp"

using namespace maillab;
using namespace maillab::dns;

namespace {

// The tests' zones (tests/support/dns_zones.hpp) with a few records more: a TXT and an
// AAAA in b.example, a null MX (RFC 7505) in c.example.
const std::string kZoneBMore = std::string(test::kZoneB) +
                               "@    IN TXT \"v=spf1 mx -all\"\n"
                               "mx2  IN AAAA 2001:db8::22\n";

const std::string kZoneCMore = std::string(test::kZoneC) + "null      MX 0 .\n";

const Authority& authority() {
  static const Authority a = [] {
    Authority x;
    for (std::string_view text : {std::string_view(kZoneBMore), std::string_view(kZoneCMore)}) {
      auto r = parse_zone(text);
      FUZZ_CHECK(r.ok(), r.error.to_string());
      x.add_zone(*r.zone);
    }
    return x;
  }();
  return a;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t max_size = (data[0] & 1) ? 65535 : Authority::kUdpSize;
  const std::string_view wire(reinterpret_cast<const char*>(data) + 1, size - 1);
  const Authority& a = authority();
  const std::string out = a.handle(wire, max_size);

  const bool header = wire.size() >= 12;
  const bool is_response = header && (static_cast<unsigned char>(wire[2]) & 0x80);
  FUZZ_CHECK(out.empty() == (!header || is_response),
             std::string(out.empty() ? "dropped" : "answered") + " a query: " + fuzz::shown(wire));
  if (out.empty()) return 0;

  // EDNS(0) lets a UDP answer grow to what the query offers, at most kEdnsSize.
  const std::size_t limit = std::max<std::size_t>(max_size, Authority::kEdnsSize);
  FUZZ_CHECK(out.size() <= limit, std::to_string(out.size()) + " octets over " + std::to_string(limit));
  const DecodeResult resp = decode(out);
  FUZZ_CHECK(resp.ok(), "the response does not decode: " + std::string(to_string(resp.error)) + ": " + resp.detail);
  const Message& m = resp.message;
  const auto id = static_cast<std::uint16_t>((static_cast<unsigned char>(wire[0]) << 8) |
                                             static_cast<unsigned char>(wire[1]));
  FUZZ_CHECK(m.qr, "a response without QR");
  FUZZ_CHECK(m.id == id, "id " + std::to_string(m.id) + " for a query of id " + std::to_string(id));
  const DecodeResult query = decode(wire);
  FUZZ_CHECK(query.header_ok(), "a 12-octet header that does not decode");
  FUZZ_CHECK(m.opcode == query.message.opcode, "opcode changed");
  FUZZ_CHECK(m.rd == query.message.rd, "RD not copied");
  bool has_opt = false;
  for (const auto& rr : query.message.additional) has_opt = has_opt || rr.type == Type::OPT;
  if (query.ok() && query.message.questions.size() == 1) {
    FUZZ_CHECK(m.questions == query.message.questions, "the question was not echoed");
    if (max_size == 65535 && !m.tc && !has_opt) {
      const Message direct = a.answer(query.message);
      FUZZ_CHECK(direct == m, "handle() and answer() disagree");
    }
  }
  // Over TCP: every message decodes and fits its length prefix; a query that is not a
  // zone transfer gets exactly what handle() says for 65,535 octets.
  const std::vector<std::string> tcp = a.handle_tcp(wire);
  for (const std::string& msg : tcp) {
    FUZZ_CHECK(msg.size() <= Authority::kTcpSize, "a TCP message over 65,535 octets");
    FUZZ_CHECK(decode(msg).ok(), "a TCP message does not decode");
  }
  const bool transfer = query.ok() && query.message.questions.size() == 1 &&
                        (query.message.questions[0].type == Type::AXFR ||
                         query.message.questions[0].type == Type::IXFR);
  if (!transfer) {
    const std::string single = a.handle(wire, Authority::kTcpSize);
    FUZZ_CHECK(tcp.size() == (single.empty() ? 0u : 1u) && (tcp.empty() || tcp[0] == single),
               "handle_tcp() and handle() disagree on a query that is not a transfer");
  }
  return 0;
}
