// dns_zone_fuzz: arbitrary text into dns::parse_zone (RFC 1035 5 master files), once
// without a default origin and once with "fuzz.example".
//
// Checks:
// - an error has a 1-based line within the text (or just after it), a 1-based column
//   and a message;
// - a parsed zone keeps the promises of zone.hpp: canonical names, no duplicate record,
//   at most one SOA, no CNAME beside other data and no name with two CNAMEs;
// - every record encodes on the wire (encode() never refuses parsed data) and that
//   encoding is a fixpoint of decode + encode;
// - the presentation form round-trips: the records' to_string() lines, parsed again as a
//   zone, give the same records in the same order.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "fuzz/fuzz_support.hpp"
#include "protocols/dns/message.hpp"
#include "protocols/dns/name.hpp"
#include "protocols/dns/zone.hpp"

using namespace maillab;
using namespace maillab::dns;

namespace {

void check(std::string_view text, const std::string& origin) {
  const ZoneParseResult r = parse_zone(text, origin);
  if (!r.ok()) {
    std::size_t lines = 1;
    for (char c : text) lines += c == '\n';
    FUZZ_CHECK(r.error.line >= 1 && static_cast<std::size_t>(r.error.line) <= lines + 1, r.error.to_string());
    FUZZ_CHECK(r.error.column >= 1, r.error.to_string());
    FUZZ_CHECK(!r.error.message.empty(), "an error without a message");
    return;
  }
  const Zone& zone = *r.zone;
  FUZZ_CHECK(canonical_name(zone.origin) == zone.origin, "origin not canonical: " + fuzz::shown(zone.origin));
  std::size_t soas = 0;
  std::map<std::string, std::size_t> cnames, others;
  for (std::size_t i = 0; i < zone.records.size(); ++i) {
    const ResourceRecord& rr = zone.records[i];
    FUZZ_CHECK(canonical_name(rr.name) == rr.name, "owner not canonical: " + fuzz::shown(rr.name));
    for (std::size_t j = 0; j < i; ++j) FUZZ_CHECK(!(zone.records[j] == rr), "duplicate: " + rr.to_string());
    if (rr.type == Type::SOA) ++soas;
    (rr.type == Type::CNAME ? cnames : others)[rr.name]++;

    Message m;
    m.answers.push_back(rr);
    const std::string wire = encode(m);
    FUZZ_CHECK(!wire.empty(), "a parsed record does not encode: " + rr.to_string());
    const DecodeResult d = decode(wire);
    FUZZ_CHECK(d.ok(), rr.to_string() + ": " + std::string(to_string(d.error)) + ": " + d.detail);
    FUZZ_CHECK(encode(d.message) == wire, "wire form not stable: " + rr.to_string());
  }
  FUZZ_CHECK(soas <= 1, std::to_string(soas) + " SOA records");
  for (const auto& [name, n] : cnames) {
    FUZZ_CHECK(n == 1, "two CNAMEs at " + name);
    FUZZ_CHECK(others.count(name) == 0, "a CNAME beside other data at " + name);
  }

  std::string again;
  for (const auto& rr : zone.records) again += rr.to_string() + "\n";
  const ZoneParseResult r2 = parse_zone(again);
  FUZZ_CHECK(r2.ok(), "to_string() output does not parse: " + r2.error.to_string() + "\n" + fuzz::shown(again, 2000));
  FUZZ_CHECK(r2.zone->records == zone.records, "records differ after to_string():\n" + fuzz::shown(again, 2000));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  check(text, "");
  check(text, "fuzz.example");
  return 0;
}
