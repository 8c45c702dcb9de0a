// DKIM: canonicalization (RFC 6376 3.4.6 example), signing and verifying with the lab's
// keys (rsa-sha256 2048 and ed25519-sha256, made from a seed), a third-party Ed25519
// signature with the RFC 8032 7.1 key (RFC 8463's example message), and every way a
// signature can fail.
#include <catch2/catch.hpp>

#include "protocols/auth/dkim_signer.hpp"
#include "protocols/auth/dkim_verifier.hpp"
#include "protocols/auth/fake_dns.hpp"
#include "protocols/message/base64.hpp"

using namespace maillab::auth;

namespace {

const std::string kMessage =
    "Received: from pc.a.example ([192.0.2.5]) by mail.a.example\r\n"
    "From: Alice <alice@a.example>\r\n"
    "To: Bob <bob@b.example>\r\n"
    "Subject: Lunch\r\n"
    "  tomorrow?\r\n"
    "Date: Mon, 02 Mar 2026 09:00:00 +0000\r\n"
    "Message-ID: <1@a.example>\r\n"
    "\r\n"
    "Hi Bob,  \r\n"
    "lunch\tat noon?\r\n"
    "\r\n"
    "\r\n";

const DkimPrivateKey& rsa_key() {
  static const auto key = DkimPrivateKey::generate(DkimAlgorithm::RsaSha256, "seed-1/a.example/s1");
  return key;
}
const DkimPrivateKey& ed_key() {
  static const auto key = DkimPrivateKey::generate(DkimAlgorithm::Ed25519Sha256, "seed-1/a.example/s2");
  return key;
}

DkimVerification verify(FakeDns& dns, const std::string& message, std::int64_t now = 1772442000) {
  DkimVerifier v(dns, message, now);
  DkimVerification out;
  int calls = 0;
  v.start([&](const DkimVerification& r) {
    out = r;
    ++calls;
  });
  dns.deliver();
  REQUIRE(calls == 1);
  return out;
}

DkimSignOptions options(const std::string& selector) {
  DkimSignOptions o;
  o.domain = "a.example";
  o.selector = selector;
  o.now = 1772442000;
  return o;
}

}  // namespace

TEST_CASE("RFC 6376 3.4.6 canonicalization example", "[dkim][canon]") {
  CHECK(canonical_header("A: X\r\n", DkimCanon::Relaxed) == "a:X\r\n");
  CHECK(canonical_header("B : Y\t\r\n\tZ  \r\n", DkimCanon::Relaxed) == "b:Y Z\r\n");
  CHECK(canonical_body(" C \r\nD \t E\r\n\r\n\r\n", DkimCanon::Relaxed) == " C\r\nD E\r\n");
  CHECK(canonical_header("B : Y\t\r\n\tZ  \r\n", DkimCanon::Simple) == "B : Y\t\r\n\tZ  \r\n");
  CHECK(canonical_body(" C \r\nD \t E\r\n\r\n\r\n", DkimCanon::Simple) == " C \r\nD \t E\r\n");
  CHECK(canonical_body("", DkimCanon::Simple) == "\r\n");   // 3.4.3
  CHECK(canonical_body("", DkimCanon::Relaxed) == "");      // 3.4.4
  CHECK(canonical_body("a", DkimCanon::Relaxed) == "a\r\n");
  CHECK(canonical_body("\r\n \r\n", DkimCanon::Relaxed) == "");
}

TEST_CASE("h= picks instances bottom-up, extra names select nothing", "[dkim][canon]") {
  auto msg = maillab::message::Message::parse("To: one\r\nFrom: f\r\nTo: two\r\n\r\nx\r\n");
  auto picked = select_headers(msg.fields(), {"to", "From", "to", "to", "from"});
  REQUIRE(picked.size() == 3);
  CHECK(picked[0]->raw == "To: two\r\n");
  CHECK(picked[1]->raw == "From: f\r\n");
  CHECK(picked[2]->raw == "To: one\r\n");
}

TEST_CASE("keys come from the seed: same seed same key, and a DNS record for it", "[dkim][key]") {
  auto again = DkimPrivateKey::generate(DkimAlgorithm::RsaSha256, "seed-1/a.example/s1");
  CHECK(again.public_key_base64() == rsa_key().public_key_base64());
  CHECK(DkimPrivateKey::generate(DkimAlgorithm::RsaSha256, "seed-2/a.example/s1").public_key_base64() !=
        rsa_key().public_key_base64());
  auto record = rsa_key().dns_record();
  CHECK(record.rfind("v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA", 0) == 0);
  auto parsed = parse_dkim_key_record(record);
  REQUIRE(parsed.key);
  CHECK(parsed.key->bits == 2048);
  auto ed_record = ed_key().dns_record();
  CHECK(ed_record.rfind("v=DKIM1; k=ed25519; p=", 0) == 0);
  CHECK(ed_record.size() == std::string("v=DKIM1; k=ed25519; p=").size() + 44);
  CHECK(DkimPrivateKey::generate(DkimAlgorithm::Ed25519Sha256, "seed-1/a.example/s2").dns_record() == ed_record);
  auto pem = rsa_key().private_pem();
  auto back = DkimPrivateKey::from_pem(pem);
  REQUIRE(back);
  CHECK(back->public_key_base64() == rsa_key().public_key_base64());
}

TEST_CASE("RFC 8032 7.1 key: the RFC 8463 example signature verifies", "[dkim][ed25519]") {
  auto seed = maillab::message::base64_decode("nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=");
  auto key = DkimPrivateKey::from_ed25519_raw(*seed);
  REQUIRE(key);
  CHECK(key->public_key_base64() == "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=");
  const std::string signed_message =
      "DKIM-Signature: v=1; a=ed25519-sha256; c=simple/simple; \r\n"
      " d=football.example.com; i=@football.example.com; \r\n"
      " q=dns/txt; s=brisbane; t=1518460054; h=from : to : \r\n"
      " subject : date : message-id : from : subject : date; \r\n"
      " bh=4bLNXImK9drULnmePzZNEBleUanJCX5PIsDIFoH4KTQ=; \r\n"
      " b=9/dsDChY0YMTtD5Eyw3wx7x22BlSJP7M5ECbJ7GWrR45nXlTCGb8l0YB\r\n"
      " o0wBLR++X5LqmsxXaOYLLJe46l10AQ==\r\n"
      "From: Joe SixPack <joe@football.example.com>\r\n"
      "To: Suzie Q <suzie@shopping.example.net>\r\n"
      "Subject: Is dinner ready?\r\n"
      "Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)\r\n"
      "Message-ID: <20030712040037.46341.5F8J@football.example.com>\r\n"
      "\r\n"
      "Hi.\r\n"
      "\r\n"
      "We lost the game.  Are you hungry yet?\r\n"
      "\r\n"
      "Joe.\r\n";
  // (The header lines end in a space, as in the original: simple canonicalization keeps it.)
  FakeDns dns;
  dns.add_txt("brisbane._domainkey.football.example.com", "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=");
  auto v = verify(dns, signed_message);
  REQUIRE(v.signatures.size() == 1);
  INFO(v.signatures[0].reason);
  CHECK(v.signatures[0].result == DkimResult::Pass);
  CHECK(v.signatures[0].domain == "football.example.com");
  CHECK(v.signatures[0].header_b == "9/dsDChY");
}

TEST_CASE("the lab signs with OpenDKIM's defaults and verifies its own signatures", "[dkim][sign]") {
  auto field = dkim_sign(kMessage, rsa_key(), options("s1"));
  CHECK(field.rfind("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=a.example; s=s1;", 0) == 0);
  CHECK(field.find("h=From:To:Subject:Date:From;") != std::string::npos);
  CHECK(field.find("t=1772442000;") != std::string::npos);
  for (std::size_t pos = 0, next; (next = field.find("\r\n", pos)) != std::string::npos; pos = next + 2) {
    CHECK(next - pos <= 78);
  }
  FakeDns dns;
  dns.add_txt("s1._domainkey.a.example", rsa_key().dns_record());
  dns.add_txt("s2._domainkey.a.example", ed_key().dns_record());
  auto signed_message = field + kMessage;
  auto v = verify(dns, signed_message);
  REQUIRE(v.signatures.size() == 1);
  CHECK(v.signatures[0].result == DkimResult::Pass);
  CHECK(v.summary() == DkimResult::Pass);

  // Both algorithms, all four canonicalizations, l=, i=, x=; then both signatures at once.
  for (auto hc : {DkimCanon::Simple, DkimCanon::Relaxed}) {
    for (auto bc : {DkimCanon::Simple, DkimCanon::Relaxed}) {
      auto o = options("s2");
      o.header_canon = hc;
      o.body_canon = bc;
      o.body_length = true;
      o.identity = "alice@a.example";
      o.valid_for = 3600;
      auto ed_field = dkim_sign(kMessage, ed_key(), o);
      auto both = verify(dns, ed_field + signed_message);
      REQUIRE(both.signatures.size() == 2);
      CHECK(both.signatures[0].result == DkimResult::Pass);
      CHECK(both.signatures[0].algorithm == "ed25519-sha256");
      CHECK(both.signatures[0].identity == "alice@a.example");
      CHECK(both.signatures[1].result == DkimResult::Pass);
    }
  }
  // Deterministic: same key, message and time, same field.
  CHECK(dkim_sign(kMessage, rsa_key(), options("s1")) == field);
}

TEST_CASE("what breaks a signature and what does not", "[dkim][verify]") {
  FakeDns dns;
  dns.add_txt("s1._domainkey.a.example", rsa_key().dns_record());
  auto field = dkim_sign(kMessage, rsa_key(), options("s1"));
  auto result = [&](const std::string& m, std::int64_t now = 1772442000) {
    auto v = verify(dns, m, now);
    REQUIRE_FALSE(v.signatures.empty());
    return v.signatures[0];
  };
  auto relay = field + kMessage;
  // relaxed/relaxed survives refolding, whitespace changes and a trace field on top.
  auto refolded = relay;
  refolded.replace(refolded.find("Subject: Lunch\r\n  tomorrow?"), 28, "Subject:   Lunch tomorrow?  ");
  CHECK(result("Received: by mx.b.example\r\n" + refolded).result == DkimResult::Pass);
  auto body_changed = relay;
  body_changed.replace(body_changed.find("noon"), 4, "nine");
  CHECK(result(body_changed).reason == "body hash did not verify");
  auto subject_changed = relay;
  subject_changed.replace(subject_changed.find("Lunch"), 5, "Lurch");
  CHECK(result(subject_changed).reason == "signature did not verify");
  // From is oversigned: a second From on top breaks it.
  CHECK(result(field + "From: mallory@evil.example\r\n" + kMessage).result == DkimResult::Fail);
  // A Cc added (not present when signed, not oversigned) is allowed.
  auto with_cc = relay;
  with_cc.insert(with_cc.find("\r\n\r\n") + 2, "Cc: carol@c.example\r\n");
  CHECK(result(with_cc).result == DkimResult::Pass);
  // Bare LF line ends (a Maildir copy) read as CRLF.
  std::string lf;
  for (char c : relay) {
    if (c != '\r') lf += c;
  }
  CHECK(result(lf).result == DkimResult::Pass);

  auto o = options("s1");
  o.valid_for = 60;
  auto expiring = dkim_sign(kMessage, rsa_key(), o) + kMessage;
  CHECK(result(expiring, 1772442000 + 60).result == DkimResult::Pass);
  CHECK(result(expiring, 1772442000 + 61).reason == "signature expired (x=)");

  o = options("s1");
  o.body_length = true;
  auto limited = dkim_sign(kMessage, rsa_key(), o) + kMessage;
  CHECK(result(limited + "appended by a list\r\n").result == DkimResult::Pass);  // l= covers the original
  auto cut = limited.substr(0, limited.size() - 10);
  CHECK(result(cut).result == DkimResult::Fail);
}

TEST_CASE("key records: missing, revoked, wrong type, testing, DNS failures", "[dkim][key]") {
  auto signed_message = dkim_sign(kMessage, rsa_key(), options("s1")) + kMessage;
  auto first = [&](FakeDns& dns) { return verify(dns, signed_message).signatures.at(0); };
  auto p = rsa_key().public_key_base64();
  struct Row {
    std::string record;
    DkimResult result;
  };
  const Row rows[] = {
      {"v=DKIM1; k=rsa; p=" + p, DkimResult::Pass},
      {"k=rsa; p=" + p, DkimResult::Pass},
      {"v=DKIM1; h=sha256:sha512; s=email; t=y:s; n=notes; p=" + p, DkimResult::Pass},
      {"v=DKIM1; p=", DkimResult::PermError},                      // revoked
      {"v=DKIM1; k=ed25519; p=" + p, DkimResult::PermError},       // not an ed25519 key
      {"v=DKIM1; h=sha1; p=" + p, DkimResult::PermError},          // hash not allowed
      {"v=DKIM1; s=other; p=" + p, DkimResult::PermError},         // not for email
      {"p=" + p + "; v=DKIM1", DkimResult::PermError},             // v= must come first
      {"v=DKIM1; p=!!!", DkimResult::PermError},
      {"v=DKIM2; p=" + p, DkimResult::PermError},
  };
  for (const auto& row : rows) {
    FakeDns dns;
    dns.add_txt("s1._domainkey.a.example", row.record);
    INFO(row.record);
    auto r = first(dns);
    CHECK(r.result == row.result);
  }
  FakeDns testing;
  testing.add_txt("s1._domainkey.a.example", "v=DKIM1; t=y; p=" + p);
  CHECK(first(testing).testing);
  FakeDns missing;
  CHECK(first(missing).result == DkimResult::PermError);
  FakeDns slow;
  slow.set_timeout("s1._domainkey.a.example");
  CHECK(first(slow).result == DkimResult::TempError);
  FakeDns broken;
  broken.set_servfail("s1._domainkey.a.example");
  CHECK(first(broken).result == DkimResult::TempError);
}

TEST_CASE("RSA key records: every DER form of p= reads the same key", "[dkim][key]") {
  // p= is a SubjectPublicKeyInfo (RFC 6376 3.6.1); the lab reads the usual rsaEncryption
  // form itself and leaves any other to OpenSSL's decoders, with the same outcome.
  auto signed_message = dkim_sign(kMessage, rsa_key(), options("s1")) + kMessage;
  const std::string spki = *maillab::message::base64_decode(rsa_key().public_key_base64());
  REQUIRE(spki.size() == 294);
  const std::string pkcs1 = spki.substr(24);  // the RSAPublicKey inside the BIT STRING
  // The AlgorithmIdentifier without its NULL parameters (lengths 0x122 -> 0x120, 13 -> 11).
  const std::string no_null = std::string("\x30\x82\x01\x20\x30\x0b", 6) + spki.substr(6, 11) + spki.substr(19);
  std::string other_algorithm = spki;
  other_algorithm[16] = '\x07';  // 1.2.840.113549.1.1.7 (RSAES-OAEP), not rsaEncryption
  struct Row {
    std::string der;
    DkimResult result;
  };
  const Row rows[] = {
      {spki, DkimResult::Pass},
      {pkcs1, DkimResult::Pass},
      {spki + std::string(1, '\0'), DkimResult::Pass},  // d2i_PUBKEY reads the first object
      {no_null, DkimResult::Pass},
      {spki.substr(0, 200), DkimResult::PermError},
      {std::string("\x30\x80", 2) + spki.substr(4) + std::string(2, '\0'), DkimResult::Pass},  // BER: d2i_PUBKEY takes it
      {other_algorithm, DkimResult::PermError},
  };
  for (const auto& row : rows) {
    FakeDns dns;
    dns.add_txt("s1._domainkey.a.example", "v=DKIM1; p=" + maillab::message::base64_encode(row.der));
    INFO(maillab::message::base64_encode(row.der));
    CHECK(verify(dns, signed_message).signatures.at(0).result == row.result);
  }
}

TEST_CASE("the parsed-key cache: one parse per name and text, bounded, never ahead of DNS", "[dkim][key]") {
  auto signed_message = dkim_sign(kMessage, rsa_key(), options("s1")) + kMessage;
  auto verify_with = [&](DkimKeyCache& cache, const std::string& record) {
    FakeDns dns;
    dns.add_txt("s1._domainkey.a.example", record);
    DkimVerifier v(dns, signed_message, 1772442000);
    v.use_key_cache(&cache);
    DkimResult result = DkimResult::None;
    v.start([&](const DkimVerification& r) { result = r.signatures.at(0).result; });
    dns.deliver();
    return result;
  };
  const std::string record = "v=DKIM1; k=rsa; p=" + rsa_key().public_key_base64();
  DkimKeyCache cache(2);
  CHECK(verify_with(cache, record) == DkimResult::Pass);
  CHECK(verify_with(cache, record) == DkimResult::Pass);
  CHECK(cache.size() == 1);
  CHECK(cache.hits() == 1);
  // DNS now answers with the key revoked: the next message sees it at once.
  CHECK(verify_with(cache, "v=DKIM1; k=rsa; p=") == DkimResult::PermError);
  CHECK(verify_with(cache, record) == DkimResult::Pass);
  CHECK(cache.hits() == 2);
  // The same text under another name is parsed for that name; the oldest entry goes.
  CHECK(cache.parse("s2._domainkey.a.example", record)->key);
  CHECK(cache.size() == 2);
  CHECK(cache.hits() == 2);
  CHECK_FALSE(cache.parse("s1._domainkey.a.example", "v=DKIM1; k=rsa; p=")->key->key);  // revoked: no EVP_PKEY
  CHECK(cache.hits() == 2);  // it had been evicted (capacity 2)
  DkimKeyCache off(0);
  CHECK(verify_with(off, record) == DkimResult::Pass);
  CHECK(off.size() == 0);
}

TEST_CASE("signature fields that cannot be processed are neutral", "[dkim][verify]") {
  FakeDns dns;
  const std::string bad[] = {
      "DKIM-Signature: v=2; a=rsa-sha256; d=a.example; s=s1; h=From; bh=AAAA; b=AAAA\r\n",
      "DKIM-Signature: v=1; a=rsa-md5; d=a.example; s=s1; h=From; bh=AAAA; b=AAAA\r\n",
      "DKIM-Signature: v=1; a=rsa-sha1; d=a.example; s=s1; h=From; bh=AAAA; b=AAAA\r\n",
      "DKIM-Signature: v=1; a=rsa-sha256; d=a.example; s=s1; h=To; bh=AAAA; b=AAAA\r\n",
      "DKIM-Signature: v=1; a=rsa-sha256; d=a.example; s=s1; h=From; bh=AAAA\r\n",
      "DKIM-Signature: v=1; a=rsa-sha256; d=a.example; i=x@b.example; s=s1; h=From; bh=AAAA; b=AAAA\r\n",
      "DKIM-Signature: v=1; a=rsa-sha256; d=a.example; s=s1; h=From; bh=AAAA; b=AAAA; t=10; x=5\r\n",
      "DKIM-Signature: v=1; a=rsa-sha256; d=a.example; s=s1/../x; h=From; bh=AAAA; b=AAAA\r\n",
      "DKIM-Signature: v=1; v=1; a=rsa-sha256; d=a.example; s=s1; h=From; bh=AAAA; b=AAAA\r\n",
  };
  for (const auto& field : bad) {
    INFO(field);
    auto v = verify(dns, field + kMessage);
    REQUIRE(v.signatures.size() == 1);
    CHECK(v.signatures[0].result == DkimResult::Neutral);
  }
  CHECK(dns.queries().empty());
  CHECK(verify(dns, kMessage).summary() == DkimResult::None);
}
