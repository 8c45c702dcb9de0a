// SMTPUTF8 (RFC 6531): UTF-8 addresses only in a transaction that declared it, the
// parameter passed on by the client, and the downgrade failure (5.6.7) towards a server
// that does not offer it.
#include <catch2/catch.hpp>

#include "smtp_test_support.hpp"

using namespace maillab::smtp;
using namespace maillab::smtp::test;

namespace {

// "josé@exämple.org" and "иван@пример.рф" in UTF-8.
const std::string kJose = "jos\xc3\xa9@ex\xc3\xa4mple.org";
const std::string kIvan = "\xd0\xb8\xd0\xb2\xd0\xb0\xd0\xbd@\xd0\xbf\xd1\x80\xd0\xb8\xd0\xbc\xd0\xb5\xd1\x80.\xd1\x80\xd1\x84";

std::string after_rcpt_ok(const std::string& out) { return out.substr(out.find("250 CHUNKING\r\n") + 14); }

}  // namespace

TEST_CASE("SMTPUTF8: UTF-8 addresses in a transaction that declared it", "[smtp][server][smtputf8]") {
  const Outcome o = every_split("EHLO c\r\nMAIL FROM:<" + kJose + "> SMTPUTF8\r\nRCPT TO:<" + kIvan +
                                ">\r\nRCPT TO:<\"jos\xc3\xa9 quoted\"@x.example>\r\nDATA\r\nSubject: caf\xc3\xa9\r\n\r\nhi\r\n.\r\n");
  CHECK(after_rcpt_ok(o.output) == "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n"
                                   "250 2.0.0 Ok: queued\r\n");
  RecordingHandler h;
  feed("EHLO c\r\nMAIL FROM:<" + kJose + "> SMTPUTF8\r\nRCPT TO:<" + kIvan + ">\r\nDATA\r\n.\r\n", {}, server_config(), &h);
  REQUIRE(h.delivered.size() == 1);
  const Envelope& e = h.delivered[0].envelope;
  CHECK(e.mail_params.smtputf8);
  CHECK(e.mail_from.address() == kJose);
  CHECK_FALSE(e.mail_from.ascii());
  CHECK(e.rcpts[0].path.address() == kIvan);
}

TEST_CASE("SMTPUTF8: undeclared UTF-8 is 553 5.6.7, bad UTF-8 and bad parameters are 501", "[smtp][server][smtputf8]") {
  const std::string undeclared = "553 5.6.7 Must declare SMTPUTF8 to send unicode address\r\n";
  ServerConfig off = server_config();
  off.smtputf8 = false;
  struct Case {
    std::string lines;
    std::string replies;  // after the EHLO reply
    ServerConfig cfg = server_config();
  } cases[] = {
      // RFC 6531 3.5: mailbox name not allowed, X.6.7.
      {"MAIL FROM:<" + kJose + ">\r\n", undeclared},
      {"MAIL FROM:<a@x.example>\r\nRCPT TO:<" + kIvan + ">\r\nRCPT TO:<b@y.example>\r\n",
       "250 2.1.0 Ok\r\n" + undeclared + "250 2.1.5 Ok\r\n"},
      // Not UTF-8 at all: a syntax error, declared or not.
      {"MAIL FROM:<jos\xe9@x.example> SMTPUTF8\r\n", "501 5.1.7 Bad sender address syntax\r\n"},
      {"MAIL FROM:<a@x.example> SMTPUTF8\r\nRCPT TO:<b@\xff.example>\r\n",
       "250 2.1.0 Ok\r\n501 5.1.3 Bad recipient address syntax\r\n"},
      // RFC 6531 3.4: a keyword without a value, once.
      {"MAIL FROM:<a@x.example> SMTPUTF8=yes\r\n", "501 5.5.4 Bad SMTPUTF8 parameter syntax\r\n"},
      {"MAIL FROM:<a@x.example> SMTPUTF8 SMTPUTF8\r\n", "501 5.5.4 Duplicate SMTPUTF8 parameter\r\n"},
      // A server without SMTPUTF8 (Postfix smtputf8_enable = no): unknown parameter, and a
      // UTF-8 address is no address.
      {"MAIL FROM:<a@x.example> SMTPUTF8\r\n", "555 5.5.4 Unsupported option: SMTPUTF8\r\n", off},
      {"MAIL FROM:<" + kJose + ">\r\n", "501 5.1.7 Bad sender address syntax\r\n", off},
  };
  for (const auto& c : cases) {
    INFO(c.lines);
    const Outcome o = every_split("EHLO c\r\n" + c.lines, c.cfg);
    const std::string out = o.output;
    const std::size_t ehlo_end = out.find("250 CHUNKING\r\n") + 14;
    CHECK(out.substr(ehlo_end) == c.replies);
    CHECK((out.find("250-SMTPUTF8\r\n") != std::string::npos) == c.cfg.smtputf8);
  }
  // After HELO no parameter at all (RFC 5321 4.1.1.2).
  const Outcome helo = every_split("HELO c\r\nMAIL FROM:<a@x.example> SMTPUTF8\r\n");
  CHECK(helo.output == "250 mx.example.org\r\n555 5.5.4 Unsupported option: SMTPUTF8\r\n");
}

TEST_CASE("SMTPUTF8 client: passed on where offered, the message refused with 5.6.7 where not",
          "[smtp][client][smtputf8]") {
  const std::string with_utf8 = "250-mx\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n";
  const std::string without = "250-mx\r\n250 8BITMIME\r\n";
  auto utf8_message = [] {
    OutgoingMessage m = message("alice@example.net", {"bob@example.org"}, "hi\r\n");
    m.rcpts.push_back(Recipient{parse_mailbox(kIvan, true).path, {}});
    REQUIRE(m.rcpts[1].path.address() == kIvan);
    return m;
  };
  {
    // A UTF-8 recipient makes the parameter needed even if the sender did not ask.
    ClientSession c(client_config());
    c.add(utf8_message());
    c.receive("220 mx ESMTP\r\n");
    c.take_output();
    c.receive(with_utf8);
    CHECK(c.take_output() == "MAIL FROM:<alice@example.net> SMTPUTF8\r\n");
  }
  {
    // RFC 6531 3.2: no downgrade. Nothing is sent; every recipient gets 5.6.7.
    ClientSession c(client_config());
    c.add(utf8_message());
    c.finish();
    c.receive("220 mx ESMTP\r\n");
    c.take_output();
    c.receive(without);
    CHECK(c.take_output() == "QUIT\r\n");
    REQUIRE(c.outcomes().size() == 1);
    const TransactionOutcome& o = c.outcomes()[0];
    CHECK(o.not_sent);
    CHECK_FALSE(o.data_sent);
    for (const auto& r : o.rcpts)
      CHECK(r.reply.summary() == "554 5.6.7 SMTPUTF8 is required, but was not offered by host mx.example.org[192.0.2.25]");
  }
  struct Case {
    bool requested;
    std::string content;
    std::string ehlo;
    std::string mail;  // "" = not sent (5.6.7)
  } cases[] = {
      // Requested, ASCII everywhere: it goes without the parameter (Postfix).
      {true, "Subject: hi\r\n\r\ncaf\xc3\xa9\r\n", without, "MAIL FROM:<alice@example.net> BODY=8BITMIME\r\n"},
      {true, "Subject: hi\r\n\r\nhi\r\n", with_utf8, "MAIL FROM:<alice@example.net> SMTPUTF8\r\n"},
      // UTF-8 in the header section needs it when requested (RFC 6532) ...
      {true, "Subject: caf\xc3\xa9\r\n\r\nhi\r\n", without, ""},
      // ... and is legacy 8-bit text when not.
      {false, "Subject: caf\xc3\xa9\r\n\r\nhi\r\n", without, "MAIL FROM:<alice@example.net> BODY=8BITMIME\r\n"},
  };
  for (const auto& k : cases) {
    INFO(k.content << k.ehlo);
    ClientSession c(client_config());
    OutgoingMessage m = message("alice@example.net", {"bob@example.org"}, k.content);
    m.params.smtputf8 = k.requested;
    c.add(m);
    c.finish();
    c.receive("220 mx ESMTP\r\n");
    c.take_output();
    c.receive(k.ehlo);
    CHECK(c.take_output() == (k.mail.empty() ? std::string("QUIT\r\n") : k.mail));
  }
}

TEST_CASE("SMTPUTF8 end to end: client and server engines", "[smtp][e2e][smtputf8]") {
  RecordingHandler h;
  ServerSession server(server_config(), h);
  ClientSession client(client_config());
  OutgoingMessage m;
  m.from = parse_mailbox(kJose, true).path;
  m.rcpts.push_back(Recipient{parse_mailbox(kIvan, true).path, {}});
  m.content = std::make_shared<const std::string>("Subject: \xd0\xbf\xd1\x80\xd0\xb8\r\n\r\nhi\r\n");
  client.add(m);
  client.finish();
  Pump p{client, server};
  p.run();
  REQUIRE(h.delivered.size() == 1);
  CHECK(h.delivered[0].envelope.mail_params.smtputf8);
  CHECK(h.delivered[0].envelope.mail_from.address() == kJose);
  CHECK(h.delivered[0].envelope.rcpts[0].path.address() == kIvan);
  CHECK(client.outcomes()[0].rcpts[0].reply.code == 250);
}
