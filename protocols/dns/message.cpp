// Presentation text and builders for message.hpp; the codec is in message_encode.cpp and
// message_decode.cpp.
#include "protocols/dns/message.hpp"

#include "protocols/dns/address.hpp"
#include "protocols/dns/name.hpp"

namespace maillab::dns {
namespace {

std::string canonical_or_raw(std::string_view name) {
  auto c = canonical_name(name);
  return c ? *c : std::string(name);
}

// A <character-string> in master-file form (RFC 1035 5.1): quoted, with \" \\ and \DDD.
std::string quote(std::string_view s) {
  std::string out = "\"";
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(ch);
    } else if (c < 0x20 || c > 0x7e) {
      out.push_back('\\');
      out.push_back(static_cast<char>('0' + c / 100));
      out.push_back(static_cast<char>('0' + c / 10 % 10));
      out.push_back(static_cast<char>('0' + c % 10));
    } else {
      out.push_back(ch);
    }
  }
  out.push_back('"');
  return out;
}

struct RdataText {
  std::string operator()(const RawData& d) const {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out = "\\# " + std::to_string(d.bytes.size());
    if (!d.bytes.empty()) out.push_back(' ');
    for (const char ch : d.bytes) {
      const auto c = static_cast<unsigned char>(ch);
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
    return out;
  }
  std::string operator()(const AData& d) const { return ipv4_to_string(d.address); }
  std::string operator()(const AaaaData& d) const { return ipv6_to_string(d.address); }
  std::string operator()(const NameData& d) const { return absolute_name(d.target); }
  std::string operator()(const MxData& d) const {
    return std::to_string(d.preference) + " " + absolute_name(d.exchange);
  }
  std::string operator()(const SoaData& d) const {
    return absolute_name(d.mname) + " " + absolute_name(d.rname) + " " + std::to_string(d.serial) +
           " " + std::to_string(d.refresh) + " " + std::to_string(d.retry) + " " +
           std::to_string(d.expire) + " " + std::to_string(d.minimum);
  }
  std::string operator()(const TxtData& d) const {
    std::string out;
    for (const auto& s : d.strings) {
      if (!out.empty()) out.push_back(' ');
      out += quote(s);
    }
    return out;
  }
};

}  // namespace

std::string to_string(Type type) {
  switch (type) {
    case Type::A: return "A";
    case Type::NS: return "NS";
    case Type::CNAME: return "CNAME";
    case Type::SOA: return "SOA";
    case Type::PTR: return "PTR";
    case Type::MX: return "MX";
    case Type::TXT: return "TXT";
    case Type::AAAA: return "AAAA";
    case Type::OPT: return "OPT";
    case Type::IXFR: return "IXFR";
    case Type::AXFR: return "AXFR";
    case Type::ANY: return "ANY";
  }
  return "TYPE" + std::to_string(static_cast<unsigned>(type));
}

std::string to_string(Rcode rcode) {
  switch (rcode) {
    case Rcode::NoError: return "NOERROR";
    case Rcode::FormErr: return "FORMERR";
    case Rcode::ServFail: return "SERVFAIL";
    case Rcode::NxDomain: return "NXDOMAIN";
    case Rcode::NotImp: return "NOTIMP";
    case Rcode::Refused: return "REFUSED";
    case Rcode::NotAuth: return "NOTAUTH";
  }
  return "RCODE" + std::to_string(static_cast<unsigned>(rcode));
}

std::string class_to_string(std::uint16_t klass) {
  switch (klass) {
    case 1: return "IN";
    case 3: return "CH";
    case 4: return "HS";
    case 255: return "ANY";
    default: return "CLASS" + std::to_string(klass);
  }
}

std::string ResourceRecord::rdata_text() const { return std::visit(RdataText{}, data); }

std::string ResourceRecord::to_string() const {
  return absolute_name(name) + " " + std::to_string(ttl) + " " + class_to_string(klass) + " " +
         dns::to_string(type) + " " + rdata_text();
}

ResourceRecord ResourceRecord::a(std::string_view name, std::uint32_t ttl, std::uint32_t address) {
  return {canonical_or_raw(name), Type::A, kClassIn, ttl, AData{address}};
}

ResourceRecord ResourceRecord::aaaa(std::string_view name, std::uint32_t ttl,
                                    const std::array<std::uint8_t, 16>& address) {
  return {canonical_or_raw(name), Type::AAAA, kClassIn, ttl, AaaaData{address}};
}

ResourceRecord ResourceRecord::target(Type type, std::string_view name, std::uint32_t ttl,
                                      std::string_view target) {
  return {canonical_or_raw(name), type, kClassIn, ttl, NameData{canonical_or_raw(target)}};
}

ResourceRecord ResourceRecord::mx(std::string_view name, std::uint32_t ttl,
                                  std::uint16_t preference, std::string_view exchange) {
  return {canonical_or_raw(name), Type::MX, kClassIn, ttl,
          MxData{preference, canonical_or_raw(exchange)}};
}

ResourceRecord ResourceRecord::soa(std::string_view name, std::uint32_t ttl, SoaData soa) {
  soa.mname = canonical_or_raw(soa.mname);
  soa.rname = canonical_or_raw(soa.rname);
  return {canonical_or_raw(name), Type::SOA, kClassIn, ttl, std::move(soa)};
}

ResourceRecord ResourceRecord::txt(std::string_view name, std::uint32_t ttl,
                                   std::vector<std::string> strings) {
  return {canonical_or_raw(name), Type::TXT, kClassIn, ttl, TxtData{std::move(strings)}};
}

Message make_query(std::uint16_t id, std::string name, Type type) {
  Message m;
  m.id = id;
  m.rd = true;
  m.questions.push_back({canonical_or_raw(name), type, kClassIn});
  return m;
}

Message make_reply(const Message& query, Rcode rcode) {
  Message m;
  m.id = query.id;
  m.qr = true;
  m.opcode = query.opcode;
  m.rd = query.rd;
  m.rcode = rcode;
  m.questions = query.questions;
  return m;
}

std::string_view to_string(DecodeError error) {
  switch (error) {
    case DecodeError::None: return "ok";
    case DecodeError::TruncatedHeader: return "truncated header";
    case DecodeError::Truncated: return "truncated";
    case DecodeError::PointerLoop: return "compression pointer loop";
    case DecodeError::ForwardPointer: return "forward compression pointer";
    case DecodeError::BadPointer: return "compression pointer into the header";
    case DecodeError::LabelTooLong: return "label longer than 63 octets";
    case DecodeError::ReservedLabelType: return "reserved label type";
    case DecodeError::NameTooLong: return "name longer than 255 octets";
    case DecodeError::RdataLength: return "RDLENGTH mismatch";
    case DecodeError::BadRdata: return "malformed RDATA";
    case DecodeError::TrailingData: return "trailing data";
  }
  return "unknown";
}

}  // namespace maillab::dns
