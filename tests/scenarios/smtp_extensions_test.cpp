// Two lab MTAs in one simulation, mail.a.example relaying to mx.b.example: what the SMTP
// extensions of issue 16 change for the mail between them - BDAT on the wire (RFC 3030),
// the bytes the next hop receives, and what the sender gets back.
#include <catch2/catch.hpp>

#include <functional>

#include "protocols/io/trace_vocab.hpp"
#include "protocols/mta/mta.hpp"
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
    ca.transport["b.example"] = "10.0.0.2:25";  // no DNS in this lab
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
