// Following a message: its whole way (submission, every attempt's sessions on both sides,
// the DNS lookups made for it, delivery, the POP3 download, deletion, its DSN) and nothing
// of another message; picked by any of its events; the clock moved along its way; the
// inspector's "where it is now" to the very end.
#include "viz_fixture.hpp"
#include "viz/exchanges.hpp"
#include "viz/gui/app.hpp"
#include "viz/gui/controller.hpp"
#include "viz/journey.hpp"
#include "viz/message_path.hpp"
#include "viz/text.hpp"

using namespace maillab;
using namespace maillab::viz;

namespace {

constexpr Time kMs = 1'000'000, kS = 1000 * kMs;

struct Run {
  scenario::Scenario s;
  std::unique_ptr<scenario::World> w;
  std::vector<Journey> journeys;
  Exchanges x;
  explicit Run(const std::string& name) : s(viz_test::load(name)), w(viz_test::run_world(s)) {
    journeys = build_journeys(s, trace(), s.duration_ns);
    x = pair_exchanges(s, trace(), trace().size());
  }
  const std::vector<sim::TraceEvent>& trace() const { return w->trace().events(); }
  MessagePath path(std::size_t k, bool dsn = true) const {
    return message_path(journeys, k, s, trace(), x, s.duration_ns, dsn);
  }
  std::size_t named(const std::string& subject) const {
    for (std::size_t k = 0; k < journeys.size(); ++k)
      if (journeys[k].subject == subject && !journeys[k].is_dsn) return k;
    FAIL("no message " << subject);
    return 0;
  }
  // Whether the path holds an event on `host` of kind `event` with `field` containing `text`.
  bool has(const MessagePath& p, const std::string& host, const std::string& event, const std::string& field = "",
           const std::string& text = "") const {
    for (std::size_t i : p.events) {
      const auto& e = trace()[i];
      if (e.host == host && e.event == event && (field.empty() || e.get(field).find(text) != std::string::npos))
        return true;
    }
    return false;
  }
};

std::unique_ptr<Controller> controller(const std::string& scenario, Time at, const std::string& message = "") {
  auto c = std::make_unique<Controller>();
  VizOptions opt;
  opt.scenario = scenario;
  opt.at = at;
  opt.message = message;
  std::string error;
  REQUIRE(c->start(opt, &error));
  c->refresh();
  return c;
}

}  // namespace

TEST_CASE("follow: a message's way from Alice's Send to Bob's download, both sides of each session") {
  Run r("full-journey");
  REQUIRE(r.journeys.size() == 1);
  const MessagePath p = r.path(0);
  CHECK(r.has(p, "pc.alice", "compose"));
  CHECK(r.has(p, "pc.alice", "smtp.out", "command", "MAIL FROM"));      // the MUA's side
  CHECK(r.has(p, "mail.a.example", "smtp.in", "command", "MAIL FROM"));  // the MSA's side
  CHECK(r.has(p, "mail.a.example", "auth.ok"));
  CHECK(r.has(p, "mail.a.example", "dns.query", "name", "b.example"));   // the MX lookup for it
  CHECK(r.has(p, "mail.a.example", "dns.answer", "name", "b.example"));
  CHECK(r.has(p, "mail.a.example", "smtp.connect"));
  CHECK(r.has(p, "mx.b.example", "smtp.in", "command", "RCPT TO"));      // the next hop's side
  CHECK(r.has(p, "mx.b.example", "deliver"));
  CHECK(r.has(p, "pc.bob", "fetch.start"));
  CHECK(r.has(p, "mx.b.example", "pop3.in", "command", "RETR 1"));       // the download
  CHECK(r.has(p, "mx.b.example", "pop3.deleted"));                       // and its deletion
  CHECK(r.has(p, "pc.bob", "fetch.done"));
  REQUIRE(p.retrievals.size() == 1);
  CHECK(p.retrievals[0].client == "pc.bob");
  CHECK(p.retrievals[0].deleted);
}

TEST_CASE("follow: another message's events are not on its way") {
  Run r("two-domains");
  const MessagePath lunch = r.path(r.named("Team lunch"));
  const MessagePath reply = r.path(r.named("Re Team lunch"));
  CHECK(r.has(lunch, "mx.a.example", "smtp.in", "command", "RCPT TO:<bea@b.example>"));
  CHECK_FALSE(r.has(lunch, "mx.b.example", "smtp.in", "command", "MAIL FROM:<bob@b.example>"));
  CHECK(r.has(reply, "mx.b.example", "smtp.in", "command", "MAIL FROM:<bob@b.example>"));
  CHECK_FALSE(r.has(reply, "mx.a.example", "smtp.in", "command", "RCPT TO:<bea@b.example>"));
  for (std::size_t i : lunch.events) CHECK_FALSE((reply.contains(i) && r.trace()[i].event == "smtp.in"));
}

TEST_CASE("follow: a bounce's DSN is part of the way of the message it reports on") {
  Run r("bounce-after-accept");
  const std::size_t k = r.named("Accepted for now");
  CHECK(r.has(r.path(k), "mx2.b.example", "dsn.bounce"));
  // The DSN's own journey (to alice, from <>) is on the way too, up to its delivery.
  CHECK(r.has(r.path(k), "mail.a.example", "deliver", "user", "alice"));
  CHECK_FALSE(r.has(r.path(k, false), "mail.a.example", "deliver", "user", "alice"));
}

TEST_CASE("follow: click an arrow or mark of a message, and the visualiser follows it") {
  auto c = controller("two-domains", 5 * kS);
  // The server's record of Bob's RCPT: part of "Re Team lunch".
  std::size_t rcpt = 0;
  const auto& trace = c->session.world().trace().events();
  for (std::size_t i = 0; i < trace.size(); ++i)
    if (trace[i].event == "smtp.in" && trace[i].get("command") == "RCPT TO:<alice@a.example>") rcpt = i;
  REQUIRE(rcpt > 0);
  c->ui.push_t(Command::Kind::FollowEvent, static_cast<Time>(rcpt));
  c->apply_commands();
  REQUIRE(c->ui.follow);
  CHECK(c->model.journeys[c->ui.selected_journey].journey.subject == "Re Team lunch");
  c->ui.push_t(Command::Kind::Follow, -1);  // F again, or Escape
  c->apply_commands();
  CHECK_FALSE(c->ui.follow);
}

TEST_CASE("follow: next and previous step move the clock along the message's way") {
  auto c = controller("full-journey", 10 * kS, "0");  // as Alice presses Send
  CHECK(c->ui.follow);
  std::vector<Time> times;
  while (c->message_step(1)) times.push_back(c->session.now());
  REQUIRE(times.size() > 20);
  CHECK(std::is_sorted(times.begin(), times.end()));
  CHECK(std::adjacent_find(times.begin(), times.end()) == times.end());  // each step moves on
  CHECK(std::count(times.begin(), times.end(), 10 * kS + 450 * kMs));   // delivered
  CHECK(times.back() == 300 * kS + 450 * kMs);                            // downloaded: the end
  CHECK(c->ui.status.text == "that was its last step");
  // Back: the previous step is replayed.
  REQUIRE(c->message_step(-1));
  CHECK(c->session.now() == times[times.size() - 2]);
  CHECK(c->ui.selected_journey == 0);

  // However far the next step is: mx2's retry of the deferred message comes 8 minutes later.
  auto m = controller("mx-failover", 125 * kS, "56009A0Q1");
  REQUIRE(m->message_step(1));
  CHECK(m->session.now() == 600 * kS);
}

TEST_CASE("inspector: where it is now goes to the end, and header lines keep no CR") {
  auto c = controller("full-journey", 1800 * kS);
  REQUIRE(c->model.journeys.size() == 1);
  const std::string& where = c->model.journeys[0].where_now;
  CHECK(where.find("delivered on mx.b.example") != std::string::npos);
  CHECK(where.find("downloaded by pc.bob at 0+00:05:00.450 (POP3, bob), deleted from mx.b.example") !=
        std::string::npos);
  CHECK(message_lines("Subject: Hi\r\n") == "Subject: Hi");
  CHECK(message_lines("Received: from a\r\n\tby b\r\n") == "Received: from a\n\tby b");
  CHECK(message_lines("line one\r\nline two\r\n").find("\xEF\xBF\xBD") == std::string::npos);
}
