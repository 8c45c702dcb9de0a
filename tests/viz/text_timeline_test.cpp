// The text timeline (`maillab viz SCENARIO --text`): one line per exchange, host names,
// Postfix's relay=/status= with relay=none, retry times as simulated times, packet loss and
// retransmissions, the --host and --message filters, a summary per message, and nothing
// raw from a peer on the terminal.
#include <regex>

#include "viz_fixture.hpp"
#include "viz/pcap_recorder.hpp"
#include "viz/text_timeline.hpp"

using namespace maillab;
using namespace maillab::viz;

namespace {

// The timeline of a run as the command prints it.
std::string timeline(const std::string& scenario, const std::string& args = "", int* rc = nullptr) {
  std::string out;
  int code = viz_test::shell("'" + viz_test::kMaillab + "' viz '" + scenario + "' --text " + args + " 2>&1", &out);
  if (rc) *rc = code;
  else REQUIRE(code == 0);
  return out;
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (auto nl = text.find('\n'); nl != std::string::npos; nl = text.find('\n', start)) {
    out.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

}  // namespace

TEST_CASE("text timeline: one line per exchange, the server's side, hosts by name") {
  const std::string t = timeline("basic-delivery");
  // Two SMTP sessions (submission, relay), each MAIL FROM once: no client echo line.
  CHECK(count(t, "MAIL FROM:<alice@a.example>") == 2);
  CHECK_FALSE(std::regex_search(t, std::regex(R"((MUA|MSA|MTA|MRA) +-> )")));
  CHECK(t.find("mail.a.example   MSA  pc.alice: MAIL FROM:<alice@a.example> SIZE=387  => 250 2.1.0 Ok") !=
        std::string::npos);
  CHECK(t.find("pc.alice connects to :587  => 220 mail.a.example ESMTP maillab") != std::string::npos);
  CHECK(t.find("mail.a.example connects to :25 for 120160Q1  => 220 mx.b.example") != std::string::npos);
  // A DNS lookup is one line, at the answer.
  CHECK(count(t, "? b.example MX") == 1);
  CHECK(t.find("? b.example MX -> ns.example  => answer: 10 mx.b.example.") != std::string::npos);
  // Addresses only where Postfix writes them: relay=name[address]:port.
  for (const auto& line : lines_of(t)) {
    INFO(line);
    if (line.find("relay=") != std::string::npos) continue;
    CHECK_FALSE(std::regex_search(line, std::regex(R"(\b(192\.0\.2|198\.51\.100)\.[0-9]+\b)")));
  }
  CHECK(t.find("120160Q1: to=<bob@b.example>, relay=mx.b.example[192.0.2.20]:25, status=sent (250 2.0.0 Ok: "
               "queued as 14C080Q1)") != std::string::npos);
  CHECK(t.find("14C080Q1: to=<bob@b.example>, relay=local, status=sent (delivered into bob's maildir)") !=
        std::string::npos);
}

TEST_CASE("text timeline: relay=none, retries as simulated times, the summary says where it ended") {
  const std::string t = timeline("mx-failover");
  CHECK(t.find("next_ns") == std::string::npos);
  CHECK(t.find("connect to mx1.b.example:25 for 394E690Q1 failed: timed out after 30s") != std::string::npos);
  CHECK(t.find("56009A0Q1: to=<bob@b.example>, relay=none, status=deferred (connect to "
               "mx1.b.example[192.0.2.21]:25: Connection timed out)") != std::string::npos);
  CHECK(t.find("56009A0Q1: deferred, next retry after 0+00:07:00.000 (in 4m 59s)") != std::string::npos);
  CHECK(t.find("56009A0Q1: retry #2") != std::string::npos);
  // A host down does not answer: its SYNs go out again and again.
  CHECK(t.find("NET  retransmitted: mail.a.example -> mx1.b.example  SMTP SYN") != std::string::npos);
  CHECK(t.find("messages: 1") != std::string::npos);
  CHECK(t.find("relayed by mail.a.example to mx2.b.example, queued as 56009A0Q1") != std::string::npos);
  CHECK(std::regex_search(t, std::regex(R"(delivered on mx1\.b\.example: bob@b\.example into bob's maildir)")));

  const std::string early = timeline("mx-failover", "--at 2m5s");
  CHECK(early.find("still deferred on mx2.b.example after 1 attempt, next retry after 0+00:07:00.000") !=
        std::string::npos);
}

TEST_CASE("text timeline: packets lost on the way and their retransmissions") {
  const std::string t = timeline(viz_test::kData + "lossy.yaml");
  CHECK(t.find("NET  packet loss 30% between mail.a.example and mx.b.example") != std::string::npos);
  CHECK(t.find("NET  lost: mail.a.example -> mx.b.example  SMTP SYN") != std::string::npos);
  CHECK(t.find("NET  lost: mx.b.example -> mail.a.example  SMTP 250 2.0.0 Ok: queued as") != std::string::npos);
  CHECK(t.find("NET  retransmitted: mx.b.example -> mail.a.example  SMTP 250 2.0.0 Ok: queued as") !=
        std::string::npos);
  CHECK(t == timeline(viz_test::kData + "lossy.yaml"));  // seeded: the same packets every run
}

TEST_CASE("text timeline: --host keeps what that host takes part in") {
  const std::string t = timeline("full-journey", "--host ns.example");
  const auto lines = lines_of(t);
  std::size_t body = 0;
  for (const auto& line : lines) {
    if (line.rfind("0+", 0) != 0) continue;
    ++body;
    INFO(line);
    CHECK(line.find("ns.example") != std::string::npos);
  }
  // The MX lookup, and each receiving MTA's PTR lookup of its client (reverse DNS):
  // mail.a.example of pc.alice, mx.b.example of mail.a.example.
  CHECK(body == 3);
  CHECK(t.find("messages: 0") != std::string::npos);  // no message went through ns.example

  const std::string bob = timeline("full-journey", "--host pc.bob");
  CHECK(bob.find("pc.bob: RETR 1") != std::string::npos);
  CHECK(bob.find("pc.alice: MAIL FROM") == std::string::npos);
  CHECK(bob.find("downloaded by pc.bob (POP3, bob), deleted from mx.b.example") != std::string::npos);

  int rc = 0;
  const std::string bad = timeline("full-journey", "--host mx9.example", &rc);
  CHECK(rc == 2);
  CHECK(bad.find("no host mx9.example") != std::string::npos);
}

TEST_CASE("text timeline: --message follows one message, by queue id or Message-ID") {
  // two-domains: three messages; follow the second, Bob's answer.
  const std::string all = timeline("two-domains");
  std::smatch m;
  REQUIRE(std::regex_search(all, m, std::regex(R"(compose "Re Team lunch" from bob@b\.example (<[^>]+>))")));
  const std::string msgid = m[1];
  const std::string t = timeline("two-domains", "--message '" + msgid + "'");
  CHECK(t.find("compose \"Re Team lunch\"") != std::string::npos);
  CHECK(t.find("compose \"Team lunch\"") == std::string::npos);
  CHECK(t.find("compose \"Local note\"") == std::string::npos);
  CHECK(t.find("pc.alice: MAIL FROM") == std::string::npos);
  CHECK(t.find("pc.bob: MAIL FROM:<bob@b.example>") != std::string::npos);
  CHECK(t.find("messages: 1") != std::string::npos);
  // The same message named by a queue id on its last hop.
  REQUIRE(std::regex_search(t, m, std::regex(R"(([0-9A-F]+Q[0-9]+): to=<alice@a\.example>, relay=local)")));
  const std::string by_id = timeline("two-domains", "--message " + std::string(m[1]));
  CHECK(by_id.substr(by_id.find('\n')) == t.substr(t.find('\n')));  // all but the heading

  // Bob's POP3 session belongs to the message he downloads.
  const std::string fj = timeline("full-journey", "--message 9F7450Q1");
  CHECK(fj.find("pc.bob: RETR 1  => +OK") != std::string::npos);
  CHECK(fj.find("downloaded by pc.bob (POP3, bob), deleted from mx.b.example") != std::string::npos);

  int rc = 0;
  const std::string bad = timeline("two-domains", "--message NOPE1", &rc);
  CHECK(rc == 2);
  CHECK(bad.find("no message NOPE1") != std::string::npos);
}

TEST_CASE("text timeline: a stranger's text never drives the terminal") {
  auto s = viz_test::load("basic-delivery");
  std::vector<sim::TraceEvent> trace{
      {1'000'000'000, "pc.alice", "MUA", "compose",
       {{"from", "a@a.example"}, {"subject", "\x1b[2J\x1b]0;owned\x07 hi\r\n"}, {"message_id", "<x@y>"}}},
      {1'100'000'000, "mail.a.example", "MSA", "smtp.in",
       {{"peer", "198.51.100.7"}, {"command", "HELO \x1b[31mred"}, {"code", "250"}, {"reply", "250 ok\r"}}}};
  std::string error;
  auto t = text_timeline(s, trace, nullptr, s.duration_ns, {}, &error);
  REQUIRE(t);
  CHECK(t->find('\x1b') == std::string::npos);
  CHECK(t->find('\r') == std::string::npos);
  CHECK(t->find('\x07') == std::string::npos);
  CHECK(t->find("\\x1B[2J") != std::string::npos);  // shown, not obeyed
}
