// A DNS message as data, with its wire codec (RFC 1035 4.1; compression 4.1.4).
// Invariants: every name is canonical (name.hpp: lowercase, no trailing dot, "" = root);
// a record's `data` alternative matches its `type` (AData for A, MxData for MX, ...), or
// is RawData (RFC 3597 generic RDATA), which any type may carry.
// decode() is the hardened entry for bytes from a peer (RFC 9267): pointer loops, forward
// pointers, pointers into the header, label types 0x40/0x80, names over 255 octets,
// counts or RDATA running past the end, RDLENGTH that disagrees with a known type and
// trailing bytes are all errors, and its work is bounded by the input's size.
// Not kept: the Z/AD/CD header bits (RFC 2535/4035); EDNS OPT records pass as RawData.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace maillab::dns {

// Other values are allowed as raw numbers: static_cast<Type>(33) is SRV.
enum class Type : std::uint16_t {
  A = 1,
  NS = 2,
  CNAME = 5,
  SOA = 6,
  PTR = 12,
  MX = 15,
  TXT = 16,
  AAAA = 28,
  OPT = 41,    // EDNS(0) pseudo-record (RFC 6891 6.1)
  IXFR = 251,  // RFC 1995
  AXFR = 252,  // RFC 5936
  ANY = 255
};
// RFC 1035 4.1.1; values 6..15 are allowed as raw numbers.
enum class Rcode : std::uint8_t {
  NoError = 0,
  FormErr = 1,
  ServFail = 2,
  NxDomain = 3,
  NotImp = 4,
  Refused = 5,
  NotAuth = 9  // RFC 2136 2.2: the server is not authoritative for the zone
};

inline constexpr std::uint16_t kClassIn = 1;
inline constexpr std::uint16_t kClassAny = 255;
inline constexpr std::uint8_t kOpcodeQuery = 0;

std::string to_string(Type type);                  // "MX", or "TYPE33" (RFC 3597 5)
std::string to_string(Rcode rcode);                // "NXDOMAIN", or "RCODE9"
std::string class_to_string(std::uint16_t klass);  // "IN", "CH", "HS", or "CLASS7"

struct AData {  // A: the address in host byte order (192.0.2.1 = 0xC0000201)
  std::uint32_t address = 0;
  bool operator==(const AData&) const = default;
};
struct AaaaData {  // AAAA (RFC 3596): network byte order
  std::array<std::uint8_t, 16> address{};
  bool operator==(const AaaaData&) const = default;
};
struct NameData {  // NS, CNAME, PTR
  std::string target;
  bool operator==(const NameData&) const = default;
};
struct MxData {
  std::uint16_t preference = 0;
  std::string exchange;  // "" is the null MX of RFC 7505 when preference is 0
  bool operator==(const MxData&) const = default;
};
struct SoaData {
  std::string mname, rname;
  std::uint32_t serial = 0, refresh = 0, retry = 0, expire = 0, minimum = 0;
  bool operator==(const SoaData&) const = default;
};
struct TxtData {  // each string at most 255 octets
  std::vector<std::string> strings;
  bool operator==(const TxtData&) const = default;
};
struct RawData {  // RDATA of a type this codec does not interpret
  std::string bytes;
  bool operator==(const RawData&) const = default;
};
using Rdata = std::variant<RawData, AData, AaaaData, NameData, MxData, SoaData, TxtData>;

struct ResourceRecord {
  std::string name;  // canonical: lowercase, no trailing dot, "" = root
  Type type = Type::A;
  std::uint16_t klass = kClassIn;
  std::uint32_t ttl = 0;
  Rdata data;

  // Presentation format of the RDATA (RFC 1035 5.1): "10 mx1.b.example.", "192.0.2.21",
  // "\"v=spf1 -all\"", "\\# 3 010203" for RawData (RFC 3597 5).
  std::string rdata_text() const;
  // A whole master-file line: "b.example. 3600 IN MX 10 mx1.b.example."
  std::string to_string() const;
  bool operator==(const ResourceRecord&) const = default;

  // Builders; names are canonicalised (kept as given if they are not valid names).
  static ResourceRecord a(std::string_view name, std::uint32_t ttl, std::uint32_t address);
  static ResourceRecord aaaa(std::string_view name, std::uint32_t ttl,
                             const std::array<std::uint8_t, 16>& address);
  static ResourceRecord target(Type type, std::string_view name, std::uint32_t ttl,
                               std::string_view target);  // NS, CNAME, PTR
  static ResourceRecord mx(std::string_view name, std::uint32_t ttl, std::uint16_t preference,
                           std::string_view exchange);
  static ResourceRecord soa(std::string_view name, std::uint32_t ttl, SoaData soa);
  static ResourceRecord txt(std::string_view name, std::uint32_t ttl,
                            std::vector<std::string> strings);
};

struct Question {
  std::string name;  // canonical
  Type type = Type::A;
  std::uint16_t klass = kClassIn;
  bool operator==(const Question&) const = default;
};

struct Message {
  std::uint16_t id = 0;
  bool qr = false, aa = false, tc = false, rd = false, ra = false;
  std::uint8_t opcode = kOpcodeQuery;  // 4 bits
  Rcode rcode = Rcode::NoError;        // 4 bits (no EDNS extended rcode)
  std::vector<Question> questions;
  std::vector<ResourceRecord> answers, authority, additional;
  bool operator==(const Message&) const = default;
};

// A standard query with RD set, as a stub resolver sends it (RFC 1034 5.3.1).
Message make_query(std::uint16_t id, std::string name, Type type);
// The skeleton of a reply to `query`: same id, opcode, RD and question; QR set.
Message make_reply(const Message& query, Rcode rcode = Rcode::NoError);

// Wire form with name compression (RFC 1035 4.1.4) of question and owner names and of the
// names inside NS, CNAME, PTR, MX and SOA RDATA (RFC 3597 4). Returns "" when `message`
// cannot be encoded: a name that is not valid, a `data` alternative that does not match
// its type, a TXT string over 255 octets, a section over 65535 entries, RDATA over 65535
// octets. Messages built from decoded or parsed data always encode.
std::string encode(const Message& message);

enum class DecodeError {
  None,
  TruncatedHeader,    // fewer than 12 octets: not even the id can be trusted
  Truncated,          // a count, a name or RDATA runs past the end
  PointerLoop,        // a compression pointer to a part of the name already read
  ForwardPointer,     // a pointer not strictly before itself (RFC 9267 2)
  BadPointer,         // a pointer into the 12-octet header
  LabelTooLong,       // length octet 0x40-0x7F: a label over 63 (or the reserved type 01)
  ReservedLabelType,  // length octet 0x80-0xBF (RFC 6891 deprecated/reserved label types)
  NameTooLong,        // over 255 octets (RFC 1035 2.3.4), or over 127 pointers
  RdataLength,        // RDLENGTH disagrees with the RDATA of a known type
  BadRdata,           // e.g. a TXT character-string running past RDLENGTH
  TrailingData,       // octets after the last record
};
std::string_view to_string(DecodeError error);

struct DecodeResult {
  DecodeError error = DecodeError::None;
  std::string detail;      // what was wrong, for logs and traces
  std::size_t offset = 0;  // octet offset where the problem was found
  // Complete when ok(). Otherwise, unless error is TruncatedHeader, the header fields (id,
  // flags, opcode, rcode) are valid and the sections hold what was decoded before the
  // error, so a server can still answer FORMERR to the right id.
  Message message;
  bool ok() const { return error == DecodeError::None; }
  bool header_ok() const { return error != DecodeError::TruncatedHeader; }
};

DecodeResult decode(std::string_view wire);

}  // namespace maillab::dns
