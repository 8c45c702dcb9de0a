// `maillab run --svg`: a well-formed XML document with one lane per host, the same bytes
// for the same run, and text from the trace escaped whatever it holds.
#include "viz_fixture.hpp"
#include "viz/sequence_chart.hpp"
#include "viz/svg_writer.hpp"

using namespace maillab;

namespace {

// Parses `path` with Python's XML parser (python3 is a build dependency, tools/setup.sh).
// Returns "" when well-formed, else the parser's message.
std::string xml_problem(const std::string& path) {
  std::string out;
  int rc = viz_test::shell("python3 -c \"import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])\" '" +
                               path + "' 2>&1",
                           &out);
  return rc == 0 ? "" : (out.empty() ? "python3 failed" : out);
}

}  // namespace

TEST_CASE("--svg: well-formed XML with a lane for every host, for several scenarios") {
  if (!viz_test::have_tool("python3")) {
    WARN("python3 is not installed: the XML parse of the SVG is skipped (tools/setup.sh installs it)");
    return;
  }
  auto dir = viz_test::temp_dir("svg");
  for (std::string scenario : {std::string("basic-delivery"), std::string("two-domains"),
                               viz_test::kData + "mx-failover.yaml"}) {
    INFO("scenario " << scenario);
    auto svg = (dir / "chart.svg").string();
    int rc = viz_test::shell("'" + viz_test::kMaillab + "' run '" + scenario + "' --quiet --svg '" + svg + "'");
    REQUIRE(rc == 0);
    CHECK(xml_problem(svg) == "");
    std::string text = viz_test::read_file(svg);
    CHECK(text.rfind("<?xml", 0) == 0);
    auto s = viz_test::load(scenario);
    for (const auto& h : s.hosts) {
      INFO("host " << h.name);
      CHECK(text.find("id=\"lane-" + h.name + "\"") != std::string::npos);
    }
  }
}

TEST_CASE("--svg: the same run gives the same bytes") {
  auto dir = viz_test::temp_dir("svg-determinism");
  auto a = (dir / "a.svg").string(), b = (dir / "b.svg").string();
  auto scenario = viz_test::kData + "mx-failover.yaml";
  REQUIRE(viz_test::shell("'" + viz_test::kMaillab + "' run '" + scenario + "' --quiet --svg '" + a + "'") == 0);
  REQUIRE(viz_test::shell("'" + viz_test::kMaillab + "' run '" + scenario + "' --quiet --svg '" + b + "'") == 0);
  std::string x = viz_test::read_file(a), y = viz_test::read_file(b);
  CHECK(x.size() > 1000);
  CHECK(x == y);
  // Compressed gaps are marked with their length.
  CHECK(x.find("\u22ef 34m 59s \u22ef") != std::string::npos);
}

TEST_CASE("--svg: hostile text in the trace is escaped into valid XML") {
  auto s = viz_test::load("basic-delivery");
  std::vector<sim::TraceEvent> trace;
  sim::TraceEvent in{1'000'000'000, "mail.a.example", "MSA", "smtp.in",
                     {{"peer", "198.51.100.7"}, {"command", "MAIL FROM:<a&b@x]]>\x01\xff>"},
                      {"code", "250"}, {"reply", "250 <ok> & \"fine\""}}};
  sim::TraceEvent out{1'020'000'000, "pc.alice", "MUA", "smtp.out",
                      {{"peer", "192.0.2.10"}, {"command", "MAIL FROM:<a&b@x]]>\x01\xff>"},
                       {"code", "250"}, {"reply", "250 <ok> & \"fine\""}}};
  sim::TraceEvent compose{500'000'000, "pc.alice", "MUA", "compose",
                          {{"subject", "</text><script>alert(1)</script>"}}};
  trace = {compose, in, out};
  auto chart = viz::build_sequence_chart(s, trace, s.duration_ns);
  std::string svg = viz::to_svg(chart);
  CHECK(svg.find("<script>") == std::string::npos);
  CHECK(svg.find("\x01") == std::string::npos);
  CHECK(svg.find("&lt;a&amp;b@x]]&gt;") != std::string::npos);
  if (!viz_test::have_tool("python3")) {
    WARN("python3 is not installed: the XML parse of the SVG is skipped");
    return;
  }
  auto dir = viz_test::temp_dir("svg-hostile");
  auto path = (dir / "hostile.svg").string();
  {
    std::ofstream f(path, std::ios::binary);
    f << svg;
  }
  CHECK(xml_problem(path) == "");
}
