#include "protocols/message/compose.hpp"

#include <catch2/catch.hpp>

#include "protocols/message/date.hpp"
#include "protocols/message/encoded_word.hpp"
#include "protocols/message/message.hpp"

using namespace maillab::message;

namespace {

bool crlf_only(const std::string& s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r')) return false;
    if (s[i] == '\r' && (i + 1 >= s.size() || s[i + 1] != '\n')) return false;
  }
  return true;
}

Draft sample() {
  Draft d;
  d.from = "Alice <alice@a.example>";
  d.to = {"bob@b.example", "Carol <carol@c.example>"};
  d.cc = {"dave@d.example"};
  d.bcc = {"eve@e.example"};
  d.subject = "Lunch?";
  d.body = "Hi Bob,\nlunch at noon?\n\nAlice";
  return d;
}

}  // namespace

TEST_CASE("compose writes the MUA's headers in order, without Bcc", "[compose]") {
  const std::string out = compose(sample(), 0, make_message_id("a.example", 7));
  CHECK(out ==
        "From: Alice <alice@a.example>\r\n"
        "To: bob@b.example, Carol <carol@c.example>\r\n"
        "Cc: dave@d.example\r\n"
        "Subject: Lunch?\r\n"
        "Date: Mon, 02 Mar 2026 09:00:00 +0000\r\n"
        "Message-ID: <20260302090000.7@a.example>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 7bit\r\n"
        "\r\n"
        "Hi Bob,\r\nlunch at noon?\r\n\r\nAlice\r\n");
  CHECK(out.find("eve@e.example") == std::string::npos);
  CHECK(crlf_only(out));
  Message m = Message::parse(out);
  CHECK(m.count("Bcc") == 0);
  CHECK(envelope_recipients(sample()) ==
        std::vector<std::string>{"bob@b.example", "carol@c.example", "dave@d.example", "eve@e.example"});
}

TEST_CASE("compose encodes a non-ASCII subject and marks an 8-bit body", "[compose]") {
  Draft d = sample();
  d.subject = "Caf\xc3\xa9 \xe2\x98\x95 r\xc3\xa9union du lundi matin, tr\xc3\xa8s longue pour forcer le pliage";
  d.body = "Cr\xc3\xa8me br\xc3\xbbl\xc3\xa9" "e\r\n";
  d.cc.clear();
  const std::string out = compose(d, 3600 * maillab::message::kNanosPerSecond, "<x@y>");
  Message m = Message::parse(out);
  const std::string subject = *m.header("Subject");
  CHECK(subject.rfind("=?utf-8?b?", 0) == 0);
  CHECK(decode_rfc2047(subject) == d.subject);
  CHECK(m.header("Content-Transfer-Encoding") == std::string("8bit"));
  CHECK(m.header("Date") == std::string("Mon, 02 Mar 2026 10:00:00 +0000"));
  CHECK(m.count("Cc") == 0);
  CHECK(crlf_only(out));
  for (const auto& f : m.fields()) {
    std::size_t pos = 0;
    while (pos < f.raw.size()) {
      std::size_t nl = f.raw.find("\r\n", pos);
      CHECK(nl - pos <= 76);
      pos = nl + 2;
    }
  }
}

TEST_CASE("compose: extra headers, no To, message ids", "[compose]") {
  Draft d;
  d.from = "a@a.example";
  d.bcc = {"hidden@b.example"};
  d.body = "x";
  d.extra_headers = {{"X-Mailer", "maillab"}, {"Bcc", "hidden@b.example"}, {"date", "Tue, 03 Mar 2026 00:00:00 +0000"}};
  const std::string out = compose(d, 0, "id@a.example");
  Message m = Message::parse(out);
  CHECK(m.header("To") == std::string("undisclosed-recipients:;"));
  CHECK(m.header("X-Mailer") == std::string("maillab"));
  CHECK(m.count("Date") == 1);
  CHECK(m.header("Date") == std::string("Tue, 03 Mar 2026 00:00:00 +0000"));
  CHECK(m.header("Message-ID") == std::string("<id@a.example>"));
  CHECK(m.count("Bcc") == 0);
  CHECK(out.find("hidden") == std::string::npos);
  CHECK(m.body() == "x\r\n");
  CHECK(make_message_id("mx.example", 42, 86400 * maillab::message::kNanosPerSecond) == "<20260303090000.42@mx.example>");
}

TEST_CASE("RFC 2047 encoded words", "[compose]") {
  CHECK(encode_rfc2047("plain ascii") == "plain ascii");
  CHECK(encode_rfc2047("caf\xc3\xa9") == "=?utf-8?b?Y2Fmw6k=?=");
  CHECK(decode_rfc2047("=?UTF-8?Q?caf=C3=A9_au_lait?= ok") == "caf\xc3\xa9 au lait ok");
  CHECK(decode_rfc2047("=?utf-8?b?YQ==?= =?utf-8?b?Yg==?=") == "ab");
  CHECK(decode_rfc2047("=?utf-8?x?bad?= and =?broken") == "=?utf-8?x?bad?= and =?broken");
  // Never splits a UTF-8 sequence across words.
  std::string many;
  for (int i = 0; i < 40; ++i) many += "\xe2\x98\x95";
  std::string enc = encode_rfc2047(many);
  CHECK(decode_rfc2047(enc) == many);
  std::size_t start = 0;
  while ((start = enc.find("=?utf-8?b?", start)) != std::string::npos) {
    std::size_t end = enc.find("?=", start + 10);
    CHECK(end - start + 2 <= 75);
    start = end;
  }
}
