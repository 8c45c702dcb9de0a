// An authoritative name server engine, sans-I/O: a query in, a response out.
// Rules (RFC 1034 4.3.2): names in our zones get AA; an exact match answers; a CNAME at
// the name is answered and followed inside our zones (at most 8 CNAMEs, never the same
// name twice), the rcode being that of the last name (RFC 6604); a name that exists with
// no data of the type (an empty non-terminal included) is NODATA, a name that does not
// exist is NXDOMAIN, both with the zone's SOA in authority, its TTL capped by the SOA
// minimum (RFC 2308 3); wildcards synthesise (RFC 4592); a name below a delegation gets a
// referral (NS in authority, glue in additional, no AA); MX and NS answers carry the
// addresses of their targets in additional when we hold them. Names outside every zone
// are REFUSED, opcodes other than QUERY are NOTIMP, a query without exactly one question
// is FORMERR, and so is one that does not decode if its header does (else it is dropped,
// as are responses: we never answer a QR=1 message). Over `max_size`, additional records
// go first, then answer and authority, and TC is set (RFC 2181 9). Zones are IN class only.
// EDNS(0) (RFC 6891): a query with one OPT record (root owner, version 0) gets an OPT back
// announcing kEdnsSize, and its UDP answer may use min(its payload size, kEdnsSize) octets
// (never less than 512); two OPTs or a non-root owner are FORMERR, a version above 0 is
// BADVERS. The question section is answered with the query's own octets, so its mixed
// case comes back as it was sent (DNS 0x20, draft-vixie-dnsext-dns0x20: resolvers such
// as Unbound's use-caps-for-id drop answers that lowercase it). Over TCP, AXFR of a zone
// apex we hold is a full zone transfer (RFC 5936: SOA, every record, SOA, in messages of
// at most 64 KiB), and IXFR is answered with the full zone (RFC 1995 4); over UDP both are
// NOTIMP. A transfer of a name that is not one of our apexes is NOTAUTH.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "protocols/dns/message.hpp"
#include "protocols/dns/zone.hpp"

namespace maillab::dns {

class Authority {
 public:
  static constexpr int kMaxCnameChain = 8;
  static constexpr std::size_t kUdpSize = 512;  // RFC 1035 4.2.1
  // The EDNS(0) payload size we announce and accept at most (DNS flag day 2020: fits an
  // IPv6 path MTU of 1280 without fragments).
  static constexpr std::uint16_t kEdnsSize = 1232;
  static constexpr std::size_t kTcpSize = 65535;  // RFC 1035 4.2.2 length prefix

  // Serves `zone`, replacing a zone of the same origin (a reload). Records outside the
  // origin are ignored, as BIND ignores "out of zone data".
  void add_zone(Zone zone);
  bool remove_zone(std::string_view origin);
  // A dynamic update as nsupdate sends it (RFC 2136 2.5.2 then 2.5.1: "delete an RRset",
  // then "add to an RRset"): for each (name, type) in `records`, every record of that name
  // and type in the zone holding the name is replaced by the given ones, and that zone's
  // SOA serial goes up by one (RFC 2136 3.7, RFC 1982 arithmetic). All or nothing: a record
  // outside our zones, a SOA, or a CNAME beside other data (RFC 1034 3.6.2) changes nothing
  // and returns what was wrong; "" on success.
  std::string replace_rrsets(const std::vector<ResourceRecord>& records);
  bool has_zone(std::string_view origin) const;

  // The response to a decoded query.
  Message answer(const Message& query) const;
  // Wire in, wire out; "" means drop (no decodable header, or not a query). `max_size` is
  // 512 for UDP, 65535 for TCP.
  std::string handle(std::string_view wire, std::size_t max_size = kUdpSize) const;
  // Over TCP: the messages answering one query (several for a zone transfer; none when
  // the query is dropped).
  std::vector<std::string> handle_tcp(std::string_view wire) const;

 private:
  struct ZoneData {
    std::string origin;
    std::map<std::string, std::vector<ResourceRecord>, std::less<>> nodes;  // by owner
    std::set<std::string, std::less<>> names;  // owners, their ancestors up to the origin
    std::optional<ResourceRecord> soa;
  };
  enum class NodeKind { Records, EmptyNonTerminal, Missing };
  struct Node {
    NodeKind kind = NodeKind::Missing;
    const std::vector<ResourceRecord>* zone_records = nullptr;  // an exact match, in the zone
    std::vector<ResourceRecord> synthesized;  // a wildcard's records, renamed to the asked name
    const std::vector<ResourceRecord>& records() const { return zone_records ? *zone_records : synthesized; }
  };

  const ZoneData* find_zone(std::string_view name) const;
  ZoneData* find_zone(std::string_view name) {
    return const_cast<ZoneData*>(std::as_const(*this).find_zone(name));
  }
  static std::optional<std::string> delegation(const ZoneData& zone, std::string_view name);
  static Node find_node(const ZoneData& zone, std::string_view name);
  static void add_soa(const ZoneData& zone, Message& response);
  void resolve(const Question& question, Message& response) const;
  void add_addresses(Message& response) const;
  std::vector<std::string> transfer(const Message& query, std::string_view wire) const;

  std::vector<ZoneData> zones_;
  // origin -> index in zones_, so that find_zone walks the name's labels (a handful of
  // hash lookups) instead of every zone (a DNS host serving thousands of zones).
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, std::size_t, Hash, std::equal_to<>> by_origin_;
};

}  // namespace maillab::dns
