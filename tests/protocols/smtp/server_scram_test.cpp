// AUTH SCRAM-SHA-256 (RFC 7677, RFC 5802) in the SMTP server engine: the bytes of the
// example exchange of RFC 7677 3, and every way it fails.
#include <catch2/catch.hpp>

#include "protocols/message/base64.hpp"
#include "protocols/message/sasl_scram.hpp"
#include "smtp_test_support.hpp"

using namespace maillab;
using namespace maillab::smtp;
using namespace maillab::smtp::test;
using message::base64_decode;
using message::base64_encode;

namespace {

// RFC 7677 3: user "user", password "pencil".
const std::string kClientFirst = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
const std::string kServerNonce = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
const std::string kServerFirst =
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
const std::string kClientFinal =
    "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
const std::string kServerFinal = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

struct ScramHandler : RecordingHandler {
  std::map<std::string, std::string> scram_passwords;  // user -> password ("" = none)
  std::vector<std::pair<std::string, bool>> results;
  std::string nonce = kServerNonce;
  std::optional<message::ScramVerifier> scram_verifier(std::string_view user) override {
    auto it = scram_passwords.find(std::string(user));
    if (it == scram_passwords.end() || it->second.empty()) return std::nullopt;
    return message::scram_sha256_verifier(it->second, *base64_decode("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096);
  }
  std::string scram_nonce() override { return nonce; }
  void on_auth_result(std::string_view user, bool ok) override { results.emplace_back(std::string(user), ok); }
};

ServerConfig scram_config() {
  ServerConfig c = server_config();
  c.auth_mechanisms = {"PLAIN", "LOGIN", "SCRAM-SHA-256"};
  return c;
}

std::string step(ServerSession& s, const std::string& line) {
  s.receive(line + "\r\n");
  return s.take_output();
}

std::string b64(const std::string& s) { return base64_encode(s); }

}  // namespace

TEST_CASE("SCRAM-SHA-256: the key arithmetic gives RFC 7677's example bytes", "[smtp][auth][scram]") {
  auto first = message::parse_scram_client_first(kClientFirst);
  REQUIRE(first);
  CHECK(first->user == "user");
  CHECK(first->gs2_header == "n,,");
  const auto v = message::scram_sha256_verifier("pencil", *base64_decode("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096);
  CHECK(message::scram_server_first(*first, kServerNonce, v) == kServerFirst);
  CHECK(message::scram_client_final("pencil", *first, kServerFirst) == kClientFinal);
  auto fin = message::parse_scram_client_final(kClientFinal);
  REQUIRE(fin);
  CHECK(message::scram_verify(v, *first, kServerFirst, *fin) == kServerFinal);
  const auto wrong = message::scram_sha256_verifier("pencil2", v.salt, 4096);
  CHECK_FALSE(message::scram_verify(wrong, *first, kServerFirst, *fin));
}

TEST_CASE("SCRAM-SHA-256: the server's side of RFC 7677's example exchange", "[smtp][auth][scram]") {
  ScramHandler h;
  h.scram_passwords["user"] = "pencil";
  ServerSession s(scram_config(), h);
  CHECK(converse(s, "EHLO c\r\n").find("250-AUTH PLAIN LOGIN SCRAM-SHA-256\r\n") != std::string::npos);

  SECTION("initial response on the AUTH line") {
    CHECK(step(s, "AUTH SCRAM-SHA-256 " + b64(kClientFirst)) == "334 " + b64(kServerFirst) + "\r\n");
  }
  SECTION("client-first after an empty challenge") {
    CHECK(step(s, "AUTH scram-sha-256") == "334 \r\n");
    CHECK(step(s, b64(kClientFirst)) == "334 " + b64(kServerFirst) + "\r\n");
  }
  CHECK(step(s, b64(kClientFinal)) == "334 " + b64(kServerFinal) + "\r\n");
  CHECK(s.envelope().auth_user.empty());  // not before the client's last (empty) response
  CHECK(step(s, "") == "235 2.7.0 Authentication successful\r\n");
  CHECK(s.envelope().auth_user == "user");
  CHECK(h.results == std::vector<std::pair<std::string, bool>>{{"user", true}});
  // The trace never carries the exchange's messages.
  for (const auto& [line, reply] : h.exchanges) CHECK(line.find("cm9") == std::string::npos);
  CHECK(step(s, "AUTH SCRAM-SHA-256 " + b64(kClientFirst)).rfind("503 5.5.1", 0) == 0);
}

TEST_CASE("SCRAM-SHA-256: wrong passwords, unknown users and malformed messages get 535", "[smtp][auth][scram]") {
  ScramHandler h;
  h.scram_passwords["user"] = "pencil";
  h.scram_passwords["nopass"] = "";
  ServerSession s(scram_config(), h);
  converse(s, "EHLO c\r\n");
  const std::string fail = "535 5.7.8 Error: authentication failed\r\n";

  SECTION("a proof made with another password") {
    step(s, "AUTH SCRAM-SHA-256 " + b64(kClientFirst));
    auto first = message::parse_scram_client_first(kClientFirst);
    CHECK(step(s, b64(message::scram_client_final("pencil!", *first, kServerFirst))) == fail);
    CHECK(h.results == std::vector<std::pair<std::string, bool>>{{"user", false}});
  }
  for (const std::string who : {"nobody", "nopass"}) {
    SECTION("a user without a password or unknown: the exchange runs and fails, " + who) {
      const std::string cf = "n,,n=" + who + ",r=abcdefghijklmnop";
      const std::string reply = step(s, "AUTH SCRAM-SHA-256 " + b64(cf));
      REQUIRE(reply.rfind("334 ", 0) == 0);
      const std::string sf = *base64_decode(reply.substr(4, reply.size() - 6));
      CHECK(sf.rfind("r=abcdefghijklmnop" + kServerNonce + ",s=", 0) == 0);
      CHECK(sf.find(",i=4096") != std::string::npos);
      auto first = message::parse_scram_client_first(cf);
      // Even a proof made with the empty password is no login.
      CHECK(step(s, b64(message::scram_client_final("", *first, sf))) == fail);
      CHECK(s.envelope().auth_user.empty());
    }
  }
  SECTION("a client-final repeating another nonce") {
    step(s, "AUTH SCRAM-SHA-256 " + b64(kClientFirst));
    std::string other = kClientFinal;
    other.replace(other.find("%hv"), 3, "%hw");
    CHECK(step(s, b64(other)) == fail);
  }
  SECTION("channel binding asked for, a proxy identity, a mandatory extension, no nonce") {
    for (const std::string cf : {"p=tls-unique,,n=user,r=abc", "n,a=admin,n=user,r=abc", "n,,m=x,n=user,r=abc",
                                 "n,,n=user", "n,,n=us=2Xer,r=abc", "garbage"}) {
      CHECK(step(s, "AUTH SCRAM-SHA-256 " + b64(cf)) == fail);
    }
    CHECK(h.results.empty());
  }
  SECTION("a non-empty last response, and '*' cancelling") {
    step(s, "AUTH SCRAM-SHA-256 " + b64(kClientFirst));
    step(s, b64(kClientFinal));
    CHECK(step(s, b64("x")) == fail);
    CHECK(s.envelope().auth_user.empty());
    step(s, "AUTH SCRAM-SHA-256 " + b64(kClientFirst));
    CHECK(step(s, "*") == "501 5.7.0 Authentication aborted\r\n");
    CHECK(step(s, b64(kClientFinal)).rfind("500 5.5.2", 0) == 0);  // a command now, not a response
  }
  SECTION("a handler without a nonce does not offer the exchange") {
    h.nonce.clear();
    CHECK(step(s, "AUTH SCRAM-SHA-256 " + b64(kClientFirst)).rfind("504 5.5.4", 0) == 0);
  }
}
