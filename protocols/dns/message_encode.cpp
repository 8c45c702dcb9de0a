// encode() of message.hpp: RFC 1035 4.1 layout and 4.1.4 name compression.
#include <forward_list>
#include <unordered_map>
#include <vector>

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
  // Keys are views: into the message being encoded when the name is canonical already
  // (the usual case: no copy, no label vector), else into a canonical copy kept here.
  void name(std::string_view text) {
    if (is_canonical(text)) {
      for (std::size_t start = 0; start < text.size();) {
        const std::string_view key = text.substr(start);
        const std::string_view label = key.substr(0, key.find('.'));
        if (!write_label_or_pointer(key, label)) return;
        start += label.size() + 1;
      }
      u8(0);
      return;
    }
    auto labels = name_to_labels(text);
    if (!labels) {
      ok = false;
      return;
    }
    std::string& canonical = canonical_copies_.emplace_front();
    std::vector<std::size_t> starts;
    for (std::size_t i = 0; i < labels->size(); ++i) {
      if (i) canonical.push_back('.');
      starts.push_back(canonical.size());
      append_label_text(canonical, (*labels)[i]);
    }
    for (std::size_t i = 0; i < labels->size(); ++i) {
      if (!write_label_or_pointer(std::string_view(canonical).substr(starts[i]), (*labels)[i])) return;
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
  // Suffix -> offset of its first occurrence. A short list searched in order serves the
  // usual message (a handful of names); past kLinear entries a hash index takes over.
  struct Suffix {
    std::string_view key;
    std::size_t offset;
  };
  static constexpr std::size_t kLinear = 32;
  std::vector<Suffix> suffixes_;
  std::unordered_map<std::string_view, std::size_t> index_;
  std::forward_list<std::string> canonical_copies_;  // a list: keys into them stay valid

  std::size_t find_suffix(std::string_view key) const {
    if (!index_.empty()) {
      const auto it = index_.find(key);
      return it == index_.end() ? std::string_view::npos : it->second;
    }
    for (const Suffix& s : suffixes_)
      if (s.key == key) return s.offset;
    return std::string_view::npos;
  }

  void add_suffix(std::string_view key, std::size_t offset) {
    if (index_.empty() && suffixes_.size() < kLinear) {
      if (suffixes_.empty()) suffixes_.reserve(kLinear);
      suffixes_.push_back({key, offset});
      return;
    }
    if (index_.empty())
      for (const Suffix& s : suffixes_) index_.emplace(s.key, s.offset);
    index_.emplace(key, offset);
  }

  // The pointer to `key` if it was written before (then the name is complete: false),
  // else the label, remembering where its suffix starts.
  bool write_label_or_pointer(std::string_view key, std::string_view label) {
    if (const std::size_t at = find_suffix(key); at != std::string_view::npos) {
      u16(0xc000 | static_cast<unsigned>(at));
      return false;
    }
    if (out.size() <= kMaxPointerTarget) add_suffix(key, out.size());
    u8(static_cast<unsigned>(label.size()));
    out += label;
    return true;
  }

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
  w.out.reserve(512);  // a UDP message (RFC 1035 4.2.1) in one allocation
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
