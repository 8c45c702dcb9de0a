// decode() of message.hpp: RFC 1035 4.1 parsing, hardened as RFC 9267 asks.
// Work is bounded: every entry consumes input, and one name costs at most 255 octets of
// labels plus 127 pointers, whatever the bytes say.
#include "protocols/dns/message.hpp"
#include "protocols/dns/name.hpp"

namespace maillab::dns {
namespace {

constexpr std::size_t kHeaderSize = 12;
constexpr int kMaxPointers = 127;  // a 255-octet name has at most 127 labels to point into

class Reader {
 public:
  explicit Reader(std::string_view wire, DecodeResult& result) : wire_(wire), result_(result) {}

  std::size_t pos() const { return pos_; }
  std::size_t size() const { return wire_.size(); }
  void seek(std::size_t p) { pos_ = p; }

  bool fail(DecodeError error, std::size_t at, std::string detail) {
    result_.error = error;
    result_.offset = at;
    result_.detail = std::move(detail) + " (offset " + std::to_string(at) + ")";
    return false;
  }

  std::uint8_t byte(std::size_t at) const { return static_cast<std::uint8_t>(wire_[at]); }

  // Callers check that the bytes are there.
  std::uint16_t u16() {
    const std::uint16_t v = static_cast<std::uint16_t>(byte(pos_) << 8 | byte(pos_ + 1));
    pos_ += 2;
    return v;
  }
  std::uint32_t u32() {
    const std::uint32_t hi = u16();
    return hi << 16 | u16();
  }

  // Reads the name at pos() into `out` (canonical text). Its in-place octets must end by
  // `limit` (the end of the RDATA holding it, or of the message). RFC 9267 2: a pointer
  // must point strictly before itself and before every octet this name has read so far
  // (anything else is a loop or a forward pointer) and never into the header.
  bool name(std::string& out, std::size_t limit) {
    out.clear();  // the canonical text is built label by label (the caller drops it on failure)
    std::size_t p = pos_;
    std::size_t end = limit;
    std::size_t lowest = pos_, highest = pos_;  // octets this name has read
    std::size_t wire = 1;
    int pointers = 0;
    bool jumped = false;
    auto past_end = [&](std::size_t at, const char* what) {
      if (end < wire_.size())
        return fail(DecodeError::RdataLength, at, std::string(what) + " runs past RDLENGTH");
      return fail(DecodeError::Truncated, at,
                  std::string(what) + " runs past the end of the message");
    };
    while (true) {
      if (p >= end) return past_end(p, "name");
      const std::uint8_t len = byte(p);
      switch (len & 0xc0) {
        case 0xc0: {
          if (p + 1 >= end) return past_end(p, "compression pointer");
          const std::size_t target = static_cast<std::size_t>(len & 0x3f) << 8 | byte(p + 1);
          if (!jumped) pos_ = p + 2;
          highest = std::max(highest, p + 1);
          if (target >= lowest && target <= highest) {
            return fail(DecodeError::PointerLoop, p,
                        "pointer to " + std::to_string(target) + " re-enters the same name");
          }
          if (target > highest) {
            return fail(DecodeError::ForwardPointer, p,
                        "pointer to " + std::to_string(target) + " is not before itself");
          }
          if (target < kHeaderSize) {
            return fail(DecodeError::BadPointer, p,
                        "pointer to " + std::to_string(target) + " is inside the header");
          }
          if (++pointers > kMaxPointers) {
            return fail(DecodeError::NameTooLong, p, "more than 127 compression pointers");
          }
          lowest = target;
          p = target;
          end = wire_.size();
          jumped = true;
          continue;
        }
        case 0x40:
          return fail(DecodeError::LabelTooLong, p,
                      "label length " + std::to_string(len) + " (over 63: reserved label type 01)");
        case 0x80:
          return fail(DecodeError::ReservedLabelType, p,
                      "label type 10 (octet " + std::to_string(len) + ") is reserved");
        default: break;
      }
      if (len == 0) {
        if (!jumped) pos_ = p + 1;
        break;
      }
      if (p + 1 + len > end) return past_end(p, "label");
      wire += 1 + len;
      if (wire > kMaxNameLength) return fail(DecodeError::NameTooLong, p, "name over 255 octets");
      if (!out.empty()) out.push_back('.');  // labels are never empty here
      append_label_text(out, wire_.substr(p + 1, len));
      p += 1 + len;
      highest = std::max(highest, p - 1);
    }
    return true;
  }

  bool question(Question& q) {
    if (!name(q.name, wire_.size())) return false;
    if (pos_ + 4 > wire_.size())
      return fail(DecodeError::Truncated, pos_, "question runs past the end");
    q.type = static_cast<Type>(u16());
    q.klass = u16();
    return true;
  }

  bool record(ResourceRecord& rr) {
    if (!name(rr.name, wire_.size())) return false;
    if (pos_ + 10 > wire_.size()) {
      return fail(DecodeError::Truncated, pos_, "record header runs past the end");
    }
    rr.type = static_cast<Type>(u16());
    rr.klass = u16();
    rr.ttl = u32();
    const std::size_t rdlength = u16();
    if (pos_ + rdlength > wire_.size()) {
      return fail(DecodeError::Truncated, pos_,
                  "RDLENGTH " + std::to_string(rdlength) + " runs past the end");
    }
    const std::size_t rdata_end = pos_ + rdlength;
    if (!rdata(rr, rdlength, rdata_end)) return false;
    pos_ = rdata_end;
    return true;
  }

 private:
  std::string_view wire_;
  DecodeResult& result_;
  std::size_t pos_ = 0;

  bool length_is(std::size_t rdlength, std::size_t want, Type type) {
    if (rdlength == want) return true;
    return fail(DecodeError::RdataLength, pos_,
                to_string(type) + " RDLENGTH " + std::to_string(rdlength) + ", expected " +
                    std::to_string(want));
  }
  bool ends_at(std::size_t rdata_end, Type type) {
    if (pos_ == rdata_end) return true;
    return fail(DecodeError::RdataLength, pos_,
                to_string(type) + " RDATA ends at " + std::to_string(pos_) + " but RDLENGTH says " +
                    std::to_string(rdata_end));
  }

  // Typed RDATA for the types message.hpp knows; A and AAAA formats belong to class IN
  // only (RFC 1035 3.4), elsewhere they stay raw.
  bool rdata(ResourceRecord& rr, std::size_t rdlength, std::size_t rdata_end) {
    const bool in = rr.klass == kClassIn;
    switch (rr.type) {
      case Type::A:
        if (!in) break;
        if (!length_is(rdlength, 4, rr.type)) return false;
        rr.data = AData{u32()};
        return true;
      case Type::AAAA: {
        if (!in) break;
        if (!length_is(rdlength, 16, rr.type)) return false;
        AaaaData d;
        for (auto& b : d.address) b = byte(pos_++);
        rr.data = d;
        return true;
      }
      case Type::NS:
      case Type::CNAME:
      case Type::PTR: {
        NameData d;
        if (!name(d.target, rdata_end) || !ends_at(rdata_end, rr.type)) return false;
        rr.data = std::move(d);
        return true;
      }
      case Type::MX: {
        if (rdlength < 3) return length_is(rdlength, 3, rr.type);
        MxData d;
        d.preference = u16();
        if (!name(d.exchange, rdata_end) || !ends_at(rdata_end, rr.type)) return false;
        rr.data = std::move(d);
        return true;
      }
      case Type::SOA: {
        SoaData d;
        if (!name(d.mname, rdata_end) || !name(d.rname, rdata_end)) return false;
        if (pos_ + 20 != rdata_end) {
          return fail(DecodeError::RdataLength, pos_, "SOA needs 20 octets after its names");
        }
        d.serial = u32();
        d.refresh = u32();
        d.retry = u32();
        d.expire = u32();
        d.minimum = u32();
        rr.data = std::move(d);
        return true;
      }
      case Type::TXT: {
        TxtData d;
        while (pos_ < rdata_end) {
          const std::size_t len = byte(pos_);
          if (pos_ + 1 + len > rdata_end) {
            return fail(DecodeError::BadRdata, pos_, "TXT string runs past RDLENGTH");
          }
          d.strings.emplace_back(wire_.substr(pos_ + 1, len));
          pos_ += 1 + len;
        }
        rr.data = std::move(d);
        return true;
      }
      default: break;
    }
    rr.data = RawData{std::string(wire_.substr(pos_, rdlength))};
    return true;
  }
};

}  // namespace

DecodeResult decode(std::string_view wire) {
  DecodeResult result;
  Reader r(wire, result);
  if (wire.size() < kHeaderSize) {
    r.fail(DecodeError::TruncatedHeader, wire.size(),
           "message of " + std::to_string(wire.size()) + " octets, a header needs 12");
    return result;
  }
  Message& m = result.message;
  m.id = r.u16();
  const unsigned flags = r.u16();
  m.qr = flags & 0x8000;
  m.opcode = static_cast<std::uint8_t>(flags >> 11 & 0xf);
  m.aa = flags & 0x0400;
  m.tc = flags & 0x0200;
  m.rd = flags & 0x0100;
  m.ra = flags & 0x0080;
  m.rcode = static_cast<Rcode>(flags & 0xf);
  const std::size_t qdcount = r.u16();
  const std::size_t counts[3] = {r.u16(), r.u16(), r.u16()};

  // A count larger than what is left is found when the octets run out, so a header
  // claiming 65535 records costs nothing until the records are really there.
  auto ran_out = [&](const char* section, std::size_t count, std::size_t read) {
    return r.fail(DecodeError::Truncated, r.pos(),
                  std::string(section) + " count is " + std::to_string(count) +
                      " but the message ends after " + std::to_string(read));
  };
  for (std::size_t i = 0; i < qdcount; ++i) {
    if (r.pos() >= r.size()) {
      ran_out("question", qdcount, i);
      return result;
    }
    Question q;
    if (!r.question(q)) return result;
    m.questions.push_back(std::move(q));
  }
  static constexpr const char* kSections[3] = {"answer", "authority", "additional"};
  std::vector<ResourceRecord>* sections[3] = {&m.answers, &m.authority, &m.additional};
  for (int s = 0; s < 3; ++s) {
    for (std::size_t i = 0; i < counts[s]; ++i) {
      if (r.pos() >= r.size()) {
        ran_out(kSections[s], counts[s], i);
        return result;
      }
      ResourceRecord rr;
      if (!r.record(rr)) return result;
      sections[s]->push_back(std::move(rr));
    }
  }
  if (r.pos() != r.size()) {
    r.fail(DecodeError::TrailingData, r.pos(),
           std::to_string(r.size() - r.pos()) + " octets after the last record");
  }
  return result;
}

}  // namespace maillab::dns
