// The sequence chart computed from the trace: lanes, exchanges paired into command and reply
// arrows, outcomes, marks, queue bars, down intervals, slots and the nonlinear time axis.
#include <algorithm>

#include "viz_fixture.hpp"
#include "viz/host_roles.hpp"
#include "viz/sequence_chart.hpp"
#include "viz/text.hpp"
#include "viz/time_axis.hpp"

using namespace maillab;
using namespace maillab::viz;

namespace {

const Arrow* find_arrow(const SequenceChart& c, const std::string& label_prefix) {
  for (const auto& a : c.arrows)
    if (a.label.rfind(label_prefix, 0) == 0) return &a;
  return nullptr;
}

const Mark* find_mark(const SequenceChart& c, const std::string& event) {
  for (const auto& m : c.marks)
    if (m.event == event) return &m;
  return nullptr;
}

constexpr Time kMs = 1'000'000, kS = 1000 * kMs, kMin = 60 * kS;

}  // namespace

TEST_CASE("basic-delivery: one lane per host, in the order of the journey, with roles") {
  auto s = viz_test::load("basic-delivery");
  auto w = viz_test::run_world(s);
  SequenceChart c = build_sequence_chart(s, w->trace().events(), s.duration_ns);
  REQUIRE(c.lanes.size() == s.hosts.size());
  std::vector<std::string> order;
  for (const auto& l : c.lanes) order.push_back(l.host);
  CHECK(order == std::vector<std::string>{"pc.alice", "mail.a.example", "ns.example", "mx.b.example"});
  CHECK(roles_label(c.lanes[0].roles) == "MUA");
  CHECK(c.lanes[1].roles == std::vector<std::string>{"MSA", "MTA", "MX", "MDA"});
  CHECK(c.lanes[2].roles == std::vector<std::string>{"DNS"});
  CHECK(c.lanes[3].roles == std::vector<std::string>{"MTA", "MX", "MDA", "MRA"});
}

TEST_CASE("basic-delivery: each SMTP exchange is a command arrow and a reply arrow") {
  auto s = viz_test::load("basic-delivery");
  auto w = viz_test::run_world(s);
  SequenceChart c = build_sequence_chart(s, w->trace().events(), s.duration_ns);
  const int alice = c.lane_of("pc.alice"), msa = c.lane_of("mail.a.example"),
            ns = c.lane_of("ns.example"), mx = c.lane_of("mx.b.example");

  const Arrow* mail = find_arrow(c, "MAIL FROM:<alice@a.example>");
  REQUIRE(mail);
  CHECK(mail->kind == ArrowKind::Command);
  CHECK(mail->from == alice);
  CHECK(mail->to == msa);
  CHECK(mail->outcome == Outcome::Ok);
  // Sent at the client's previous receipt, arriving one hop (20 ms) later.
  CHECK(mail->t_to - mail->t_from == 20 * kMs);

  const Arrow* data = find_arrow(c, "354 ");
  REQUIRE(data);
  CHECK(data->kind == ArrowKind::Reply);
  CHECK(data->outcome == Outcome::Intermediate);

  const Arrow* connect = find_arrow(c, "connect :587");
  REQUIRE(connect);
  CHECK(connect->kind == ArrowKind::Connect);

  // Pipelined MAIL, RCPT, DATA leave the client at the same instant, one slot apart.
  const Arrow* rcpt = find_arrow(c, "RCPT TO:<bob@b.example>");
  REQUIRE(rcpt);
  CHECK(rcpt->t_from == mail->t_from);
  CHECK(rcpt->slot_from == mail->slot_from + 1);

  const Arrow* query = find_arrow(c, "? b.example MX");
  REQUIRE(query);
  CHECK(query->from == msa);
  CHECK(query->to == ns);
  const Arrow* answer = find_arrow(c, "10 mx.b.example.");
  REQUIRE(answer);
  CHECK(answer->from == ns);
  CHECK(answer->to == msa);
  CHECK(answer->outcome == Outcome::Ok);

  std::size_t relay_exchanges = std::count_if(c.arrows.begin(), c.arrows.end(), [&](const Arrow& a) {
    return a.from == msa && a.to == mx;
  });
  CHECK(relay_exchanges == 7);  // connect, EHLO, MAIL, RCPT, DATA, the content, QUIT

  const Mark* deliver = find_mark(c, "deliver");
  REQUIRE(deliver);
  CHECK(deliver->lane == mx);
  CHECK(deliver->outcome == Outcome::Ok);
  CHECK(deliver->label.find("bob") != std::string::npos);
}

TEST_CASE("mx-failover: timeouts, the backup MX's queue, deferrals and the down interval") {
  auto s = viz_test::load(viz_test::kData + "mx-failover.yaml");
  auto w = viz_test::run_world(s);
  SequenceChart c = build_sequence_chart(s, w->trace().events(), s.duration_ns);
  const int mx1 = c.lane_of("mx1.b.example"), mx2 = c.lane_of("mx2.b.example");
  REQUIRE(mx1 >= 0);
  REQUIRE(mx2 >= 0);

  REQUIRE(c.lanes[mx1].down.size() == 1);
  CHECK(c.lanes[mx1].down[0].from == 0);
  CHECK(c.lanes[mx1].down[0].to == 20 * kMin);

  std::size_t timeouts = std::count_if(c.arrows.begin(), c.arrows.end(), [&](const Arrow& a) {
    return a.kind == ArrowKind::ConnectFailed && a.to == mx1 && a.outcome == Outcome::Timeout;
  });
  CHECK(timeouts == 3);  // mail.a's first try, then mx2's first two attempts

  bool deferred_on_mx2 = false, active_on_mx2 = false;
  for (const auto& b : c.bars) {
    if (b.lane != mx2) continue;
    (b.deferred ? deferred_on_mx2 : active_on_mx2) = true;
  }
  CHECK(deferred_on_mx2);
  CHECK(active_on_mx2);

  const Mark* deferred = find_mark(c, "queue.deferred");
  REQUIRE(deferred);
  CHECK(deferred->lane == mx2);
  CHECK(deferred->outcome == Outcome::Transient);
  CHECK(deferred->label.find("4.4.1") != std::string::npos);
  CHECK(deferred->label.find("retry after") != std::string::npos);

  const Arrow* user = find_arrow(c, "USER bob");
  REQUIRE(user);
  CHECK(user->protocol == "POP3");
  CHECK(user->to == mx1);
}

TEST_CASE("the chart stops at `end`: a run seen halfway shows only what happened so far") {
  auto s = viz_test::load(viz_test::kData + "mx-failover.yaml");
  auto w = viz_test::run_world(s);
  SequenceChart half = build_sequence_chart(s, w->trace().events(), 15 * kMin);
  for (const auto& m : half.marks) CHECK(m.t <= 15 * kMin);
  CHECK(find_arrow(half, "USER bob") == nullptr);
  // mx1 is still down at 15m: its down interval runs to the end of the chart.
  const int mx1 = half.lane_of("mx1.b.example");
  REQUIRE(half.lanes[mx1].down.size() == 1);
  CHECK(half.lanes[mx1].down[0].to == 15 * kMin);
}

TEST_CASE("the time axis compresses idle gaps and keeps slots apart") {
  auto s = viz_test::load(viz_test::kData + "mx-failover.yaml");
  auto w = viz_test::run_world(s);
  SequenceChart c = build_sequence_chart(s, w->trace().events(), s.duration_ns);
  TimeAxis axis(c);
  // 2 hours of simulated time fit in a few thousand pixels.
  CHECK(axis.height() < 3000);
  REQUIRE_FALSE(axis.gaps().empty());
  bool has_34m = false;
  for (const auto& g : axis.gaps()) {
    CHECK(g.to - g.from > AxisParams{}.gap_threshold);
    CHECK(g.y1 > g.y0);
    has_34m = has_34m || format_span(g.to - g.from) == "34m 59s";
  }
  CHECK(has_34m);
  double last = -1;
  for (const auto& st : axis.stops()) {
    CHECK(st.y > last);
    last = axis.y(st.t, st.rows - 1);
  }
  CHECK(axis.y(1 * kS, 1) > axis.y(1 * kS, 0));
  CHECK(axis.time_at(axis.y(25 * kMin)) == 25 * kMin);
}

TEST_CASE("text helpers: spans, UTF-8 and XML escaping") {
  CHECK(format_span(0) == "0s");
  CHECK(format_span(20 * kMs) == "20ms");
  CHECK(format_span(29'980 * kMs) == "29.98s");
  CHECK(format_span(90 * kS) == "1m 30s");
  CHECK(format_span(4 * 60 * kMin + 59 * kMin) == "4h 59m");
  CHECK(format_span(2 * 24 * 60 * kMin + 3 * 60 * kMin) == "2d 3h");
  CHECK(sanitize_utf8("a\xff" "b") == "a\xEF\xBF\xBD" "b");
  CHECK(sanitize_utf8("a\x01" "b") == "a\xEF\xBF\xBD" "b");
  CHECK(sanitize_utf8("\xC3\xA9t\xC3\xA9") == "\xC3\xA9t\xC3\xA9");
  CHECK(truncate_utf8("\xC3\xA9t\xC3\xA9 long", 4) == "\xC3\xA9t\xC3\xA9\u2026");
  CHECK(xml_escape_text("<a href=\"x\">&'") == "&lt;a href=&quot;x&quot;&gt;&amp;&apos;");
}

TEST_CASE("a POP3 client that cannot connect gets its connect arrow, as SMTP's do") {
  auto s = viz_test::load(viz_test::kData + "pop3-unreachable.yaml");
  auto w = viz_test::run_world(s);
  SequenceChart c = build_sequence_chart(s, w->trace().events(), s.duration_ns);
  const int bob = c.lane_of("pc.bob"), mx = c.lane_of("mx.b.example");
  std::vector<const Arrow*> connects;
  for (const auto& a : c.arrows)
    if (a.protocol == "POP3" && a.from == bob && a.to == mx &&
        (a.kind == ArrowKind::Connect || a.kind == ArrowKind::ConnectFailed))
      connects.push_back(&a);
  REQUIRE(connects.size() == 3);
  // 30s: connected, answered by the greeting.
  CHECK(connects[0]->kind == ArrowKind::Connect);
  CHECK(connects[0]->t_from == 30 * kS);
  CHECK(connects[0]->label == "connect :110");
  // 1m30s: the port refuses: a connect answered by a reset.
  CHECK(connects[1]->kind == ArrowKind::Connect);
  CHECK(connects[1]->t_from == 90 * kS);
  CHECK(connects[1]->outcome == Outcome::Transient);
  const Arrow* rst = find_arrow(c, "RST: connection refused");
  REQUIRE(rst);
  CHECK(rst->protocol == "POP3");
  CHECK(rst->from == mx);
  CHECK(rst->to == bob);
  // 2m30s: the host is down: a dashed arrow ending in a cross after the 30 s timeout.
  CHECK(connects[2]->kind == ArrowKind::ConnectFailed);
  CHECK(connects[2]->t_from == 150 * kS);
  CHECK(connects[2]->t_to == 180 * kS);
  CHECK(connects[2]->label == "connect :110 - timed out after 30s");
  CHECK(connects[2]->outcome == Outcome::Timeout);
  // Seen at 2m40s, the last attempt is still waiting: a connect reaching out to "now".
  SequenceChart mid = build_sequence_chart(s, w->trace().events(), 160 * kS);
  const Arrow* waiting = find_arrow(mid, "connect :110 (no answer yet)");
  REQUIRE(waiting);
  CHECK(waiting->from == bob);
}

TEST_CASE("starttls-opportunistic: a lock on the exchanges inside TLS, none on STARTTLS or the stripped hop") {
  auto s = viz_test::load("starttls-opportunistic");
  auto w = viz_test::run_world(s);
  SequenceChart c = build_sequence_chart(s, w->trace().events(), s.duration_ns);
  const int mta = c.lane_of("mail.a.example"), mx = c.lane_of("mx.b.example");
  auto relay_arrows = [&](Time from, Time to) {
    std::vector<const Arrow*> out;
    for (const auto& a : c.arrows)
      if (a.from == mta && a.to == mx && a.kind == ArrowKind::Command && a.t_from >= from && a.t_from < to) out.push_back(&a);
    return out;
  };
  const auto before = relay_arrows(0, 5 * kMin);
  REQUIRE(!before.empty());
  for (const Arrow* a : before) {
    INFO(a->label);
    const bool after_handshake = a->label.rfind("MAIL FROM", 0) == 0 || a->label == "QUIT";
    if (a->label == "STARTTLS" || a->kind == ArrowKind::Connect) CHECK_FALSE(a->encrypted);
    if (after_handshake) {
      CHECK(a->encrypted);
      CHECK(a->detail.find("encrypted: TLSv1.3 TLS_AES_256_GCM_SHA384 (256/256 bits), SNI mx.b.example") !=
            std::string::npos);
    }
  }
  // Two EHLOs at the first hop: the first in clear, the second inside TLS.
  int ehlo_clear = 0, ehlo_tls = 0;
  for (const Arrow* a : before)
    if (a->label.rfind("EHLO", 0) == 0) (a->encrypted ? ehlo_tls : ehlo_clear)++;
  CHECK(ehlo_clear == 1);
  CHECK(ehlo_tls == 1);
  for (const Arrow* a : relay_arrows(10 * kMin, 20 * kMin)) {
    INFO(a->label);
    CHECK_FALSE(a->encrypted);
  }
  CHECK(find_mark(c, "starttls.stripped") != nullptr);
}

TEST_CASE("retrieval over TLS: locks on POP3 and IMAP after STLS/STARTTLS, and from the greeting on 465, 995, 993") {
  auto s = viz_test::load(viz_test::kData + "retrieval-tls.yaml");
  auto w = viz_test::run_world(s);
  SequenceChart c = build_sequence_chart(s, w->trace().events(), s.duration_ns);
  const int pc = c.lane_of("pc.bob"), mx = c.lane_of("mx.b.example");
  // The connects of the five sessions, in order: implicit ones name their port and are locked.
  std::vector<const Arrow*> connects;
  for (const auto& a : c.arrows)
    if (a.from == pc && a.to == mx && a.kind == ArrowKind::Connect) connects.push_back(&a);
  REQUIRE(connects.size() == 5);
  const std::vector<std::pair<std::string, bool>> expected = {
      {"connect :465", true}, {"connect :110", false}, {"connect :993", true}, {"connect :995", true}, {"connect :143", false}};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    INFO(connects[i]->label);
    CHECK(connects[i]->label == expected[i].first);
    CHECK(connects[i]->encrypted == expected[i].second);
  }
  // In the STLS/STARTTLS sessions (1m, 4m) what goes up to that command is in clear, the
  // rest (CAPA/CAPABILITY asked again, the login, RETR) inside TLS; the other sessions all.
  std::vector<Time> starttls_at;
  for (const auto& a : c.arrows)
    if (a.from == pc && a.kind == ArrowKind::Command && (a.label == "STLS" || a.label.find(" STARTTLS") != std::string::npos))
      starttls_at.push_back(a.t_to);
  REQUIRE(starttls_at.size() == 2);
  CHECK(starttls_at[0] / kMin == 1);
  CHECK(starttls_at[1] / kMin == 4);
  int clear = 0;
  for (const auto& a : c.arrows) {
    if (a.from != pc || a.to != mx || a.kind != ArrowKind::Command) continue;
    INFO(a.protocol << " " << a.label << " at " << a.t_to);
    bool in_clear = false;
    for (Time t : starttls_at) in_clear = in_clear || (a.t_to / kMin == t / kMin && a.t_to <= t);
    CHECK(a.encrypted == !in_clear);
    clear += in_clear;
    if (a.encrypted) CHECK(a.tls.find("certificate for mx.b.example") != std::string::npos);
  }
  CHECK(clear == 3);  // CAPA, STLS; A1 STARTTLS
  // RETR and the IMAP body fetch went inside TLS.
  const Arrow* retr = find_arrow(c, "RETR 1");
  REQUIRE(retr);
  CHECK(retr->encrypted);
  CHECK(retr->protocol == "POP3");
}

TEST_CASE("webmail over HTTPS: the browser's exchanges with a tls webmail carry the lock; its IMAP logins in clear do not") {
  auto s = viz_test::load(viz_test::kData + "webmail-https.yaml");
  auto w = viz_test::run_world(s);
  SequenceChart c = build_sequence_chart(s, w->trace().events(), s.duration_ns);
  const int laptop = c.lane_of("laptop.bob"), web = c.lane_of("webmail.b.example"), mx = c.lane_of("mx.b.example");
  int https = 0;
  for (const auto& a : c.arrows) {
    if (a.protocol == "HTTP" && a.from == laptop && a.to == web && a.kind == ArrowKind::Command) {
      INFO(a.label);
      ++https;
      CHECK(a.encrypted);
      CHECK(a.detail.find("SNI webmail.b.example") != std::string::npos);
    }
    if (a.protocol == "IMAP" && a.from == web && a.to == mx) CHECK_FALSE(a.encrypted);
  }
  CHECK(https >= 10);
}
