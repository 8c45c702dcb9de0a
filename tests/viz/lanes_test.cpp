// Stable lanes: the order is fixed by the scenario (along the path mail takes), the same at
// every moment of a run, in the SVG and in the visualiser however it is driven (play, step,
// jump, rewind, an injected fault); lane headers show the whole host name.
#include <regex>

#include "viz_fixture.hpp"
#include "viz/gui/fonts.hpp"
#include "viz/gui/model.hpp"
#include "viz/gui/session.hpp"
#include "viz/gui/timeline_layout.hpp"
#include "viz/host_roles.hpp"
#include "viz/sequence_chart.hpp"
#include "viz/svg_writer.hpp"

using namespace maillab;
using namespace maillab::viz;

namespace {

constexpr Time kMs = 1'000'000, kS = 1000 * kMs;

std::vector<std::string> hosts_of(const SequenceChart& c) {
  std::vector<std::string> out;
  for (const auto& l : c.lanes) out.push_back(l.host);
  return out;
}

}  // namespace

TEST_CASE("lanes: along the path, MUA -> MSA -> DNS -> MX -> reader") {
  using V = std::vector<std::string>;
  CHECK(lane_order(viz_test::load("full-journey")) ==
        V{"pc.alice", "mail.a.example", "ns.example", "mx.b.example", "pc.bob"});
  CHECK(lane_order(viz_test::load("mx-failover")) ==
        V{"pc.alice", "mail.a.example", "ns.example", "mx1.b.example", "mx2.b.example"});
  // Both directions: each MUA beside the end of the path it starts.
  CHECK(lane_order(viz_test::load("two-domains")) ==
        V{"pc.alice", "mx.a.example", "ns.example", "mx.b.example", "pc.bob"});
  // A forwarding target no event names comes after the hosts on the path.
  CHECK(lane_order(viz_test::load("alias-forwarding")) ==
        V{"mail.a.example", "ns.example", "mx.b.example", "mx.c.example"});
  CHECK(lane_order(viz_test::load("no-mx-implicit")) == V{"mail.a.example", "ns.example", "c.example"});
}

TEST_CASE("lanes: every built-in scenario has the same lanes at every moment of its run") {
  for (const auto& b : scenario::builtin_scenarios()) {
    auto s = viz_test::load(std::string(b.name));
    INFO(s.id);
    auto w = viz_test::run_world(s);
    const auto& trace = w->trace().events();
    const auto expected = lane_order(s);
    CHECK(expected.size() == s.hosts.size());
    std::vector<Time> times{0, s.duration_ns};
    for (std::size_t k = 1; k < 8 && !trace.empty(); ++k) times.push_back(trace[(trace.size() - 1) * k / 8].t_ns);
    for (Time t : times) {
      INFO("at " << t);
      CHECK(hosts_of(build_sequence_chart(s, trace, t)) == expected);
    }
  }
}

TEST_CASE("lanes: play, step, jump, rewind and a fault in the visualiser never move a lane") {
  Session session;
  std::string error;
  REQUIRE(session.open("mx-failover", &error));
  Model m;
  update_model(m, session);
  const auto lanes = hosts_of(m.chart);
  REQUIRE(lanes.size() == 5);
  auto same = [&](const char* what) {
    update_model(m, session);
    INFO(what << " at " << session.now());
    CHECK(hosts_of(m.chart) == lanes);
  };
  for (int i = 0; i < 25; ++i) {
    session.step();
    same("step");
  }
  for (Time t : {90 * kS, 30 * kMs * 1000, 2 * 3600 * kS + 31 * 60 * kS}) {
    session.run_to(t);  // play moves forward the same way
    same("forward");
  }
  session.run_to(0);
  same("rewind");
  session.run_to(75 * kS);
  same("jump");
  session.inject(scenario::HostState{"mx2.b.example", false});
  session.run_to(5 * 60 * kS);
  same("after a fault");
}

TEST_CASE("lane headers: the whole host name, wrapped at its dots, in the SVG and the panel") {
  auto s = viz_test::load(viz_test::kData + "long-names.yaml");
  auto w = viz_test::run_world(s);
  SequenceChart c = build_sequence_chart(s, w->trace().events(), s.duration_ns);
  const std::string svg = to_svg(c);
  const std::regex host_text(R"re(<text class="host"[^>]*>(.*?)</text>)re");
  const std::regex tspan(R"re(<tspan[^>]*>([^<]*)</tspan>)re");
  std::vector<std::string> shown;
  std::size_t wrapped = 0;
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), host_text); it != std::sregex_iterator(); ++it) {
    const std::string inner = (*it)[1];
    std::string name;
    std::size_t lines = 0;
    for (auto t = std::sregex_iterator(inner.begin(), inner.end(), tspan); t != std::sregex_iterator(); ++t) {
      name += (*t)[1];
      ++lines;
    }
    wrapped += lines > 1;
    shown.push_back(name);
  }
  CHECK(shown == hosts_of(c));
  CHECK(wrapped == 2);  // the two long names

  gui::OffscreenFonts fonts;
  for (double spacing : {150.0, 250.0}) {
    const auto names = gui::header_names(c, spacing, fonts.measure());
    REQUIRE(names.size() == c.lanes.size());
    for (std::size_t i = 0; i < names.size(); ++i) {
      std::string joined;
      for (const auto& line : names[i]) {
        CHECK(fonts.measure()(line) <= spacing - 20);
        joined += line;
      }
      CHECK(joined == c.lanes[i].host);
    }
    CHECK(names[c.lane_of("primary-inbound-mail-exchanger.eu-west.b.example")].size() > 1);
    const auto& first = names[c.lane_of("primary-inbound-mail-exchanger.eu-west.b.example")].front();
    CHECK((first.back() == '.' || first.back() == '-'));  // broken after a dot or a hyphen
  }
}
