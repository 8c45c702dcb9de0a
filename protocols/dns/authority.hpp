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
// go first, then answer and authority, and TC is set (RFC 2181 9). No EDNS: an OPT record
// in a query is ignored and 512 stays the UDP default. Zones are IN class only.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "protocols/dns/message.hpp"
#include "protocols/dns/zone.hpp"

namespace maillab::dns {

class Authority {
 public:
  static constexpr int kMaxCnameChain = 8;
  static constexpr std::size_t kUdpSize = 512;  // RFC 1035 4.2.1

  // Serves `zone`, replacing a zone of the same origin (a reload). Records outside the
  // origin are ignored, as BIND ignores "out of zone data".
  void add_zone(Zone zone);
  bool remove_zone(std::string_view origin);
  bool has_zone(std::string_view origin) const;

  // The response to a decoded query.
  Message answer(const Message& query) const;
  // Wire in, wire out; "" means drop (no decodable header, or not a query). `max_size` is
  // 512 for UDP, 65535 for TCP.
  std::string handle(std::string_view wire, std::size_t max_size = kUdpSize) const;

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
  static std::optional<std::string> delegation(const ZoneData& zone, std::string_view name);
  static Node find_node(const ZoneData& zone, std::string_view name);
  static void add_soa(const ZoneData& zone, Message& response);
  void resolve(const Question& question, Message& response) const;
  void add_addresses(Message& response) const;

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
