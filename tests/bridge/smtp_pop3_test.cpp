// Real sockets into the engines of a World: an SMTP session from a plain client is
// delivered byte-exact into the virtual mailbox and comes back byte-exact over POP3; bad
// clients (vanishing mid-DATA, 10,000-byte lines, smuggling sequences, many at once)
// get the right answer and the server stays up.
#include "lab_fixture.hpp"

using namespace maillab;
using namespace maillab::bridge;
using namespace maillab::bridge::test;

namespace {

// A message as a client composes it (CRLF), and how it goes on the wire after DATA.
const std::string kMessage =
    "From: Carol <carol@c.example>\r\n"
    "To: bob@b.example\r\n"
    "Subject: over a real socket\r\n"
    "Date: Mon, 02 Mar 2026 09:00:00 +0000\r\n"
    "Message-ID: <real-1@c.example>\r\n"
    "\r\n"
    "Hello Bob,\r\n"
    ".a line that starts with a dot\r\n"
    "..and one with two\r\n"
    "  leading spaces, trailing spaces   \r\n"
    "\r\n"
    "caf\xc3\xa9 8bit\r\n";

std::string dot_stuff(const std::string& m) {
  std::string out;
  std::size_t pos = 0;
  while (pos < m.size()) {
    auto eol = m.find("\r\n", pos);
    std::string line = m.substr(pos, eol + 2 - pos);
    if (!line.empty() && line[0] == '.') out += '.';
    out += line;
    pos = eol + 2;
  }
  return out;
}

std::string dot_unstuff(const std::string& wire) {
  std::string out;
  std::size_t pos = 0;
  while (pos < wire.size()) {
    auto eol = wire.find("\r\n", pos);
    if (eol == std::string::npos) eol = wire.size() - 2;
    std::string line = wire.substr(pos, eol + 2 - pos);
    if (line.size() > 2 && line[0] == '.') line.erase(0, 1);
    out += line;
    pos = eol + 2;
  }
  return out;
}

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

ServeOptions smtp_pop3_options() {
  ServeOptions o;
  o.listen.push_back(listen_on("mx.b.example", scenario::Service::Smtp));
  o.listen.push_back(listen_on("mx.b.example", scenario::Service::Pop3));
  o.grace = 300ms;
  return o;
}

// One mail transaction on a session already greeted; returns the reply to the final dot.
std::string transaction(TestClient& c, const std::string& from, const std::string& to,
                        const std::string& message) {
  if (c.cmd("MAIL FROM:<" + from + ">").rfind("250", 0) != 0) return "MAIL refused";
  if (c.cmd("RCPT TO:<" + to + ">").rfind("250", 0) != 0) return "RCPT refused";
  if (c.cmd("DATA").rfind("354", 0) != 0) return "DATA refused";
  c.send(dot_stuff(message) + ".\r\n");
  return c.reply();
}

// Greeting, EHLO, one transaction.
std::string send_mail(TestClient& c, const std::string& from, const std::string& to,
                      const std::string& message) {
  if (c.reply().rfind("220", 0) != 0) return "no greeting";
  if (c.cmd("EHLO client.example").rfind("250", 0) != 0) return "EHLO refused";
  return transaction(c, from, to, message);
}

}  // namespace

TEST_CASE("bridge: an SMTP session from a real socket is delivered byte-exact and POP3 gives it back") {
  Lab lab(kLabYaml, smtp_pop3_options());
  {
    TestClient c(lab.port(0));
    REQUIRE(c.connected());
    std::string r = send_mail(c, "carol@c.example", "bob@b.example", kMessage);
    INFO(r);
    REQUIRE(r.rfind("250", 0) == 0);
    CHECK(c.cmd("QUIT").rfind("221", 0) == 0);
    CHECK(c.wait_end(2s) == TestClient::End::Eof);
  }
  REQUIRE(lab.wait_for([&] { return lab.world().deliveries().size() == 1; }));
  std::string stored = lab.on_loop([&] { return *lab.world().deliveries()[0].record.content; });
  INFO(stored);
  CHECK(stored.rfind("Return-Path: <carol@c.example>\r\nDelivered-To: bob@b.example\r\n", 0) == 0);
  CHECK(stored.find("Received: from client.example (unknown [127.0.0.1])") != std::string::npos);
  CHECK(ends_with(stored, kMessage));

  TestClient p(lab.port(1));
  REQUIRE(p.connected());
  REQUIRE(p.until("\r\n").rfind("+OK", 0) == 0);
  p.send("USER bob\r\n");
  REQUIRE(p.until("\r\n").rfind("+OK", 0) == 0);
  p.send("PASS builder\r\n");
  REQUIRE(p.until("\r\n").rfind("+OK", 0) == 0);
  p.send("RETR 1\r\n");
  std::string status = p.until("\r\n");
  REQUIRE(status.rfind("+OK", 0) == 0);
  std::string wire = p.until("\r\n.\r\n");
  REQUIRE(!wire.empty());
  std::string retrieved = dot_unstuff(wire.substr(0, wire.size() - 3));
  CHECK(retrieved == stored);
  p.send("QUIT\r\n");
  CHECK(p.until("\r\n").rfind("+OK", 0) == 0);
}

TEST_CASE("bridge: a client vanishing mid-DATA delivers nothing and the server stays up") {
  Lab lab(kLabYaml, smtp_pop3_options());
  for (bool rst : {false, true}) {
    TestClient c(lab.port(0));
    REQUIRE(open_data(c) == "");
    c.send("Subject: half\r\n\r\nthe first half of a message\r\nand no end");
    std::this_thread::sleep_for(50ms);
    if (rst) {
      c.reset();
    } else {
      c.close();
    }
  }
  REQUIRE(lab.wait_for([&] { return lab.server().connections() == 0; }));
  std::this_thread::sleep_for(100ms);
  CHECK(lab.deliveries() == 0);
  CHECK(lab.on_loop([&] { return lab.world().queue_of("mx.b.example").size(); }) == 0);
  // Still serving.
  TestClient c(lab.port(0));
  REQUIRE(send_mail(c, "carol@c.example", "bob@b.example", kMessage).rfind("250", 0) == 0);
  REQUIRE(lab.wait_for([&] { return lab.world().deliveries().size() == 1; }));
}

TEST_CASE("bridge: 20 concurrent sessions are all delivered") {
  Lab lab(kLabYaml, smtp_pop3_options());
  constexpr int kSessions = 20;
  std::vector<std::string> results(kSessions);
  std::vector<std::thread> clients;
  for (int i = 0; i < kSessions; ++i) {
    clients.emplace_back([&, i] {
      TestClient c(lab.port(0));
      std::string msg = "Subject: concurrent " + std::to_string(i) + "\r\n\r\nbody " +
                        std::to_string(i) + "\r\n";
      results[i] = send_mail(c, "carol@c.example", "bob@b.example", msg);
      c.cmd("QUIT");
    });
  }
  for (auto& t : clients) t.join();
  for (int i = 0; i < kSessions; ++i) {
    INFO("session " << i << ": " << results[i]);
    CHECK(results[i].rfind("250", 0) == 0);
  }
  REQUIRE(lab.wait_for([&] { return lab.world().deliveries().size() == kSessions; }));
}

TEST_CASE("bridge: a 10,000-byte command line gets 500 and the session goes on") {
  Lab lab(kLabYaml, smtp_pop3_options());
  TestClient c(lab.port(0));
  REQUIRE(c.reply().rfind("220", 0) == 0);
  REQUIRE(c.cmd("EHLO client.example").rfind("250", 0) == 0);
  std::string r = c.cmd("NOOP " + std::string(10'000 - 7, 'x'));
  INFO(r);
  CHECK(r.rfind("500", 0) == 0);
  CHECK(c.cmd("NOOP").rfind("250", 0) == 0);
  // Binary garbage: an answer (a 5xx), never a crash.
  std::string garbage;
  for (int i = 0; i < 256; ++i) garbage += static_cast<char>(i == 10 || i == 13 ? 'x' : i);
  r = c.cmd(garbage);
  CHECK(r.rfind("5", 0) == 0);
  CHECK(transaction(c, "carol@c.example", "bob@b.example", kMessage).rfind("250", 0) == 0);
  CHECK(c.cmd("QUIT").rfind("221", 0) == 0);
  REQUIRE(lab.wait_for([&] { return lab.world().deliveries().size() == 1; }));
}

TEST_CASE("bridge: SMTP smuggling sequences inside DATA never end the message") {
  Lab lab(kLabYaml, smtp_pop3_options());
  for (std::string seq : {"\n.\n", "\n.\r\n", "\r.\r\n", "\r\n.\n"}) {
    INFO("sequence " << (seq == "\n.\n" ? "LF.LF" : seq == "\n.\r\n" ? "LF.CRLF" : seq == "\r.\r\n" ? "CR.CRLF" : "CRLF.LF"));
    std::size_t before = lab.deliveries();
    TestClient c(lab.port(0));
    REQUIRE(c.reply().rfind("220", 0) == 0);
    REQUIRE(c.cmd("EHLO client.example").rfind("250", 0) == 0);
    REQUIRE(c.cmd("MAIL FROM:<carol@c.example>").rfind("250", 0) == 0);
    REQUIRE(c.cmd("RCPT TO:<bob@b.example>").rfind("250", 0) == 0);
    REQUIRE(c.cmd("DATA").rfind("354", 0) == 0);
    c.send("Subject: outer\r\n\r\nouter body" + seq +
           "MAIL FROM:<evil@c.example>\r\nRCPT TO:<bob@b.example>\r\nDATA\r\n"
           "Subject: smuggled\r\n\r\nsmuggled body\r\n");
    // Nothing may be answered yet: the message has not ended.
    CHECK(c.wait_data(300ms) == TestClient::End::Timeout);
    c.send(".\r\n");
    std::string r = c.reply();
    INFO(r);
    CHECK(r.rfind("250", 0) == 0);
    CHECK(c.cmd("QUIT").rfind("221", 0) == 0);
    CHECK(c.buffered().empty());  // exactly one reply to the dot
    REQUIRE(lab.wait_for([&] { return lab.world().deliveries().size() == before + 1; }));
    std::string stored = lab.on_loop([&] { return *lab.world().deliveries().back().record.content; });
    CHECK(stored.find("Subject: outer") != std::string::npos);
    CHECK(stored.find("MAIL FROM:<evil@c.example>") != std::string::npos);
    std::this_thread::sleep_for(100ms);
    CHECK(lab.deliveries() == before + 1);
  }
}

TEST_CASE("bridge: a slow client (one byte at a time) and a pipelining client are both served") {
  Lab lab(kLabYaml, smtp_pop3_options());
  {
    TestClient slow(lab.port(0));
    REQUIRE(slow.reply().rfind("220", 0) == 0);
    std::string script =
        "HELO slow.example\r\nMAIL FROM:<carol@c.example>\r\nRCPT TO:<bob@b.example>\r\nDATA\r\n";
    for (char ch : script) {
      slow.send(std::string(1, ch));
      std::this_thread::sleep_for(1ms);
    }
    for (const char* code : {"250", "250", "250", "354"}) CHECK(slow.reply().rfind(code, 0) == 0);
    std::string body = "Subject: slow\r\n\r\nbyte by byte\r\n.\r\n";
    for (char ch : body) {
      slow.send(std::string(1, ch));
      std::this_thread::sleep_for(1ms);
    }
    CHECK(slow.reply().rfind("250", 0) == 0);
  }
  {
    TestClient fast(lab.port(0));
    REQUIRE(fast.reply().rfind("220", 0) == 0);
    // RFC 2920: the whole envelope in one write.
    fast.send("EHLO fast.example\r\nMAIL FROM:<carol@c.example>\r\nRCPT TO:<bob@b.example>\r\n"
              "RCPT TO:<nobody@b.example>\r\nDATA\r\n");
    std::string ehlo = fast.reply();
    CHECK(ehlo.find("PIPELINING") != std::string::npos);
    CHECK(fast.reply().rfind("250", 0) == 0);
    CHECK(fast.reply().rfind("250", 0) == 0);
    CHECK(fast.reply().rfind("550", 0) == 0);  // unknown user, the transaction goes on
    CHECK(fast.reply().rfind("354", 0) == 0);
    fast.send("Subject: pipelined\r\n\r\nall at once\r\n.\r\nQUIT\r\n");
    CHECK(fast.reply().rfind("250", 0) == 0);
    CHECK(fast.reply().rfind("221", 0) == 0);
    CHECK(fast.wait_end(2s) == TestClient::End::Eof);
  }
  REQUIRE(lab.wait_for([&] { return lab.world().deliveries().size() == 2; }));
}

TEST_CASE("bridge: a client that sends nothing gets 421 after the command timeout; others are served") {
  // --speed 60: smtpd's 300 s command timeout passes in 5 real seconds (at 600, half a
  // second, a loaded machine's pause between two of the other client's commands timed it out).
  ServeOptions o = smtp_pop3_options();
  o.speed = 60;
  Lab lab(kLabYaml, std::move(o));
  TestClient silent(lab.port(0));
  REQUIRE(silent.reply().rfind("220", 0) == 0);
  // Meanwhile another client is served normally.
  {
    TestClient c(lab.port(0));
    std::string r = send_mail(c, "carol@c.example", "bob@b.example", kMessage);
    INFO(r);
    CHECK(r.rfind("250", 0) == 0);
  }
  std::string r = silent.reply(30s);
  INFO(r);
  CHECK(r.rfind("421 4.4.2", 0) == 0);
  CHECK(silent.wait_end(10s) == TestClient::End::Eof);
  // The silent one also left behind no half-open transaction: the same session state
  // on a fresh connection works.
  TestClient again(lab.port(0));
  r = send_mail(again, "carol@c.example", "bob@b.example", kMessage);
  CHECK(r.rfind("250", 0) == 0);
  REQUIRE(lab.wait_for([&] { return lab.world().deliveries().size() == 2; }));
}

TEST_CASE("bridge: a client silent in the middle of DATA gets 421 and nothing is delivered") {
  ServeOptions o = smtp_pop3_options();
  o.speed = 60;  // smtpd's 180 s DATA timeout (4.5.3.2.6) in 3 real seconds, 300 s between commands in 5
  Lab lab(kLabYaml, std::move(o));
  TestClient c(lab.port(0));
  REQUIRE(open_data(c) == "");
  c.send("Subject: half\r\n\r\nhalf a message\r\n");
  std::string r = c.reply(30s);
  INFO(r);
  CHECK(r.rfind("421 4.4.2", 0) == 0);
  CHECK(c.wait_end(10s) == TestClient::End::Eof);
  std::this_thread::sleep_for(200ms);
  CHECK(lab.deliveries() == 0);
  CHECK(lab.on_loop([&] { return lab.world().queue_of("mx.b.example").size(); }) == 0u);
}

TEST_CASE("bridge: a serve that keeps no trace counts deliveries without keeping their bytes") {
  ServeOptions o = smtp_pop3_options();
  o.keep_trace = false;  // as `maillab serve` runs
  Lab lab(kLabYaml, o);
  TestClient c(lab.port(0));
  REQUIRE(c.reply().rfind("220", 0) == 0);
  REQUIRE(c.cmd("EHLO client.example").rfind("250", 0) == 0);
  for (int i = 0; i < 3; ++i) {
    REQUIRE(transaction(c, "carol@c.example", "bob@b.example", kMessage).rfind("250", 0) == 0);
  }
  CHECK(c.cmd("QUIT").rfind("221", 0) == 0);
  REQUIRE(lab.wait_for([&] { return lab.world().delivery_count() == 3; }));
  CHECK(lab.on_loop([&] { return lab.world().deliveries().size(); }) == 0);
  // The mailbox still has all three: POP3 STAT.
  CHECK(pop3_stat(lab.port(1), "bob", "builder").rfind("+OK 3 ", 0) == 0);
}
