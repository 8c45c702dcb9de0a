#include "protocols/message/dsn.hpp"

#include <catch2/catch.hpp>

#include "protocols/message/date.hpp"
#include "protocols/message/message.hpp"
#include "protocols/message/mime.hpp"

using namespace maillab::message;

namespace {

constexpr int64_t kHour = int64_t(3600) * kNanosPerSecond;

const char* kOriginal =
    "From: alice@a.example\r\n"
    "To: bob@b.example\r\n"
    "Subject: hello\r\n"
    "\r\n"
    "--=_maillab_ tries to look like a boundary\r\n"
    "From here on\r\n";

DsnRequest failed_request() {
  DsnRequest r;
  r.reporting_mta = "mx.a.example";
  r.postmaster_from = "MAILER-DAEMON@mx.a.example";
  r.to = "alice@a.example";
  r.original_envelope_id = "ENV42";
  r.arrival_ns = 0;
  r.now_ns = 2 * kHour;
  r.message_id = "<20260302110000.9@mx.a.example>";
  r.original_message = kOriginal;
  DsnRecipient bob;
  bob.final_recipient = "bob@b.example";
  bob.original_recipient = "rfc822; Bob@b.example";
  bob.action = "failed";
  bob.status = "5.1.1";
  bob.remote_mta = "mx.b.example";
  bob.diagnostic_code =
      "smtp; 550 5.1.1 <bob@b.example>: Recipient address rejected: User unknown in local recipient table";
  bob.last_attempt_ns = kHour + 5 * kNanosPerSecond;
  DsnRecipient carol;
  carol.final_recipient = "carol@c.example";
  carol.action = "failed";
  carol.status = "5.4.7";
  carol.diagnostic_code = "x-maillab; delivery time expired";
  carol.last_attempt_ns = 2 * kHour;
  r.recipients = {bob, carol};
  return r;
}

bool crlf_only(const std::string& s) {
  for (std::size_t i = 0; i < s.size(); ++i)
    if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r')) return false;
  return true;
}

}  // namespace

TEST_CASE("build_dsn writes a three-part multipart/report", "[dsn]") {
  const std::string out = build_dsn(failed_request());
  CHECK(crlf_only(out));
  Message m = Message::parse(out);
  CHECK(m.header("From") == std::string("Mail Delivery System <MAILER-DAEMON@mx.a.example>"));
  CHECK(m.header("To") == std::string("alice@a.example"));
  CHECK(m.header("Subject") == std::string("Undelivered Mail Returned to Sender"));
  CHECK(m.header("Auto-Submitted") == std::string("auto-replied"));
  CHECK(m.header("Date") == std::string("Mon, 02 Mar 2026 11:00:00 +0000"));
  CHECK(m.header("Message-ID") == std::string("<20260302110000.9@mx.a.example>"));
  CHECK(m.header("MIME-Version") == std::string("1.0"));

  ContentType ct = parse_content_type(*m.header("Content-Type"));
  CHECK(ct.type == "multipart/report");
  CHECK(ct.param("report-type") == std::string("delivery-status"));
  REQUIRE(ct.param("boundary"));
  const std::string boundary = *ct.param("boundary");
  CHECK(boundary.size() <= 70);
  // Deterministic, and absent from the content even though the original tries to mimic it.
  CHECK(build_dsn(failed_request()) == out);
  CHECK(Message::parse(kOriginal).body().find(boundary) == std::string::npos);
  CHECK(out.find("--" + boundary + "--\r\n") != std::string::npos);

  auto parts = split_multipart(m.body(), boundary);
  REQUIRE(parts.size() == 3);
  Message text = Message::parse(parts[0]);
  Message status = Message::parse(parts[1]);
  Message original = Message::parse(parts[2]);
  CHECK(parse_content_type(text.header("Content-Type").value_or("")).type == "text/plain");
  CHECK(parse_content_type(status.header("Content-Type").value_or("")).type == "message/delivery-status");
  CHECK(parse_content_type(original.header("Content-Type").value_or("")).type == "message/rfc822");
  CHECK(text.body().find("This is the mail system at host mx.a.example.") == 0);
  CHECK(text.body().find("<bob@b.example>: host mx.b.example said: 550 5.1.1") != std::string::npos);
  CHECK(original.body() == kOriginal);  // the returned message, byte-exact
  // Per-message block, then one block per recipient, separated by empty lines.
  CHECK(status.body().rfind("Reporting-MTA: dns; mx.a.example\r\nOriginal-Envelope-Id: ENV42\r\n"
                            "Arrival-Date: Mon, 02 Mar 2026 09:00:00 +0000\r\n\r\nFinal-Recipient: rfc822; bob@b.example\r\n",
                            0) == 0);
  CHECK(status.body().find("\r\n\r\nFinal-Recipient: rfc822; carol@c.example\r\n") != std::string::npos);
  CHECK(status.body().find("Remote-MTA: dns; mx.b.example\r\n") != std::string::npos);
}

TEST_CASE("parse_dsn reads back what build_dsn wrote", "[dsn]") {
  const DsnRequest req = failed_request();
  auto parsed = parse_dsn(Message::parse(build_dsn(req)));
  REQUIRE(parsed);
  CHECK(parsed->reporting_mta == "mx.a.example");
  CHECK(parsed->original_envelope_id == "ENV42");
  CHECK(parsed->arrival_ns == int64_t(0));
  REQUIRE(parsed->recipients.size() == 2);
  const DsnRecipient& bob = parsed->recipients[0];
  CHECK(bob.final_recipient == "bob@b.example");
  CHECK(bob.original_recipient == "Bob@b.example");
  CHECK(bob.action == "failed");
  CHECK(bob.status == "5.1.1");
  CHECK(bob.remote_mta == "mx.b.example");
  CHECK(bob.diagnostic_code == req.recipients[0].diagnostic_code);  // folded on the way, same after
  CHECK(bob.last_attempt_ns == req.recipients[0].last_attempt_ns);
  CHECK_FALSE(bob.will_retry_until_ns);
  const DsnRecipient& carol = parsed->recipients[1];
  CHECK(carol.final_recipient == "carol@c.example");
  CHECK(carol.original_recipient.empty());
  CHECK(carol.remote_mta.empty());
  CHECK(carol.status == "5.4.7");
  CHECK(carol.diagnostic_code == "x-maillab; delivery time expired");
}

TEST_CASE("headers-only and delayed DSNs", "[dsn]") {
  DsnRequest r = failed_request();
  r.headers_only = true;
  r.original_message = "From: alice@a.example\nSubject: big\n\nsecret body\n";  // bare LF on input
  for (auto& rc : r.recipients) {
    rc.action = "delayed";
    rc.status = "4.4.1";
    rc.will_retry_until_ns = 5 * 24 * kHour;
  }
  r.now_ns = 4 * kHour;
  const std::string out = build_dsn(r);
  CHECK(crlf_only(out));
  Message m = Message::parse(out);
  CHECK(m.header("Subject") == std::string("Delayed Mail (still being retried)"));
  ContentType ct = parse_content_type(*m.header("Content-Type"));
  auto parts = split_multipart(m.body(), *ct.param("boundary"));
  REQUIRE(parts.size() == 3);
  Message text = Message::parse(parts[0]);
  CHECK(text.body().find("THIS IS A WARNING ONLY") != std::string::npos);
  CHECK(text.body().find("could not be delivered for 4.0 hours") != std::string::npos);
  CHECK(text.body().find("retried until it is 5.0 days old") != std::string::npos);
  Message headers = Message::parse(parts[2]);
  CHECK(parse_content_type(*headers.header("Content-Type")).type == "text/rfc822-headers");
  CHECK(headers.body() == "From: alice@a.example\r\nSubject: big\r\n");
  CHECK(out.find("secret body") == std::string::npos);

  auto parsed = parse_dsn(m);
  REQUIRE(parsed);
  REQUIRE(parsed->recipients.size() == 2);
  CHECK(parsed->recipients[0].action == "delayed");
  CHECK(parsed->recipients[0].will_retry_until_ns == 5 * 24 * kHour);
}

TEST_CASE("parse_dsn tolerates other writers' folding and case", "[dsn]") {
  const std::string postfix_like =
      "From: MAILER-DAEMON@mx.b.example (Mail Delivery System)\n"
      "Content-Type: MULTIPART/REPORT; report-type=delivery-status;\n"
      "\tboundary=\"8A1C2C0012.1772445600/mx.b.example\"\n"
      "\n"
      "This is a MIME-encapsulated message.\n"
      "\n"
      "--8A1C2C0012.1772445600/mx.b.example\n"
      "Content-Type: text/plain; charset=us-ascii\n"
      "\n"
      "text\n"
      "\n"
      "--8A1C2C0012.1772445600/mx.b.example\n"
      "content-type: Message/Delivery-Status\n"
      "\n"
      "reporting-mta: dns; mx.b.example\n"
      "X-Postfix-Queue-ID: 8A1C2C0012\n"
      "\n"
      "final-recipient: RFC822; bob@b.example\n"
      "ORIGINAL-RECIPIENT: rfc822;bob@b.example\n"
      "action: FAILED\n"
      "status: 5.1.1\n"
      "remote-mta: dns; mx.b.example\n"
      "diagnostic-code: smtp; 550 5.1.1 <bob@b.example>: Recipient address rejected:\n"
      "    User unknown in local recipient table\n"
      "\n"
      "--8A1C2C0012.1772445600/mx.b.example--\n";
  auto parsed = parse_dsn(Message::parse(postfix_like));
  REQUIRE(parsed);
  CHECK(parsed->reporting_mta == "mx.b.example");
  REQUIRE(parsed->recipients.size() == 1);
  const auto& r = parsed->recipients[0];
  CHECK(r.final_recipient == "bob@b.example");
  CHECK(r.original_recipient == "bob@b.example");
  CHECK(r.action == "failed");
  CHECK(r.status == "5.1.1");
  CHECK(r.diagnostic_code ==
        "smtp; 550 5.1.1 <bob@b.example>: Recipient address rejected: User unknown in local recipient table");

  CHECK_FALSE(parse_dsn(Message::parse("Subject: not a dsn\r\n\r\nbody\r\n")));
  CHECK_FALSE(parse_dsn(Message::parse("Content-Type: multipart/report\r\n\r\nno boundary\r\n")));
  CHECK(status_text("5.1.1") == "Bad destination mailbox address");
  CHECK(status_text("4.4.7") == "Delivery time expired");
  CHECK(status_text("nonsense").empty());
}

TEST_CASE("multipart helpers", "[dsn]") {
  ContentType ct = parse_content_type("Multipart/Mixed (comment); BOUNDARY=\"a \\\"q\\\" b\"; charset=x");
  CHECK(ct.type == "multipart/mixed");
  CHECK(ct.param("boundary") == std::string("a \"q\" b"));
  CHECK(parse_content_type("").type == "text/plain");
  CHECK(parse_content_type("garbage").type == "text/plain");
  auto parts = split_multipart("pre\r\n--b\r\none\r\n--b \r\n\r\ntwo\r\n--b--\r\nepilogue\r\n", "b");
  REQUIRE(parts.size() == 2);
  CHECK(parts[0] == "one");
  CHECK(parts[1] == "\r\ntwo");
  CHECK(split_multipart("--b\nunterminated", "b") == std::vector<std::string_view>{"unterminated"});
}

TEST_CASE("the boundary moves when the content contains it", "[dsn]") {
  DsnRequest r = failed_request();
  auto boundary_of = [](const std::string& dsn) {
    Message m = Message::parse(dsn);
    return *parse_content_type(*m.header("Content-Type")).param("boundary");
  };
  const std::string first = boundary_of(build_dsn(r));
  r.original_message = std::string(kOriginal) + "--" + first + "--\r\n";
  const std::string out = build_dsn(r);
  const std::string second = boundary_of(out);
  CHECK(second != first);
  CHECK(r.original_message.find(second) == std::string::npos);
  Message m = Message::parse(out);
  auto parts = split_multipart(m.body(), second);
  REQUIRE(parts.size() == 3);
  CHECK(Message::parse(parts[2]).body() == r.original_message);
}
