// The visualiser's session without a window: time control, rewind by replay, stepping,
// injected faults, "save as scenario" replaying exactly what was shown, the topology
// layout and the model the panels read.
#include "viz_fixture.hpp"
#include "viz/gui/model.hpp"
#include "viz/gui/session.hpp"
#include "viz/scenario_writer.hpp"
#include "viz/topology_layout.hpp"

using namespace maillab;
using namespace maillab::viz;

namespace {
constexpr Time kMs = 1'000'000, kS = 1000 * kMs, kMin = 60 * kS;
}

TEST_CASE("session: forward, rewind by replay, and step to the next traced event") {
  Session session;
  std::string error;
  REQUIRE(session.open("basic-delivery", &error));
  session.run_to(1200 * kMs);
  auto at_1200 = session.world().trace().to_jsonl();
  session.run_to(2 * kS);
  CHECK(session.world().trace().events().size() > 30);
  session.run_to(1200 * kMs);  // back: replayed from the start
  CHECK(session.now() == 1200 * kMs);
  CHECK(session.world().trace().to_jsonl() == at_1200);

  session.run_to(0);
  CHECK(session.world().trace().events().empty());
  REQUIRE(session.step());
  CHECK(session.now() == 1 * kS);  // the MUA composes at 1s
  CHECK(session.world().trace().events().size() >= 1);
  std::size_t before = session.world().trace().events().size();
  REQUIRE(session.step());
  CHECK(session.world().trace().events().size() > before);
}

TEST_CASE("session: an injected fault changes the run, and the saved scenario replays it exactly") {
  Session session;
  std::string error;
  REQUIRE(session.open("basic-delivery", &error));
  session.run_to(1100 * kMs);
  session.inject(scenario::HostState{"mx.b.example", false});
  session.run_to(3 * kMin);
  session.inject(scenario::HostState{"mx.b.example", true});
  session.run_to(session.duration());

  Model m;
  update_model(m, session);
  const HostView* mx = m.host("mx.b.example");
  REQUIRE(mx);
  CHECK(mx->up);
  CHECK(m.injected.size() == 2);
  CHECK(m.injected[0] == "{at: 1s100ms, down: mx.b.example}");
  REQUIRE(m.journeys.size() == 1);
  // The MX was down at the first attempt: at 10m the mail is still in mail.a.example's
  // queue, its second attempt (the 10m queue run) just started.
  CHECK(m.journeys[0].journey.hops.size() == 1);
  CHECK(m.journeys[0].journey.hops[0].attempts.size() == 3);  // queued, attempt 1, attempt 2
  INFO(m.journeys[0].where_now);
  CHECK(m.journeys[0].where_now.find("queue of mail.a.example") != std::string::npos);
  CHECK_FALSE(m.journeys[0].content.empty());

  auto dir = viz_test::temp_dir("session-save");
  auto path = (dir / "basic-delivery-outage.yaml").string();
  REQUIRE(session.save(path, &error));
  auto saved = viz_test::load(path);
  CHECK(saved.id == "basic-delivery-outage");
  CHECK(saved.events.size() == session.scenario().events.size());
  auto replay = viz_test::run_world(saved);
  CHECK(replay->trace().to_jsonl() == session.world().trace().to_jsonl());
  std::string text = viz_test::read_file(path);
  CHECK(text.find("# Saved by maillab viz") == 0);
  CHECK(text.find("Hi Bob,") != std::string::npos);  // the original text is kept
}

TEST_CASE("save as scenario: events appended as a block, whatever the file had") {
  scenario::Event down;
  down.at_ns = 90 * kS;
  down.action = scenario::HostState{"mx", false};
  scenario::Event cut;
  cut.at_ns = 2 * kMin;
  cut.action = scenario::Cut{"mx", "pc", false};
  const std::string head =
      "scenario: t\nduration: 10m\nhosts:\n  mx: {address: 192.0.2.1}\n  pc: {address: 192.0.2.2}\n";
  std::string error;

  auto none = append_events(head, {down, cut}, "", "", &error);
  REQUIRE(none);
  CHECK(none->find("events:\n  - {at: 1m30s, down: mx}\n  - {at: 2m, cut: [mx, pc]}\n") != std::string::npos);

  auto empty = append_events(head + "events: []\n", {down}, "t2", "a comment", &error);
  REQUIRE(empty);
  CHECK(empty->rfind("# a comment\nscenario: t2\n", 0) == 0);

  auto block = append_events(head + "events:\n- {at: 1s, up: mx}   # keep me\nexpect: []\n", {down}, "", "", &error);
  REQUIRE(block);
  CHECK(block->find("- {at: 1s, up: mx}   # keep me\n- {at: 1m30s, down: mx}\nexpect: []") !=
        std::string::npos);

  auto flow = append_events(head + "events: [{at: 1s, up: mx}]\n", {down}, "", "", &error);
  CHECK_FALSE(flow);
  CHECK(error.find("flow style") != std::string::npos);

  CHECK(id_from_path("/tmp/My File.yaml") == "");
  CHECK(id_from_path("out/mx-failover-2.yaml") == "mx-failover-2");
}

TEST_CASE("topology: every host placed inside the unit square, the same way every time") {
  auto s = viz_test::load(viz_test::kData + "mx-failover.yaml");
  Topology a = layout_topology(s), b = layout_topology(s);
  REQUIRE(a.nodes.size() == s.hosts.size());
  CHECK(a.full_mesh);
  CHECK_FALSE(a.edges.empty());
  for (std::size_t i = 0; i < a.nodes.size(); ++i) {
    CHECK(a.nodes[i].x >= 0.0);
    CHECK(a.nodes[i].x <= 1.0);
    CHECK(a.nodes[i].y >= 0.0);
    CHECK(a.nodes[i].y <= 1.0);
    CHECK(a.nodes[i].x == b.nodes[i].x);
    CHECK(a.nodes[i].y == b.nodes[i].y);
  }
  // No two hosts on top of each other.
  for (std::size_t i = 0; i < a.nodes.size(); ++i)
    for (std::size_t k = i + 1; k < a.nodes.size(); ++k) {
      double dx = a.nodes[i].x - a.nodes[k].x, dy = a.nodes[i].y - a.nodes[k].y;
      CHECK(dx * dx + dy * dy > 0.01);
    }
}

TEST_CASE("model: queues on the backup MX while the primary is down, packets in flight") {
  Session session;
  std::string error;
  REQUIRE(session.open(viz_test::kData + "mx-failover.yaml", &error));
  session.run_to(12 * kMin);
  Model m;
  update_model(m, session);
  const HostView* mx1 = m.host("mx1.b.example");
  const HostView* mx2 = m.host("mx2.b.example");
  REQUIRE(mx1);
  REQUIRE(mx2);
  CHECK_FALSE(mx1->up);
  CHECK(mx2->deferred == 1);
  REQUIRE(mx2->queue.size() == 1);
  CHECK(mx2->queue[0].subject == "Hello Bob");
  REQUIRE(m.journeys.size() == 1);
  CHECK(m.journeys[0].where_now.find("deferred queue of mx2.b.example") != std::string::npos);
  CHECK(m.journeys[0].where_now.find("next retry after") != std::string::npos);
  CHECK(m.in_flight.empty());

  // 10 ms into the first hop of the submission, the SYN is on its way.
  session.run_to(1 * kS + 10 * kMs);
  update_model(m, session);
  REQUIRE(m.in_flight.size() == 1);
  CHECK(m.in_flight[0].protocol == "SMTP");
  CHECK(m.in_flight[0].fraction > 0.4);
  CHECK(m.in_flight[0].fraction < 0.6);
  CHECK(m.topology.nodes[m.in_flight[0].from].name == "pc.alice");
}
