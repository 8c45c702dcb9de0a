// header_safe and terminal_safe: a peer's text never starts a header line of its own nor
// drives a terminal (issue 15 items 5 and 7).
#include "protocols/message/peer_text.hpp"

#include <catch2/catch.hpp>

#include "protocols/message/dsn.hpp"
#include "protocols/message/message.hpp"
#include "protocols/message/received.hpp"

using namespace maillab::message;

TEST_CASE("header_safe neutralises line breaks, controls and overlong values", "[peer_text]") {
  CHECK(header_safe("mail.a.example") == "mail.a.example");
  CHECK(header_safe("[192.0.2.1]") == "[192.0.2.1]");
  CHECK(header_safe("evil\rX-Injected: yes") == "evil?X-Injected:?yes");
  CHECK(header_safe("a\r\nb\nc\0d", PeerText::Token) == "a??b?c");  // a C string stops at NUL
  CHECK(header_safe(std::string_view("a\0b\x1b[31m\x7f\xc3\xa9", 11)) == "a?b?[31m???");
  CHECK(header_safe("a (b) c;d", PeerText::Token) == "a??b??c?d");
  CHECK(header_safe("a (b) c;d", PeerText::Text) == "a (b) c;d");
  CHECK(header_safe("line\r\nX-Evil: 1", PeerText::Text) == "line??X-Evil: 1");
  const std::string big(1000, 'x');
  CHECK(header_safe(big).size() == kPeerTokenMax);
  CHECK(header_safe(big).substr(kPeerTokenMax - 3) == "...");
  CHECK(is_header_safe("mx.b.example"));
  CHECK_FALSE(is_header_safe("a\rb"));
}

TEST_CASE("a bare CR in the HELO name never becomes a header line in Received", "[peer_text]") {
  ReceivedInfo r;
  r.from_helo = "evil.example\rX-Injected: yes";
  r.from_host = "unknown\r\nX-Also: no";
  r.from_address = "192.0.2.66";
  r.by_host = "mx.b.example";
  r.with = "ESMTP";
  r.id = "Q1";
  r.for_rcpt = "<bob@b.example>";
  const std::string v = received_value(r);
  CHECK(v == "from evil.example?X-Injected:?yes (unknown??X-Also:?no [192.0.2.66])\r\n"
             "\tby mx.b.example (maillab) with ESMTP id Q1\r\n"
             "\tfor <bob@b.example>; Mon, 02 Mar 2026 09:00:00 +0000");
  Message m = Message::parse("Subject: x\r\n\r\nbody\r\n");
  m.prepend_header("Received", v);
  const Message back = Message::parse(m.serialize());
  CHECK_FALSE(back.header("X-Injected"));
  CHECK_FALSE(back.header("X-Also"));
}

TEST_CASE("an ENVID or a next hop's reply with CR LF adds no field to a DSN", "[peer_text]") {
  DsnRequest r;
  r.reporting_mta = "mx.a.example";
  r.to = "alice@a.example";
  r.original_envelope_id = "id\r\nX-Injected: envid";
  r.message_id = "<d1@mx.a.example>";
  r.original_message = "Subject: s\r\n\r\nb\r\n";
  DsnRecipient d;
  d.final_recipient = "bob@b.example";
  d.original_recipient = "rfc822; bob@b.example\r\nX-Injected: orcpt";
  d.action = "failed";
  d.status = "5.1.1";
  d.remote_mta = "mx.b.example\r\nX-Injected: mta";
  d.diagnostic_code = "smtp; 550 no\r\nX-Injected: diag";
  r.recipients.push_back(d);
  const std::string dsn = build_dsn(r);
  CHECK(dsn.find("\r\nX-Injected") == std::string::npos);
  CHECK(dsn.find("\nX-Injected") == std::string::npos);
  CHECK(dsn.find("Original-Envelope-Id: id??X-Injected: envid\r\n") != std::string::npos);
  CHECK(dsn.find("Diagnostic-Code: smtp; 550 no??X-Injected: diag\r\n") != std::string::npos);
}

TEST_CASE("terminal_safe shows escape sequences and controls, keeps UTF-8", "[peer_text]") {
  CHECK(terminal_safe("plain text\twith tab") == "plain text\twith tab");
  CHECK(terminal_safe("caf\xc3\xa9 \xe2\x82\xac") == "caf\xc3\xa9 \xe2\x82\xac");
  CHECK(terminal_safe("\x1b]0;owned\x07\x1b[2J") == "\\x1B]0;owned\\x07\\x1B[2J");
  CHECK(terminal_safe("a\rb\nc") == "a\\x0Db\\x0Ac");
  CHECK(terminal_safe("\xc2\x9b" "31m") == "\\x9B31m");              // C1 CSI as UTF-8
  CHECK(terminal_safe("\xe2\x80\xae" "gnp.exe") == "\\u{202E}gnp.exe");  // right-to-left override
  CHECK(terminal_safe("\xff\xfe ok") == "\\xFF\\xFE ok");            // not UTF-8
  CHECK(terminal_safe("\xc0\xaf") == "\\xC0\\xAF");                  // overlong '/'
  CHECK(terminal_safe(std::string_view("\0", 1)) == "\\x00");
  CHECK(terminal_safe("\x7f") == "\\x7F");
}
