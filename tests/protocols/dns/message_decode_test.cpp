// decode() against hostile input (RFC 9267): hand-built malicious packets, each with the
// exact error, then a bounded loop of seeded random mutations that must never crash.
#include <catch2/catch.hpp>
#include <random>

#include "protocols/dns/message.hpp"

using namespace maillab::dns;

namespace {

std::string bytes(std::initializer_list<int> list) {
  std::string s;
  for (int b : list) s.push_back(static_cast<char>(b));
  return s;
}

std::string header(int qd, int an, int ns = 0, int ar = 0) {
  return bytes({0xab, 0xcd, 0x01, 0x00, qd >> 8, qd & 0xff, an >> 8, an & 0xff, ns >> 8, ns & 0xff,
                ar >> 8, ar & 0xff});
}

const std::string kTypeA = bytes({0, 1, 0, 1});      // type A, class IN
const std::string kTtl = bytes({0, 0, 0x0e, 0x10});  // 3600

std::string label(std::size_t n, char c = 'a') {
  return std::string(1, static_cast<char>(n)) + std::string(n, c);
}

DecodeError error_of(const std::string& wire) {
  const auto r = decode(wire);
  INFO(r.detail);
  return r.error;
}

}  // namespace

TEST_CASE("decode rejects RFC 9267 attacks", "[dns][decode][rfc9267]") {
  SECTION("truncated header") {
    const auto r = decode(bytes({0xab, 0xcd, 1}));
    CHECK(r.error == DecodeError::TruncatedHeader);
    CHECK_FALSE(r.header_ok());
    CHECK(decode("").error == DecodeError::TruncatedHeader);
  }
  SECTION("a pointer to itself") {
    const auto r = decode(header(1, 0) + bytes({0xc0, 12}) + kTypeA);
    CHECK(r.error == DecodeError::PointerLoop);
    CHECK(r.offset == 12);
    CHECK(r.header_ok());
    CHECK(r.message.id == 0xabcd);
  }
  SECTION("a label then a pointer back to the same name") {
    CHECK(error_of(header(1, 0) + label(1) + bytes({0xc0, 12}) + kTypeA) ==
          DecodeError::PointerLoop);
  }
  SECTION("two pointers pointing at each other") {
    // Record 1 (offset 12): root owner, type 99, RDATA (offset 23) = a pointer to 25.
    // Record 2 (offset 25): owner = a pointer to 23, which points back to 25.
    const std::string wire = header(0, 2) + bytes({0, 0, 99, 0, 1}) + kTtl +
                             bytes({0, 2, 0xc0, 25}) + bytes({0xc0, 23}) + kTypeA + kTtl +
                             bytes({0, 4, 1, 2, 3, 4});
    REQUIRE(wire.substr(23, 4) == bytes({0xc0, 25, 0xc0, 23}));
    CHECK(error_of(wire) == DecodeError::PointerLoop);
  }
  SECTION("a forward pointer") {
    CHECK(error_of(header(1, 0) + bytes({0xc0, 18}) + kTypeA + label(1) + bytes({0})) ==
          DecodeError::ForwardPointer);
  }
  SECTION("a pointer into the header") {
    CHECK(error_of(header(1, 0) + bytes({0xc0, 4}) + kTypeA) == DecodeError::BadPointer);
  }
  SECTION("a label of 64 octets") {
    CHECK(error_of(header(1, 0) + label(64) + bytes({0}) + kTypeA) == DecodeError::LabelTooLong);
    CHECK(error_of(header(1, 0) + label(63) + bytes({0}) + kTypeA) == DecodeError::None);
  }
  SECTION("reserved label type 10") {
    CHECK(error_of(header(1, 0) + bytes({0x80, 'a', 0}) + kTypeA) ==
          DecodeError::ReservedLabelType);
  }
  SECTION("a name of 256 octets, and one of exactly 255") {
    const std::string n255 = label(63) + label(63) + label(63) + label(61) + bytes({0});
    const std::string n256 = label(63) + label(63) + label(63) + label(62) + bytes({0});
    REQUIRE(n255.size() == 255);
    REQUIRE(n256.size() == 256);
    CHECK(error_of(header(1, 0) + n255 + kTypeA) == DecodeError::None);
    CHECK(error_of(header(1, 0) + n256 + kTypeA) == DecodeError::NameTooLong);
  }
  SECTION("a name over 255 octets built from pointers") {
    // Question 1 holds 3 labels of 63 (193 octets); question 2 adds 63 more through a pointer.
    const std::string q1 = label(63) + label(63) + label(63) + bytes({0}) + kTypeA;
    CHECK(error_of(header(2, 0) + q1 + label(63, 'b') + bytes({0xc0, 12}) + kTypeA) ==
          DecodeError::NameTooLong);
    CHECK(error_of(header(2, 0) + q1 + label(60, 'b') + bytes({0xc0, 12}) + kTypeA) ==
          DecodeError::None);
  }
  SECTION("a count that runs past the end") {
    const std::string q = label(1) + bytes({0}) + kTypeA;
    const std::string rr = bytes({0xc0, 12}) + kTypeA + kTtl + bytes({0, 4, 192, 0, 2, 1});
    const auto r = decode(header(1, 65535) + q + rr);
    CHECK(r.error == DecodeError::Truncated);
    CHECK(r.detail.find("answer count is 65535 but the message ends after 1") != std::string::npos);
    CHECK(r.message.answers.size() == 1);
    CHECK(error_of(header(65535, 0) + q) == DecodeError::Truncated);
    CHECK(error_of(header(1, 1, 1) + q + rr) == DecodeError::Truncated);
  }
  SECTION("truncated RDATA") {
    CHECK(error_of(header(0, 1) + bytes({0}) + kTypeA + kTtl + bytes({0, 4, 192, 0})) ==
          DecodeError::Truncated);
    CHECK(error_of(header(0, 1) + bytes({0}) + kTypeA + bytes({0, 0})) == DecodeError::Truncated);
  }
  SECTION("RDLENGTH that disagrees with a known type") {
    CHECK(error_of(header(0, 1) + bytes({0}) + kTypeA + kTtl + bytes({0, 5, 1, 2, 3, 4, 5})) ==
          DecodeError::RdataLength);
    CHECK(error_of(header(0, 1) + bytes({0, 0, 28, 0, 1}) + kTtl + bytes({0, 4, 1, 2, 3, 4})) ==
          DecodeError::RdataLength);
    // MX whose exchange ends before RDLENGTH, and CNAME whose name runs past it.
    CHECK(error_of(header(0, 1) + bytes({0, 0, 15, 0, 1}) + kTtl + bytes({0, 5, 0, 10, 0, 0, 0})) ==
          DecodeError::RdataLength);
    CHECK(error_of(header(0, 1) + bytes({0, 0, 5, 0, 1}) + kTtl +
                   bytes({0, 2, 3, 'a', 'b', 'c', 0})) == DecodeError::RdataLength);
    CHECK(error_of(header(0, 1) + bytes({0, 0, 15, 0, 1}) + kTtl + bytes({0, 1, 0})) ==
          DecodeError::RdataLength);
    CHECK(error_of(header(0, 1) + bytes({0, 0, 6, 0, 1}) + kTtl + bytes({0, 4, 0, 0, 0, 0})) ==
          DecodeError::RdataLength);
  }
  SECTION("a TXT string running past RDLENGTH") {
    CHECK(error_of(header(0, 1) + bytes({0, 0, 16, 0, 1}) + kTtl + bytes({0, 3, 5, 'a', 'b'})) ==
          DecodeError::BadRdata);
  }
  SECTION("trailing octets") {
    CHECK(error_of(header(1, 0) + label(1) + bytes({0}) + kTypeA + bytes({0})) ==
          DecodeError::TrailingData);
  }
  SECTION("a pointer chain is bounded") {
    // Name "a" at 12, then pointers each pointing at the previous one, kept in the RDATA
    // (offset 30) of a type-99 record; the next record's owner enters the chain at its end.
    auto chain = [](int n) {
      std::string rdata = bytes({0xc0, 12});
      for (int i = 1; i < n; ++i) {
        const int prev = 30 + 2 * (i - 1);
        rdata += bytes({0xc0 | prev >> 8, prev & 0xff});
      }
      const int last = 30 + 2 * (n - 1);
      return header(1, 2) + label(1) + bytes({0}) + kTypeA + bytes({0, 0, 99, 0, 1}) + kTtl +
             bytes({static_cast<int>(rdata.size()) >> 8, static_cast<int>(rdata.size()) & 0xff}) +
             rdata + bytes({0xc0 | last >> 8, last & 0xff}) + kTypeA + kTtl +
             bytes({0, 4, 1, 2, 3, 4});
    };
    const auto ok = decode(chain(100));
    INFO(ok.detail);
    REQUIRE(ok.ok());
    CHECK(ok.message.answers.at(1).name == "a");
    CHECK(error_of(chain(200)) == DecodeError::NameTooLong);
  }
}

TEST_CASE("decode survives random mutations of a valid packet", "[dns][decode][fuzz]") {
  Message m;
  m.id = 0x4242;
  m.qr = m.aa = true;
  m.questions.push_back({"b.example", Type::MX, kClassIn});
  m.answers.push_back(ResourceRecord::mx("b.example", 3600, 10, "mx1.b.example"));
  m.answers.push_back(ResourceRecord::mx("b.example", 3600, 20, "mx2.b.example"));
  m.authority.push_back(ResourceRecord::soa(
      "b.example", 300, {"ns.example", "hostmaster.b.example", 1, 3600, 600, 604800, 300}));
  m.additional.push_back(ResourceRecord::a("mx1.b.example", 3600, 0xc0000215));
  m.additional.push_back(ResourceRecord::txt("mx1.b.example", 3600, {"x", "yz"}));
  const std::string valid = encode(m);
  REQUIRE(decode(valid).ok());

  // Every strict prefix is an error, never a crash.
  for (std::size_t n = 0; n < valid.size(); ++n) {
    CHECK_FALSE(decode(valid.substr(0, n)).ok());
  }

  std::mt19937 rng(20240607);
  int decoded = 0;
  for (int iteration = 0; iteration < 20000; ++iteration) {
    std::string w = valid;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !w.empty(); ++e) {
      const std::size_t at = rng() % w.size();
      switch (rng() % 5) {
        case 0: w[at] = static_cast<char>(rng()); break;
        case 1: w[at] = static_cast<char>(0xc0 | (rng() & 0x3f)); break;  // pointer-ish
        case 2: w.resize(at); break;
        case 3: w.insert(at, 1, static_cast<char>(rng())); break;
        default: w[at] = static_cast<char>(w[at] ^ (1 << (rng() % 8))); break;
      }
    }
    const DecodeResult r = decode(w);
    if (r.ok()) {
      ++decoded;
      // Whatever decodes re-encodes, and decodes again to the same message.
      const std::string again = encode(r.message);
      REQUIRE_FALSE(again.empty());
      const DecodeResult r2 = decode(again);
      REQUIRE(r2.ok());
      REQUIRE(r2.message == r.message);
    } else {
      REQUIRE_FALSE(r.detail.empty());
    }
  }
  CHECK(decoded > 0);
}

TEST_CASE("decode of a maximal hostile packet stays bounded", "[dns][decode][fuzz]") {
  // 65535 questions claimed; each real one is a 126-pointer chain. Must simply finish.
  std::string w = header(65535, 65535, 65535, 65535) + label(1) + bytes({0}) + kTypeA;
  for (int prev = 12; w.size() + 6 < 65535; prev = static_cast<int>(w.size()) - 6) {
    w += bytes({0xc0 | prev >> 8, prev & 0xff}) + kTypeA;
  }
  const auto r = decode(w);
  CHECK_FALSE(r.ok());
}
