// "Save as scenario" for every event kind of scenario-format.md "events": each injected
// event is written, the saved file loads back to the same event (the same YAML again) and
// replays to the same trace as the session that injected it. Free text (a display name, a
// body with line breaks and YAML's own punctuation, zone records with quotes) survives.
#include <vector>

#include "viz_fixture.hpp"
#include "viz/gui/session.hpp"
#include "viz/scenario_writer.hpp"

using namespace maillab;
using namespace maillab::viz;

namespace {

constexpr Time kS = 1'000'000'000LL, kMin = 60 * kS;

struct Injected {
  Time at;
  scenario::Action action;
};

// Runs the built-in "webmail" (a DNS host, an MTA with submission and IMAP, a webmail)
// with `events` injected, saves it, and checks the saved file.
void round_trip(const std::string& kind, const std::vector<Injected>& events) {
  INFO("kind: " << kind);
  Session session;
  std::string error;
  REQUIRE(session.open("webmail", &error));
  for (const auto& e : events) {
    session.run_to(e.at);
    session.inject(e.action);
  }
  session.run_to(session.duration());
  const auto dir = viz_test::temp_dir("writer-" + kind);
  const auto path = (dir / "saved.yaml").string();
  REQUIRE(session.save(path, &error));
  INFO(viz_test::read_file(path));
  const scenario::Scenario saved = viz_test::load(path);
  REQUIRE(saved.events.size() == session.scenario().events.size());
  for (const auto& e : session.injected()) {
    const std::string written = event_yaml(e).value_or("?");
    bool found = false;
    for (const auto& back : saved.events) found = found || event_yaml(back).value_or("!") == written;
    INFO(written);
    CHECK(found);
  }
  auto replay = viz_test::run_world(saved);
  CHECK(replay->trace().to_jsonl() == session.world().trace().to_jsonl());
}

}  // namespace

TEST_CASE("save as scenario: every event kind is written, loads back and replays the same trace") {
  using namespace scenario;
  Send send;
  send.from = "\"Bob: the Builder\" <bob@b.example>";
  send.to = {"alice@a.example"};
  send.cc = {"bob@b.example"};
  send.subject = "Re: [lunch] \"noon\", #1 & 50% off: ünïcode";
  send.body = "line one\nkey: value\n  - not a list\n'quoted' {braces}\n";
  send.client = "laptop.bob";
  send.server = "mx.b.example";
  send.auth = "bob";
  send.password = "builder";
  send.tls = "none";
  send.save_sent = true;
  Send via;
  via.from = "bob@b.example";
  via.bcc = {"alice@a.example"};
  via.client = "laptop.bob";
  via.via = "webmail.b.example";
  Fetch fetch;
  fetch.user = "bob";
  fetch.server = "mx.b.example";
  fetch.client = "laptop.bob";
  fetch.protocol = "imap";
  fetch.delete_messages = fetch.to_trash = true;
  fetch.password = "builder";
  fetch.tls = "none";
  Fetch pop;
  pop.user = "bob";
  pop.server = "mx.b.example";
  pop.protocol = "imap";
  pop.delete_messages = true;
  Idle idle;
  idle.user = "bob";
  idle.server = "mx.b.example";
  idle.client = "laptop.bob";
  idle.until_ns = 20 * kMin;
  idle.password = "builder";
  DnsSet dns;
  dns.server = "ns.example";
  dns.records = {{"_dmarc.a.example. 3600 IN TXT \"v=DMARC1; p=reject\"", {}},
                 {"mx.b.example. 60 IN A 192.0.2.21", {}}};

  round_trip("send", {{2 * kMin, send}, {3 * kMin, via}});
  round_trip("fetch", {{6 * kMin, fetch}, {7 * kMin, pop}});
  round_trip("down-up", {{59 * kS, HostState{"mx.b.example", false}}, {4 * kMin, HostState{"mx.b.example", true}}});
  round_trip("refuse-accept", {{30 * kS, PortState{"mx.b.example", Service::Submission, false}},
                               {3 * kMin, PortState{"mx.b.example", Service::Submission, true}}});
  round_trip("cut-heal", {{4 * kMin, Cut{"mail.a.example", "mx.b.example", false}},
                          {8 * kMin, Cut{"mail.a.example", "mx.b.example", true}}});
  round_trip("loss", {{2 * kMin, Loss{"mail.a.example", "mx.b.example", 0.3}}});
  round_trip("disk", {{4 * kMin, DiskState{"mx.b.example", true}}, {9 * kMin, DiskState{"mx.b.example", false}}});
  round_trip("flush", {{4 * kMin, Cut{"mail.a.example", "mx.b.example", false}},
                       {6 * kMin, Cut{"mail.a.example", "mx.b.example", true}},
                       {7 * kMin, Flush{"mail.a.example"}}});
  round_trip("dns_set", {{2 * kMin, dns}});
  round_trip("idle", {{2 * kMin, idle}});
  round_trip("strip_starttls", {{2 * kMin, Strip{"mail.a.example", "mx.b.example", false}},
                                {20 * kMin, Strip{"mail.a.example", "mx.b.example", true}}});
}
