// dkim_fuzz: the DKIM-Signature parser, the canonicalizers and the verifier on arbitrary
// message bytes, and a sign-then-verify round trip.
//
// Input: byte 0 flags (bit 0: the round trip uses simple header canonicalization, bit 1:
// simple body, bit 2: l=); the rest is a message.
//
// Checks: canonical headers are one line ending in CRLF (relaxed: lowercase name, no
// WSP before the CRLF or around the colon); canonical bodies end in CRLF (or are empty:
// relaxed), never end in an empty line, and canonicalizing twice changes nothing; the
// verifier calls back once whatever the fields say; a message whose first line is a header
// field verifies after the lab signs it (ed25519-sha256, key published in FakeDns).
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_support.hpp"
#include "protocols/auth/dkim_signer.hpp"
#include "protocols/auth/dkim_verifier.hpp"
#include "protocols/auth/fake_dns.hpp"
#include "protocols/message/line_endings.hpp"

using namespace maillab;
using namespace maillab::auth;

namespace {

const DkimPrivateKey& key() {
  static const auto k = DkimPrivateKey::generate(DkimAlgorithm::Ed25519Sha256, "fuzz");
  return k;
}

void check_body(std::string_view body, DkimCanon canon) {
  auto c = canonical_body(body, canon);
  if (canon == DkimCanon::Relaxed && c.empty()) return;
  FUZZ_CHECK(fuzz::ends_with(c, "\r\n"), "canonical body without final CRLF: " + fuzz::shown(c));
  FUZZ_CHECK(c == "\r\n" || !fuzz::ends_with(c, "\r\n\r\n"), "canonical body ends in an empty line");
  FUZZ_CHECK(canonical_body(c, canon) == c, "canonicalizing twice changed the body: " + fuzz::shown(c));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t flags = data[0];
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  const auto wire = message::lf_to_crlf(bytes);
  const auto msg = message::Message::parse(wire);

  for (const auto& field : msg.fields()) {
    auto relaxed = canonical_header(field.raw, DkimCanon::Relaxed);
    FUZZ_CHECK(fuzz::ends_with(relaxed, "\r\n"), fuzz::shown(relaxed));
    std::string_view line(relaxed.data(), relaxed.size() - 2);
    FUZZ_CHECK(line.find('\n') == std::string_view::npos, "relaxed header with a line break: " + fuzz::shown(relaxed));
    auto colon = line.find(':');
    if (colon != std::string_view::npos && !field.name.empty()) {
      for (char c : line.substr(0, colon)) FUZZ_CHECK(!std::isupper(static_cast<unsigned char>(c)), fuzz::shown(relaxed));
      FUZZ_CHECK(line.size() == colon + 1 || (line[colon + 1] != ' ' && line[colon + 1] != '\t'), fuzz::shown(relaxed));
      FUZZ_CHECK(line.empty() || (line.back() != ' ' && line.back() != '\t') || line.size() == colon + 1 ||
                     line.back() == ':',
                 "relaxed header ends in WSP: " + fuzz::shown(relaxed));
    }
    if (message::iequals(field.name, "DKIM-Signature")) {
      auto parsed = parse_dkim_signature(std::string_view(field.raw).substr(field.raw.find(':') + 1));
      FUZZ_CHECK(parsed.signature || !parsed.error.empty(), "refused without a reason");
    }
  }
  check_body(msg.body(), DkimCanon::Simple);
  check_body(msg.body(), DkimCanon::Relaxed);

  FakeDns dns;
  dns.set_deferred(flags & 8);
  dns.add_txt("fuzz._domainkey.fuzz.example", key().dns_record());
  {
    DkimVerifier verifier(dns, wire, 1772442000);
    int calls = 0;
    verifier.start([&](const DkimVerification&) { ++calls; });
    dns.deliver();
    FUZZ_CHECK(calls == 1, "the verifier called back " + std::to_string(calls) + " times");
  }

  const auto& fields = msg.fields();
  bool headed = !fields.empty() && !fields.front().name.empty() && wire.find('\r') == wire.find("\r\n");
  for (const auto& f : fields) headed = headed && !f.name.empty();
  if (!headed) return 0;
  DkimSignOptions o;
  o.domain = "fuzz.example";
  o.selector = "fuzz";
  o.now = 1772442000;
  o.header_canon = (flags & 1) ? DkimCanon::Simple : DkimCanon::Relaxed;
  o.body_canon = (flags & 2) ? DkimCanon::Simple : DkimCanon::Relaxed;
  o.body_length = flags & 4;
  const auto signed_message = dkim_sign(wire, key(), o) + wire;
  DkimVerifier verifier(dns, signed_message, 1772442000);
  DkimVerification result;
  verifier.start([&](const DkimVerification& r) { result = r; });
  dns.deliver();
  FUZZ_CHECK(!result.signatures.empty() && result.signatures.front().result == DkimResult::Pass,
             "the lab's own signature does not verify (" +
                 (result.signatures.empty() ? std::string("none") : result.signatures.front().reason) +
                 "):\n" + fuzz::shown(signed_message, 2000));
  return 0;
}
