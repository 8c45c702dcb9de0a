// Issue 15 and 16 as an attacker and a user meet them on real sockets (`maillab serve`'s
// bridge): a user declared without a password never logs in (SMTP AUTH PLAIN, PLAIN with
// an authzid, LOGIN; POP3 USER/PASS, AUTH PLAIN, APOP) and cannot relay; APOP works for a
// user with a password; Postmaster is a mailbox on every host and an address that cannot
// be delivered is refused at RCPT; one copy per recipient (named again or through an
// alias); local parts ignore case; a HELO or ENVID carrying a line break is refused.
#include "lab_fixture.hpp"
#include "protocols/message/base64.hpp"
#include "protocols/pop3/md5.hpp"

using namespace maillab;
using namespace maillab::bridge;
using namespace maillab::bridge::test;

namespace {

// No mynetworks: loopback clients are strangers, as on a real MX. The error sleep and the
// POP3 failure delay are short so the test runs fast (their defaults: docs/security.md).
const char* kSecurityYaml = R"(scenario: security-lab
duration: 1d
hosts:
  mx.b.example:
    address: 192.0.2.20
    mta:
      domains: [b.example]
      submission: true
      smtpd_error_sleep_time: 50ms
      auth_failure_delay: 50ms
    pop3: true
    users:
      alice: {}
      bob: {password: builder}
  mx.c.example:
    address: 192.0.2.30
    mta:
      domains: [c.example]
      aliases: {postmaster: [carol], team: [dave, carol]}
    users:
      dave: {password: d}
      carol: {}
  mx.d.example:
    address: 192.0.2.40
    mta:
      domains: [d.example]
)";

ServeOptions options() {
  ServeOptions o;
  o.listen.push_back(listen_on("mx.b.example", scenario::Service::Smtp));        // 0
  o.listen.push_back(listen_on("mx.b.example", scenario::Service::Submission));  // 1
  o.listen.push_back(listen_on("mx.b.example", scenario::Service::Pop3));        // 2
  o.listen.push_back(listen_on("mx.c.example", scenario::Service::Smtp));        // 3
  o.listen.push_back(listen_on("mx.d.example", scenario::Service::Smtp));        // 4
  o.grace = 300ms;
  return o;
}

std::string code(const std::string& reply) { return reply.substr(0, 3); }

std::string b64(std::string_view s) { return message::base64_encode(s); }

// Greeted and EHLO'd.
void hello(TestClient& c) {
  REQUIRE(code(c.reply()) == "220");
  REQUIRE(code(c.cmd("EHLO attacker.example")) == "250");
}

std::string mail_to(TestClient& c, const std::string& rcpt, const std::string& body = "Subject: t\r\n\r\nhi\r\n") {
  if (code(c.cmd("MAIL FROM:<someone@elsewhere.example>")) != "250") return "MAIL refused";
  std::string r = c.cmd("RCPT TO:<" + rcpt + ">");
  if (code(r) != "250") {
    c.cmd("RSET");
    return r;
  }
  if (code(c.cmd("DATA")) != "354") return "DATA refused";
  c.send(body + ".\r\n");
  return c.reply();
}

}  // namespace

TEST_CASE("bridge security: a user without a password never logs in, anywhere") {
  Lab lab(kSecurityYaml, options());
  SECTION("SMTP AUTH on submission: PLAIN, PLAIN with authzid, LOGIN; then no relaying") {
    TestClient c(lab.port(1));
    hello(c);
    CHECK(code(c.cmd("AUTH PLAIN " + b64(std::string("\0alice\0", 7)))) == "535");
    CHECK(code(c.cmd("AUTH PLAIN " + b64(std::string("alice\0alice\0", 12)))) == "535");
    CHECK(code(c.cmd("AUTH PLAIN =")) == "535");
    CHECK(code(c.cmd("AUTH LOGIN " + b64("alice"))) == "334");
    CHECK(code(c.cmd("=")) == "535");
    CHECK(code(c.cmd("AUTH LOGIN")) == "334");
    CHECK(code(c.cmd(b64("alice"))) == "334");
    CHECK(code(c.cmd("")) == "535");
    CHECK(code(c.cmd("MAIL FROM:<alice@b.example>")) == "530");
  }
  SECTION("relaying to a foreign domain stays 554 on port 25") {
    TestClient c(lab.port(0));
    hello(c);
    CHECK(code(c.cmd("AUTH PLAIN " + b64(std::string("\0alice\0", 7)))) == "503");  // no AUTH on 25
    CHECK(code(c.cmd("MAIL FROM:<alice@b.example>")) == "250");
    const std::string r = c.cmd("RCPT TO:<victim@foreign.example>");
    CHECK(r.rfind("554 5.7.1", 0) == 0);
    CHECK(r.find("Relay access denied") != std::string::npos);
  }
  SECTION("POP3 USER/PASS, AUTH PLAIN, APOP") {
    TestClient p(lab.port(2));
    const std::string greeting = p.until("\r\n");
    REQUIRE(greeting.rfind("+OK", 0) == 0);
    const auto lt = greeting.find('<'), gt = greeting.find('>');
    REQUIRE(gt != std::string::npos);
    const std::string timestamp = greeting.substr(lt, gt - lt + 1);
    p.send("USER alice\r\n");
    CHECK(p.until("\r\n").rfind("+OK", 0) == 0);
    p.send("PASS \r\n");
    CHECK(p.until("\r\n").rfind("-ERR", 0) == 0);
    p.send("AUTH PLAIN " + b64(std::string("\0alice\0", 7)) + "\r\n");
    CHECK(p.until("\r\n").rfind("-ERR [AUTH]", 0) == 0);
    p.send("APOP alice " + pop3::Md5::hex(timestamp) + "\r\n");
    CHECK(p.until("\r\n").rfind("-ERR [AUTH]", 0) == 0);
  }
}

TEST_CASE("bridge security: APOP logs in with the user's password (RFC 1939 7)") {
  Lab lab(kSecurityYaml, options());
  TestClient p(lab.port(2));
  const std::string greeting = p.until("\r\n");
  const auto lt = greeting.find('<'), gt = greeting.find('>');
  REQUIRE(gt != std::string::npos);
  const std::string timestamp = greeting.substr(lt, gt - lt + 1);
  p.send("APOP bob " + pop3::Md5::hex(timestamp + "wrong") + "\r\n");
  CHECK(p.until("\r\n").rfind("-ERR [AUTH]", 0) == 0);
  p.send("APOP bob " + pop3::Md5::hex(timestamp + "builder") + "\r\n");
  CHECK(p.until("\r\n").rfind("+OK maildrop has 0 messages", 0) == 0);
  p.send("QUIT\r\n");
  CHECK(p.until("\r\n").rfind("+OK", 0) == 0);
}

TEST_CASE("bridge security: Postmaster is a mailbox everywhere; undeliverable is refused at RCPT") {
  Lab lab(kSecurityYaml, options());
  {
    TestClient c(lab.port(0));
    hello(c);
    // RFC 5321 4.1.1.3 / 4.5.1: "<Postmaster>" with no domain, any case.
    CHECK(code(mail_to(c, "Postmaster")) == "250");
    CHECK(code(mail_to(c, "POSTMASTER@b.example")) == "250");
    // An unknown user: refused in the session, never accepted and bounced.
    CHECK(mail_to(c, "nobody@b.example").rfind("550 5.1.1", 0) == 0);
  }
  {
    TestClient c(lab.port(3));  // mx.c.example: a `postmaster` alias
    hello(c);
    CHECK(code(mail_to(c, "postmaster")) == "250");
    CHECK(code(mail_to(c, "PostMaster@c.example")) == "250");  // aliases ignore case too
  }
  {
    TestClient c(lab.port(4));  // mx.d.example: no users at all
    hello(c);
    CHECK(mail_to(c, "Postmaster").rfind("550 5.1.1", 0) == 0);
    CHECK(mail_to(c, "postmaster@d.example").rfind("550 5.1.1", 0) == 0);
  }
  REQUIRE(lab.wait_for([&] { return lab.world().deliveries().size() == 4; }));
  std::multiset<std::string> where;
  lab.on_loop([&] {
    for (const auto& d : lab.world().deliveries()) where.insert(d.host + " " + d.record.user);
  });
  // The first user of mx.b.example (Postfix's "postmaster: root"), the alias on mx.c.example.
  CHECK(where == std::multiset<std::string>{"mx.b.example alice", "mx.b.example alice", "mx.c.example carol",
                                            "mx.c.example carol"});
  std::this_thread::sleep_for(200ms);
  CHECK(lab.on_loop([&] { return lab.world().queue_of("mx.b.example").size() + lab.world().queue_of("mx.d.example").size(); }) == 0);
}

TEST_CASE("bridge security: one copy per recipient, also through an alias; local parts ignore case") {
  Lab lab(kSecurityYaml, options());
  TestClient c(lab.port(0));
  hello(c);
  REQUIRE(code(c.cmd("MAIL FROM:<someone@elsewhere.example>")) == "250");
  for (const char* r : {"bob@b.example", "BOB@b.example", "bob@B.EXAMPLE", "bob@b.example", "Bob@b.example"})
    CHECK(code(c.cmd(std::string("RCPT TO:<") + r + ">")) == "250");
  REQUIRE(code(c.cmd("DATA")) == "354");
  c.send("Subject: many rcpts\r\n\r\nonce\r\n.\r\n");
  REQUIRE(code(c.reply()) == "250");
  CHECK(code(mail_to(c, "BOB@b.example")) == "250");
  // Through an alias too: team is dave and carol, dave is also named himself.
  TestClient c2(lab.port(3));
  hello(c2);
  REQUIRE(code(c2.cmd("MAIL FROM:<someone@elsewhere.example>")) == "250");
  for (const char* r : {"team@c.example", "dave@c.example", "Team@c.example", "DAVE@c.example"})
    CHECK(code(c2.cmd(std::string("RCPT TO:<") + r + ">")) == "250");
  REQUIRE(code(c2.cmd("DATA")) == "354");
  c2.send("Subject: team\r\n\r\nonce each\r\n.\r\n");
  REQUIRE(code(c2.reply()) == "250");
  REQUIRE(lab.wait_for([&] { return lab.world().deliveries().size() >= 4; }));
  std::this_thread::sleep_for(200ms);
  CHECK(lab.deliveries() == 4);
  std::multiset<std::string> who;
  lab.on_loop([&] {
    for (const auto& d : lab.world().deliveries()) who.insert(d.host + " " + d.record.user);
  });
  CHECK(who == std::multiset<std::string>{"mx.b.example bob", "mx.b.example bob", "mx.c.example carol",
                                          "mx.c.example dave"});
}

TEST_CASE("bridge security: a line break in HELO or ENVID is refused, never a header line") {
  Lab lab(kSecurityYaml, options());
  TestClient c(lab.port(0));
  REQUIRE(code(c.reply()) == "220");
  CHECK(c.cmd("EHLO evil.example\rX-Injected: yes").rfind("501", 0) == 0);
  CHECK(c.cmd("HELO evil.example\rX-Injected: yes").rfind("501", 0) == 0);
  REQUIRE(code(c.cmd("EHLO good.example")) == "250");
  CHECK(c.cmd("MAIL FROM:<a@elsewhere.example> ENVID=x+0D+0AX-Injected:+20yes").rfind("501", 0) == 0);
  CHECK(code(mail_to(c, "bob@b.example")) == "250");
  REQUIRE(lab.wait_for([&] { return lab.world().deliveries().size() == 1; }));
  const std::string stored = lab.on_loop([&] { return *lab.world().deliveries()[0].record.content; });
  CHECK(stored.find("X-Injected") == std::string::npos);
  CHECK(stored.find("Received: from good.example (unknown [127.0.0.1])") != std::string::npos);
}
