// The packet pane (issue 18 item 4): for an arrow of full-journey's chart, the exact bytes
// that crossed the network, the RFC section that governs them, and the server session's
// state before and after; a DNS answer decoded field by field; a connect's SYN.
#include "viz_fixture.hpp"
#include "viz/packet_detail.hpp"

using namespace maillab;
using namespace maillab::viz;

namespace {

struct Run {
  scenario::Scenario s = viz_test::load("full-journey");
  std::unique_ptr<scenario::World> w;
  PcapRecorder rec;
  SequenceChart chart;
  Run() {
    auto built = scenario::World::build(s, s.seed);
    w = std::move(std::get<std::unique_ptr<scenario::World>>(built));
    rec.attach(w->network());
    w->run_until(s.duration_ns);
    chart = build_sequence_chart(s, w->trace().events(), s.duration_ns);
  }
  // The first arrow of that kind between those hosts whose label starts with `label`.
  const Arrow& arrow(ArrowKind kind, const std::string& from, const std::string& to, const std::string& label) const {
    for (const auto& a : chart.arrows)
      if (a.kind == kind && chart.lanes[a.from].host == from && chart.lanes[a.to].host == to &&
          a.label.rfind(label, 0) == 0)
        return a;
    FAIL("no arrow " << label << " from " << from << " to " << to);
    return chart.arrows.front();
  }
  PacketDetail detail(const Arrow& a) const { return packet_detail(s, chart, a, w->trace().events(), rec.packets()); }
};

}  // namespace

TEST_CASE("packet detail: an SMTP command, its bytes, its RFC section, the session's state") {
  Run r;
  auto d = r.detail(r.arrow(ArrowKind::Command, "mail.a.example", "mx.b.example", "MAIL FROM:"));
  REQUIRE(d.found);
  CHECK(d.rfc == "RFC 5321 4.1.1.2, 4.1.4");
  CHECK(d.state_before == "ready");
  CHECK(d.state_after == "mail");
  // The exact bytes: the command line ending in CRLF; the pipelined RCPT and DATA share its
  // segment (PIPELINING, RFC 2920).
  CHECK(d.bytes.find("MAIL FROM:<alice@a.example>") == 0);
  CHECK(d.bytes.find("\\r\\n\nRCPT TO:<bob@b.example>") != std::string::npos);
  REQUIRE(d.packets.size() == 1);
  CHECK(d.packets[0].find("TCP 192.0.2.10:") == 0);
  CHECK(d.packets[0].find(":25  sent ") != std::string::npos);

  auto data = r.detail(r.arrow(ArrowKind::Command, "mail.a.example", "mx.b.example", "message content"));
  REQUIRE(data.found);
  CHECK(data.state_before == "data");
  CHECK(data.state_after == "ready");
  CHECK(data.rfc.find("RFC 5321 4.1.1.4") == 0);
  CHECK(data.bytes.find("\\r\\n\n.\\r\\n\n") != std::string::npos);  // CRLF.CRLF ends it
}

TEST_CASE("packet detail: a reply, a greeting's connect, a POP3 command") {
  Run r;
  auto rep = r.detail(r.arrow(ArrowKind::Reply, "mx.b.example", "mail.a.example", "250 2.1.5"));
  REQUIRE(rep.found);
  CHECK(rep.bytes.find("250 2.1.5") != std::string::npos);
  CHECK(rep.rfc == "RFC 5321 4.1.1.3, 3.3; RFC 5321 4.2 (the reply)");
  CHECK(rep.state_after == "rcpt");

  auto conn = r.detail(r.arrow(ArrowKind::Connect, "mail.a.example", "mx.b.example", "connect"));
  REQUIRE(conn.found);
  CHECK(conn.packets[0].find("[SYN]") != std::string::npos);
  CHECK(conn.bytes.empty());
  CHECK(conn.state_before == "(not yet connected)");
  CHECK(conn.state_after == "connected");

  auto retr = r.detail(r.arrow(ArrowKind::Command, "pc.bob", "mx.b.example", "RETR"));
  REQUIRE(retr.found);
  CHECK(retr.rfc == "RFC 1939 5");
  CHECK(retr.state_before == "TRANSACTION");
  CHECK(retr.bytes == "RETR 1\\r\\n\n");
}

TEST_CASE("packet detail: a DNS answer decoded field by field") {
  Run r;
  // The answer to mail.a.example's MX lookup (its PTR lookups of clients come first).
  const Arrow* answer = nullptr;
  for (const auto& a : r.chart.arrows)
    if (!answer && a.protocol == "DNS" && a.kind == ArrowKind::Reply && r.chart.lanes[a.to].host == "mail.a.example") {
      auto probe = r.detail(a);
      if (probe.found && probe.fields.size() >= 3 && probe.fields[2].find(" IN MX") != std::string::npos) answer = &a;
    }
  REQUIRE(answer);
  auto d = r.detail(*answer);
  REQUIRE(d.found);
  CHECK(d.rfc.find("RFC 1035 4.1") == 0);
  REQUIRE(d.fields.size() >= 4);
  CHECK(d.fields[0].find("response") != std::string::npos);
  CHECK(d.fields[0].find("rcode NOERROR") != std::string::npos);
  CHECK(d.fields[2] == "question b.example. IN MX");
  bool mx = false;
  for (const auto& f : d.fields) mx = mx || (f.rfind("answer b.example.", 0) == 0 && f.find("MX 10 mx.b.example.") != std::string::npos);
  CHECK(mx);
}

TEST_CASE("packet detail: bytes are shown escaped and bounded") {
  CHECK(escape_bytes("A\r\nB\x01\xff\\") == "A\\r\\n\nB\\x01\\xFF\\\\");
  const std::string big(kMaxShown + 10, 'x');
  CHECK(escape_bytes(big).find("... (10 more bytes)") != std::string::npos);
}
