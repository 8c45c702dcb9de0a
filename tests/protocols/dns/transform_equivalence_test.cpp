// The name transforms rewritten for speed (labels_to_name, canonical_name's fast path,
// encode's name compression, decode's name text) against their previous versions kept
// here as oracles, on random names made of the bytes that matter (dots, backslashes,
// upper case, specials, 8-bit, NUL, blanks).
#include <catch2/catch.hpp>

#include <map>
#include <random>

#include "protocols/dns/message.hpp"
#include "protocols/dns/name.hpp"

using namespace maillab::dns;

namespace {

// ---- the previous versions ----

bool old_is_special(unsigned char c) {
  return c == '.' || c == '\\' || c == '"' || c == '(' || c == ')' || c == ';' || c == '@' || c == '$';
}

std::string old_labels_to_name(const Labels& labels) {
  std::string out;
  for (std::size_t n = 0; n < labels.size(); ++n) {
    if (n) out.push_back('.');
    for (const char ch : labels[n]) {
      auto c = static_cast<unsigned char>(ch);
      if (c >= 'A' && c <= 'Z') c = static_cast<unsigned char>(c - 'A' + 'a');
      if (old_is_special(c)) {
        out.push_back('\\');
        out.push_back(static_cast<char>(c));
      } else if (c < 0x21 || c > 0x7e) {
        out.push_back('\\');
        out.push_back(static_cast<char>('0' + c / 100));
        out.push_back(static_cast<char>('0' + c / 10 % 10));
        out.push_back(static_cast<char>('0' + c % 10));
      } else {
        out.push_back(static_cast<char>(c));
      }
    }
  }
  return out;
}

std::optional<std::string> old_canonical_name(std::string_view text) {
  auto labels = name_to_labels(text);
  if (!labels) return std::nullopt;
  return old_labels_to_name(*labels);
}

// encode() with a std::map of suffix keys built by labels_to_name.
class OldWriter {
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
  void name(std::string_view text) {
    auto labels = name_to_labels(text);
    if (!labels) {
      ok = false;
      return;
    }
    for (std::size_t i = 0; i < labels->size(); ++i) {
      std::string key = old_labels_to_name(Labels(labels->begin() + static_cast<long>(i), labels->end()));
      if (auto it = suffixes_.find(key); it != suffixes_.end()) {
        u16(0xc000 | static_cast<unsigned>(it->second));
        return;
      }
      if (out.size() <= 0x3fff) suffixes_.emplace(std::move(key), out.size());
      const std::string& label = (*labels)[i];
      u8(static_cast<unsigned>(label.size()));
      out += label;
    }
    u8(0);
  }
  void record(const ResourceRecord& rr) {
    name(rr.name);
    u16(static_cast<unsigned>(rr.type));
    u16(rr.klass);
    u32(rr.ttl);
    const std::size_t length_at = out.size();
    u16(0);
    if (const auto* mx = std::get_if<MxData>(&rr.data)) {
      u16(mx->preference);
      name(mx->exchange);
    } else if (const auto* n = std::get_if<NameData>(&rr.data)) {
      name(n->target);
    } else if (const auto* a = std::get_if<AData>(&rr.data)) {
      u32(a->address);
    } else if (const auto* soa = std::get_if<SoaData>(&rr.data)) {
      name(soa->mname);
      name(soa->rname);
      for (const auto v : {soa->serial, soa->refresh, soa->retry, soa->expire, soa->minimum}) u32(v);
    }
    const std::size_t length = out.size() - length_at - 2;
    out[length_at] = static_cast<char>(length >> 8);
    out[length_at + 1] = static_cast<char>(length & 0xff);
  }

 private:
  std::map<std::string, std::size_t> suffixes_;
};

// The old encode for messages of A, MX, NS/CNAME/PTR and SOA records (what the test builds).
std::string old_encode(const Message& m) {
  OldWriter w;
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
  for (const auto& q : m.questions) {
    w.name(q.name);
    w.u16(static_cast<unsigned>(q.type));
    w.u16(q.klass);
  }
  for (const auto* section : {&m.answers, &m.authority, &m.additional}) {
    for (const auto& rr : *section) {
      w.record(rr);
      if (!w.ok || w.out.size() > 65535) return {};
    }
  }
  if (!w.ok || w.out.size() > 65535) return {};
  return std::move(w.out);
}

// ---- random names ----

const std::string kLabelBytes = std::string("aZ-\\.\"();@$ \t:\0\x7f\x80\xff", 17) + "abcxyz019";

std::string random_label(std::mt19937& rng, std::size_t max_len) {
  std::uniform_int_distribution<std::size_t> len(1, max_len), pick(0, kLabelBytes.size() - 1);
  std::string s(len(rng), ' ');
  for (char& c : s) c = kLabelBytes[pick(rng)];
  return s;
}

// Presentation text: mostly plain names from a small pool (so suffixes repeat), some in
// upper case, some with escapes, a trailing dot, an empty or an over-long label.
std::string random_name_text(std::mt19937& rng) {
  static const char* pool[] = {"b.example", "mx1.b.example", "mx2.b.example", "example", "a.b.c.example",
                               "www.b.example", "x-1.org", "", "in-addr.arpa", "2.0.192.in-addr.arpa"};
  std::uniform_int_distribution<int> kind(0, 9);
  std::uniform_int_distribution<std::size_t> which(0, std::size(pool) - 1);
  std::string s = pool[which(rng)];
  switch (kind(rng)) {
    case 0:
      for (char& c : s)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
      break;
    case 1: s += "."; break;
    case 2: s = "a\\.b." + s; break;
    case 3: s = "\\065\\255." + s; break;
    case 4: s = std::string(kind(rng) > 4 ? 64 : 63, 'l') + "." + s; break;
    case 5: s = "a.." + s; break;
    case 6: s = "Sub." + s; break;
    default: break;
  }
  return s;
}

ResourceRecord random_record(std::mt19937& rng) {
  std::uniform_int_distribution<int> kind(0, 4);
  const std::string owner = random_name_text(rng);
  ResourceRecord rr;
  rr.name = owner;  // as given: encode canonicalises (or refuses) it
  rr.ttl = 60;
  switch (kind(rng)) {
    case 0: rr.type = Type::A; rr.data = AData{0xc0000201}; break;
    case 1: rr.type = Type::MX; rr.data = MxData{10, random_name_text(rng)}; break;
    case 2: rr.type = Type::NS; rr.data = NameData{random_name_text(rng)}; break;
    case 3: rr.type = Type::CNAME; rr.data = NameData{random_name_text(rng)}; break;
    default:
      rr.type = Type::SOA;
      rr.data = SoaData{random_name_text(rng), random_name_text(rng), 1, 2, 3, 4, 5};
      break;
  }
  return rr;
}

}  // namespace

TEST_CASE("labels_to_name and canonical_name match their previous versions", "[dns][name][equivalence]") {
  std::mt19937 rng(1035);
  std::uniform_int_distribution<int> count(0, 5);
  for (int round = 0; round < 20000; ++round) {
    Labels labels;
    for (int n = count(rng); n > 0; --n) labels.push_back(random_label(rng, round % 10 == 0 ? 70 : 8));
    const std::string name = labels_to_name(labels);
    REQUIRE(name == old_labels_to_name(labels));
    // The canonical text is its own canonical form; its raw text with dots is not always.
    REQUIRE(canonical_name(name) == old_canonical_name(name));
    std::string joined;
    for (const auto& l : labels) joined += (joined.empty() ? "" : ".") + l;
    REQUIRE(canonical_name(joined) == old_canonical_name(joined));
    const std::string text = random_name_text(rng);
    REQUIRE(canonical_name(text) == old_canonical_name(text));
    if (is_canonical(text)) REQUIRE(old_canonical_name(text) == text);
    if (is_canonical(name)) REQUIRE(old_canonical_name(name) == name);
  }
  // Edge cases by hand: the root, dots alone, limits of 63 and 255 octets.
  const std::string l63 = std::string(63, 'a') + "." + std::string(63, 'b') + "." + std::string(63, 'c') + ".";
  for (const std::string& text : std::vector<std::string>{"", ".", "..", "a.", ".a", "a..b", "A", "a\\", "\\.",
                                                          "a\\.b", std::string(63, 'a'), std::string(64, 'a'),
                                                          l63 + std::string(61, 'd'), l63 + std::string(62, 'd')}) {
    INFO(text);
    CHECK(canonical_name(text) == old_canonical_name(text));
    if (is_canonical(text)) CHECK(old_canonical_name(text) == text);
  }
  // 253 octets of text is the longest name (255 on the wire); one more is refused.
  CHECK(is_canonical(l63 + std::string(61, 'd')));
  CHECK_FALSE(is_canonical(l63 + std::string(62, 'd')));
  CHECK_FALSE(is_canonical("a\\.b"));  // canonical, but with an escape: the slow path handles it
}

TEST_CASE("encode compresses exactly as before, in small and large messages", "[dns][message][equivalence]") {
  std::mt19937 rng(4145);
  std::uniform_int_distribution<int> small(0, 6), large(30, 120);
  for (int round = 0; round < 3000; ++round) {
    Message m;
    m.id = static_cast<std::uint16_t>(round);
    m.qr = round % 2;
    m.questions.push_back({random_name_text(rng), Type::MX, kClassIn});
    // Past 32 remembered suffixes encode switches to a hash index: cover both.
    for (int n = round % 4 == 0 ? large(rng) : small(rng); n > 0; --n) {
      (n % 3 == 0 ? m.additional : m.answers).push_back(random_record(rng));
    }
    const std::string now = encode(m);
    REQUIRE(now == old_encode(m));
    if (now.empty()) continue;
    // decode gives back the canonical texts of the names that went in.
    const DecodeResult back = decode(now);
    REQUIRE(back.ok());
    REQUIRE(back.message.questions.size() == 1);
    REQUIRE(back.message.questions[0].name == old_canonical_name(m.questions[0].name));
    REQUIRE(back.message.answers.size() == m.answers.size());
    for (std::size_t i = 0; i < m.answers.size(); ++i) {
      REQUIRE(back.message.answers[i].name == old_canonical_name(m.answers[i].name));
    }
  }
}

TEST_CASE("decode spells raw label bytes as the previous version did", "[dns][decode][equivalence]") {
  std::mt19937 rng(9267);
  std::uniform_int_distribution<int> count(0, 4);
  for (int round = 0; round < 20000; ++round) {
    Labels labels;
    std::size_t wire = 1;
    for (int n = count(rng); n > 0; --n) {
      labels.push_back(random_label(rng, 20));
      wire += 1 + labels.back().size();
    }
    if (wire > kMaxNameLength) continue;
    // A question with that name, written by hand (no compression).
    std::string packet("\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00", 12);
    for (const auto& l : labels) {
      packet.push_back(static_cast<char>(l.size()));
      packet += l;
    }
    packet += std::string("\x00\x00\x0f\x00\x01", 5);
    const DecodeResult r = decode(packet);
    REQUIRE(r.ok());
    REQUIRE(r.message.questions[0].name == old_labels_to_name(labels));
  }
}
