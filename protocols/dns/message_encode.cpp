// encode() of message.hpp: RFC 1035 4.1 layout and 4.1.4 name compression.
#include <map>

#include "protocols/dns/message.hpp"
#include "protocols/dns/name.hpp"

namespace maillab::dns {
namespace {

constexpr std::size_t kMaxPointerTarget = 0x3fff;  // 14 bits of offset
constexpr std::size_t kMaxMessage = 65535;         // RFC 1035 4.2.2 length prefix

class Writer {
 public:
  std::string out;
  bool ok = true;

  void u8(unsigned v) { out.push_back(static_cast<char>(v & 0xff)); }
  void u16(unsigned v) {
    u8(v >> 8);
    u8(v);
  }
  void u32(std::uint32_t v) {
    u16(v >> 16);
    u16(v & 0xffff);
  }

  // Writes `name`, replacing its longest suffix already in the message by a pointer. Each
  // suffix is keyed by its canonical text, so compression is case-insensitive (4.1.4).
  void name(std::string_view text) {
    auto labels = name_to_labels(text);
    if (!labels) {
      ok = false;
      return;
    }
    for (std::size_t i = 0; i < labels->size(); ++i) {
      std::string key =
          labels_to_name(Labels(labels->begin() + static_cast<long>(i), labels->end()));
      if (auto it = suffixes_.find(key); it != suffixes_.end()) {
        u16(0xc000 | static_cast<unsigned>(it->second));
        return;
      }
      if (out.size() <= kMaxPointerTarget) suffixes_.emplace(std::move(key), out.size());
      const std::string& label = (*labels)[i];
      u8(static_cast<unsigned>(label.size()));
      out += label;
    }
    u8(0);
  }

  void question(const Question& q) {
    name(q.name);
    u16(static_cast<unsigned>(q.type));
    u16(q.klass);
  }

  void record(const ResourceRecord& rr) {
    name(rr.name);
    u16(static_cast<unsigned>(rr.type));
    u16(rr.klass);
    u32(rr.ttl);
    const std::size_t length_at = out.size();
    u16(0);
    if (!std::visit([&](const auto& d) { return rdata(rr.type, d); }, rr.data)) ok = false;
    const std::size_t length = out.size() - length_at - 2;
    if (length > 0xffff) {
      ok = false;
      return;
    }
    out[length_at] = static_cast<char>(length >> 8);
    out[length_at + 1] = static_cast<char>(length & 0xff);
  }

 private:
  std::map<std::string, std::size_t> suffixes_;

  bool rdata(Type, const RawData& d) {
    out += d.bytes;
    return true;
  }
  bool rdata(Type t, const AData& d) {
    u32(d.address);
    return t == Type::A;
  }
  bool rdata(Type t, const AaaaData& d) {
    for (const auto b : d.address) u8(b);
    return t == Type::AAAA;
  }
  bool rdata(Type t, const NameData& d) {
    name(d.target);
    return t == Type::NS || t == Type::CNAME || t == Type::PTR;
  }
  bool rdata(Type t, const MxData& d) {
    u16(d.preference);
    name(d.exchange);
    return t == Type::MX;
  }
  bool rdata(Type t, const SoaData& d) {
    name(d.mname);
    name(d.rname);
    for (const auto v : {d.serial, d.refresh, d.retry, d.expire, d.minimum}) u32(v);
    return t == Type::SOA;
  }
  bool rdata(Type t, const TxtData& d) {
    for (const auto& s : d.strings) {
      if (s.size() > 255) return false;
      u8(static_cast<unsigned>(s.size()));
      out += s;
    }
    return t == Type::TXT;
  }
};

}  // namespace

std::string encode(const Message& m) {
  for (const std::size_t n :
       {m.questions.size(), m.answers.size(), m.authority.size(), m.additional.size()}) {
    if (n > 0xffff) return {};
  }
  Writer w;
  w.u16(m.id);
  unsigned flags = 0;
  if (m.qr) flags |= 0x8000;
  flags |= (m.opcode & 0xfu) << 11;
  if (m.aa) flags |= 0x0400;
  if (m.tc) flags |= 0x0200;
  if (m.rd) flags |= 0x0100;
  if (m.ra) flags |= 0x0080;
  flags |= static_cast<unsigned>(m.rcode) & 0xfu;
  w.u16(flags);
  w.u16(static_cast<unsigned>(m.questions.size()));
  w.u16(static_cast<unsigned>(m.answers.size()));
  w.u16(static_cast<unsigned>(m.authority.size()));
  w.u16(static_cast<unsigned>(m.additional.size()));
  for (const auto& q : m.questions) w.question(q);
  for (const auto* section : {&m.answers, &m.authority, &m.additional}) {
    for (const auto& rr : *section) {
      w.record(rr);
      if (!w.ok || w.out.size() > kMaxMessage) return {};
    }
  }
  if (!w.ok || w.out.size() > kMaxMessage) return {};
  return std::move(w.out);
}

}  // namespace maillab::dns
