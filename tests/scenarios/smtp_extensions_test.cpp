// Two lab MTAs in one simulation, mail.a.example relaying to mx.b.example: what the SMTP
// extensions of issue 16 change for the mail between them - BDAT on the wire (RFC 3030),
// the bytes the next hop receives, and what the sender gets back.
#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>

#include "protocols/io/trace_vocab.hpp"
#include "protocols/mta/mta.hpp"
#include "protocols/smtp/rcpt_params.hpp"
#include "scenarios/sim_runtime.hpp"

using namespace maillab;
namespace ev = io::trace::ev;
namespace key = io::trace::key;

namespace {

using Tweak = std::function<void(mta::MtaConfig&)>;

struct TwoMtas {
  sim::Simulator sim{1};
  sim::TraceRecorder trace;
  sim::Network net{sim};
  struct Host {
    io::MemoryDisk disk;
    std::unique_ptr<scenario::SimRuntime> rt;
    std::unique_ptr<mta::Mta> mta;
    std::vector<mta::DeliveryRecord> delivered;
  };
  Host a, b;

  explicit TwoMtas(const Tweak& tweak_a = {}, const Tweak& tweak_b = {}) {
    mta::MtaConfig ca;
    ca.hostname = "mail.a.example";
    ca.domains = {"a.example"};
    ca.users.add("alice", "wonderland");
    ca.transport["b.example"] = "[10.0.0.2]:25";  // no DNS in this lab
    if (tweak_a) tweak_a(ca);
    mta::MtaConfig cb;
    cb.hostname = "mx.b.example";
    cb.domains = {"b.example"};
    cb.users.add("bob", "builder");
    if (tweak_b) tweak_b(cb);
    boot(a, "mail.a.example", "10.0.0.1", std::move(ca));
    boot(b, "mx.b.example", "10.0.0.2", std::move(cb));
  }
  ~TwoMtas() {
    a.mta.reset();
    b.mta.reset();
  }
  void boot(Host& h, const std::string& name, const std::string& addr, mta::MtaConfig cfg) {
    net.add_host(name, *sim::parse_address(addr));
    h.rt = std::make_unique<scenario::SimRuntime>(sim, net, trace, name, addr, h.disk);
    h.mta = std::make_unique<mta::Mta>(*h.rt, std::move(cfg));
    h.mta->on_delivered = [&h](const mta::DeliveryRecord& r) { h.delivered.push_back(r); };
    h.mta->start();
  }

  // alice@a.example sends `content` to `rcpt`; the simulation runs for an hour.
  void send(const std::string& content, const std::string& rcpt = "bob@b.example",
            const Tweak& = {}) {
    mta::Submission s;
    s.sender = "alice@a.example";
    s.rcpts = {rcpt};
    s.content = content;
    s.client = "local";
    REQUIRE(a.mta->enqueue(s).code == 250);
    sim.run_until(3600LL * 1'000'000'000LL);
  }

  // The commands mail.a.example sent to mx.b.example, in order.
  std::vector<std::string> commands_to_b() const {
    std::vector<std::string> out;
    for (const auto& e : trace.events())
      if (e.host == "mail.a.example" && e.event == ev::kSmtpOut) out.push_back(e.get(key::kCommand));
    return out;
  }
};

// Header fields (and DSN fields) unfolded: every CRLF followed by a blank removed.
std::string unfolded(std::string text) {
  for (std::size_t at; (at = text.find("\r\n ")) != std::string::npos;) text.erase(at, 2);
  for (std::size_t at; (at = text.find("\r\n\t")) != std::string::npos;) text.erase(at, 2);
  return text;
}

// The message as stored in Bob's mailbox, after the trace headers the hops prepend.
std::string body_of(const mta::DeliveryRecord& r) {
  const std::string& s = *r.content;
  return s.substr(s.find("\r\n\r\n") + 4);
}

}  // namespace

TEST_CASE("smtp_chunking: the MTA's client sends BDAT where CHUNKING is offered", "[mta][bdat]") {
  const std::string content = "Subject: chunks\r\n\r\n.leading dot\r\nend\r\n";
  {
    TwoMtas lab;  // the default, as Postfix: DATA
    lab.send(content);
    REQUIRE(lab.b.delivered.size() == 1);
    CHECK(lab.commands_to_b()[4] == "DATA");
  }
  TwoMtas lab([](mta::MtaConfig& c) { c.smtp_chunking = true; });
  lab.send(content);
  REQUIRE(lab.b.delivered.size() == 1);
  const std::vector<std::string> sent = lab.commands_to_b();
  REQUIRE(sent.size() >= 5);
  CHECK(sent[4].rfind("BDAT ", 0) == 0);
  CHECK(sent[4].size() > 10);
  CHECK(sent[4].substr(sent[4].size() - 5) == " LAST");
  // The same bytes reach Bob: nothing stuffed, nothing lost.
  CHECK(body_of(lab.b.delivered[0]) == ".leading dot\r\nend\r\n");
}

TEST_CASE("SMTPUTF8 travels hop by hop; a next hop without it means a 5.6.7 bounce", "[mta][smtputf8]") {
  // "иван" in UTF-8: an alias of bob at mx.b.example.
  const std::string ivan = "\xd0\xb8\xd0\xb2\xd0\xb0\xd0\xbd";
  const std::string content = "Subject: hi\r\n\r\nhello\r\n";
  auto alias = [&](mta::MtaConfig& c) { c.aliases[ivan] = {"bob"}; };
  {
    TwoMtas lab({}, alias);
    lab.send(content, ivan + "@b.example");
    REQUIRE(lab.b.delivered.size() == 1);
    const std::vector<std::string> sent = lab.commands_to_b();
    CHECK(sent[2].rfind("MAIL FROM:<alice@a.example> SIZE=", 0) == 0);
    CHECK(sent[2].substr(sent[2].size() - 9) == " SMTPUTF8");
    CHECK(sent[3] == "RCPT TO:<" + ivan + "@b.example>");
  }
  // mx.b.example as Postfix with smtputf8_enable = no: mail.a.example must not downgrade
  // the address; it sends nothing and returns the message to Alice.
  TwoMtas lab({}, [&](mta::MtaConfig& c) {
    alias(c);
    c.smtputf8_enable = false;
  });
  lab.send(content, ivan + "@b.example");
  CHECK(lab.b.delivered.empty());
  const std::vector<std::string> sent = lab.commands_to_b();
  REQUIRE(sent.size() == 3);  // greeting, EHLO, QUIT: no MAIL
  CHECK(sent[2] == "QUIT");
  REQUIRE(lab.a.delivered.size() == 1);  // the DSN, in Alice's mailbox
  const std::string dsn = unfolded(*lab.a.delivered[0].content);
  INFO(dsn);
  CHECK(dsn.find("Action: failed\r\n") != std::string::npos);
  CHECK(dsn.find("Status: 5.6.7\r\n") != std::string::npos);
  CHECK(dsn.find("Diagnostic-Code: X-maillab; SMTPUTF8 is required, but was not offered by host ") !=
        std::string::npos);
  CHECK(dsn.find("Remote-MTA") == std::string::npos);  // the local MTA's verdict
}

TEST_CASE("Remote-MTA names the next hop by its name, never addr:port (issue 16 item 6)", "[mta][dsn]") {
  // mail.a.example reaches mx.b.example by a fixed next hop "[10.0.0.2]:25" (serve --route):
  // the DSN names the host that answered, as its greeting gave its name.
  TwoMtas lab;
  lab.send("Subject: hi\r\n\r\nhello\r\n", "nobody@b.example");
  REQUIRE(lab.a.delivered.size() == 1);
  const std::string dsn = unfolded(*lab.a.delivered[0].content);
  INFO(dsn);
  CHECK(dsn.find("Status: 5.1.1\r\n") != std::string::npos);
  CHECK(dsn.find("Remote-MTA: dns; mx.b.example\r\n") != std::string::npos);
  CHECK(dsn.find("host mx.b.example said: 550") != std::string::npos);
  CHECK(dsn.find("10.0.0.2:25") == std::string::npos);
}

TEST_CASE("smtp_line_length_limit: long lines reach the next hop broken, nothing lost (issue 16 item 4)",
          "[mta][line-length]") {
  // A 2500-octet body line and a 1200-octet header: Postfix's client sends at most 998
  // octets a line, breaking longer ones with CRLF SP.
  const std::string body_line(2500, 'x');
  const std::string subject = "Subject: " + std::string(1191, 's');  // 1200 octets
  const std::string content = subject + "\r\n\r\nshort\r\n" + body_line + "\r\nend\r\n";
  {
    TwoMtas lab;
    lab.send(content);
    REQUIRE(lab.b.delivered.size() == 1);
    const std::string& got = *lab.b.delivered[0].content;
    CHECK(body_of(lab.b.delivered[0]) == "short\r\n" + std::string(998, 'x') + "\r\n " + std::string(997, 'x') +
                                             "\r\n " + std::string(505, 'x') + "\r\nend\r\n");
    CHECK(got.find("\r\n" + subject.substr(0, 998) + "\r\n " + subject.substr(998) + "\r\n\r\n") !=
          std::string::npos);
    // Every line the next hop received fits RFC 5321 4.5.3.1.6's 1000 octets with CRLF.
    std::size_t start = 0, longest = 0;
    for (std::size_t end; (end = got.find("\r\n", start)) != std::string::npos; start = end + 2)
      longest = std::max(longest, end - start);
    CHECK(longest == 998);
  }
  for (bool chunking : {false, true}) {
    // With the limit off, the line goes as it is (DATA or BDAT alike).
    TwoMtas lab([&](mta::MtaConfig& c) {
      c.smtp_line_length_limit = 0;
      c.smtp_chunking = chunking;
    });
    lab.send(content);
    REQUIRE(lab.b.delivered.size() == 1);
    CHECK(body_of(lab.b.delivered[0]) == "short\r\n" + body_line + "\r\nend\r\n");
  }
  TwoMtas lab([](mta::MtaConfig& c) { c.smtp_chunking = true; });
  lab.send(content);
  REQUIRE(lab.b.delivered.size() == 1);
  CHECK(body_of(lab.b.delivered[0]).find(std::string(998, 'x') + "\r\n " + std::string(997, 'x') + "\r\n ") !=
        std::string::npos);
}

namespace {

// alice@a.example sends to `rcpt` with RFC 3461 parameters; mx.b.example routes a.example
// back to mail.a.example, so its notices reach Alice.
void send_with_dsn(TwoMtas& lab, const std::string& rcpt, unsigned notify, const std::string& orcpt = {},
                   io::Time run_for = 3600LL * 1'000'000'000LL) {
  mta::Submission s;
  s.sender = "alice@a.example";
  s.rcpts = {rcpt};
  s.rcpt_dsn = {{notify, orcpt}};
  s.envid = "env-42";
  s.content = "Subject: dsn\r\nMessage-ID: <m1@a.example>\r\n\r\nhello\r\n";
  s.client = "local";
  REQUIRE(lab.a.mta->enqueue(s).code == 250);
  lab.sim.run_until(run_for);
}

void route_back(mta::MtaConfig& c) { c.transport["a.example"] = "[10.0.0.1]:25"; }

using P = smtp::RcptParams;

// Alice's mailbox: the notices she got (the DSNs), unfolded.
std::vector<std::string> notices(const TwoMtas& lab) {
  std::vector<std::string> out;
  for (const auto& d : lab.a.delivered) out.push_back(unfolded(*d.content));
  return out;
}

bool has(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

}  // namespace

TEST_CASE("DSN NOTIFY=NEVER: no bounce; FAILURE alone still bounces (issue 16 item 3)", "[mta][dsn]") {
  {
    TwoMtas lab({}, route_back);
    send_with_dsn(lab, "nobody@b.example", P::notify_never);
    CHECK(lab.a.delivered.empty());
    bool suppressed = false;
    for (const auto& e : lab.trace.events())
      suppressed = suppressed || (e.event == ev::kDsnSuppressed && e.get(key::kReason) == "NOTIFY");
    CHECK(suppressed);
  }
  TwoMtas lab({}, route_back);
  send_with_dsn(lab, "nobody@b.example", P::notify_failure | P::notify_success);
  REQUIRE(lab.a.delivered.size() == 1);
  CHECK(has(notices(lab)[0], "Action: failed\r\n"));
}

TEST_CASE("DSN NOTIFY=SUCCESS: a delivered notice from the last hop, ORCPT and ENVID passed on", "[mta][dsn]") {
  SECTION("local delivery: Action delivered") {
    TwoMtas lab;
    send_with_dsn(lab, "alice@a.example", P::notify_success, "rfc822;Alice@A.example");
    REQUIRE(lab.a.delivered.size() == 2);  // the message and the notice
    const std::string n = unfolded(*lab.a.delivered[1].content);
    INFO(n);
    CHECK(has(n, "Subject: Successful Mail Delivery Report\r\n"));
    CHECK(has(n, "Original-Envelope-Id: env-42\r\n"));
    CHECK(has(n, "Original-Recipient: rfc822; Alice@A.example\r\n"));
    CHECK(has(n, "Final-Recipient: rfc822; alice@a.example\r\n"));
    CHECK(has(n, "Action: delivered\r\n"));
    CHECK(has(n, "Status: 2.0.0\r\n"));
    CHECK(has(n, "Content-Type: text/rfc822-headers"));  // headers only
  }
  SECTION("relayed to a hop with DSN: the parameters go along, the notice comes from there") {
    TwoMtas lab({}, route_back);
    send_with_dsn(lab, "bob@b.example", P::notify_success | P::notify_failure, "rfc822;bob@b.example");
    const auto sent = lab.commands_to_b();
    REQUIRE(sent.size() > 3);
    CHECK(has(sent[2], " ENVID=env-42"));
    CHECK(sent[3] == "RCPT TO:<bob@b.example> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;bob@b.example");
    REQUIRE(lab.b.delivered.size() == 1);
    REQUIRE(lab.a.delivered.size() == 1);  // one notice, from mx.b.example
    const std::string n = unfolded(*lab.a.delivered[0].content);
    INFO(n);
    CHECK(has(n, "Reporting-MTA: dns; mx.b.example\r\n"));
    CHECK(has(n, "Original-Envelope-Id: env-42\r\n"));
    CHECK(has(n, "Original-Recipient: rfc822; bob@b.example\r\n"));
    CHECK(has(n, "Action: delivered\r\n"));
  }
  SECTION("relayed to a hop without DSN: Action relayed, from this MTA") {
    TwoMtas lab({}, [](mta::MtaConfig& c) {
      route_back(c);
      c.smtpd_dsn_enable = false;
    });
    send_with_dsn(lab, "bob@b.example", P::notify_success);
    CHECK(lab.commands_to_b()[3] == "RCPT TO:<bob@b.example>");
    REQUIRE(lab.b.delivered.size() == 1);
    REQUIRE(lab.a.delivered.size() == 1);
    const std::string n = unfolded(*lab.a.delivered[0].content);
    INFO(n);
    CHECK(has(n, "Reporting-MTA: dns; mail.a.example\r\n"));
    CHECK(has(n, "Action: relayed\r\n"));
    CHECK(has(n, "Remote-MTA: dns; mx.b.example\r\n"));
  }
  SECTION("no NOTIFY: no notice") {
    TwoMtas lab({}, route_back);
    send_with_dsn(lab, "bob@b.example", 0);
    CHECK(lab.b.delivered.size() == 1);
    CHECK(lab.a.delivered.empty());
  }
}

TEST_CASE("DSN NOTIFY=DELAY governs delay warnings", "[mta][dsn]") {
  auto unreachable = [](mta::MtaConfig& c) {
    c.transport["b.example"] = "[10.0.0.9]:25";  // nobody there
    c.queue.delay_warning_time = 600LL * 1'000'000'000LL;
  };
  for (unsigned notify : {0u, unsigned(P::notify_delay), unsigned(P::notify_failure), unsigned(P::notify_never)}) {
    TwoMtas lab(unreachable);
    send_with_dsn(lab, "bob@b.example", notify);
    const bool warned = notify == 0 || notify == P::notify_delay;
    INFO("notify " << notify);
    REQUIRE(lab.a.delivered.size() == (warned ? 1u : 0u));
    if (warned) CHECK(has(notices(lab)[0], "Action: delayed\r\n"));
  }
}
