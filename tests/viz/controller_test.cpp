// The visualiser's small things, driven through its Controller as the window drives it:
// the picker's teaching order, a broken file's error in the picker, "Save as scenario"
// named after the scenario open and saying where it wrote, status lines that clear when
// their cause is gone, --at without --screenshot, and no display: exit 2 at once.
#include <fstream>
#include <regex>

#include "viz_fixture.hpp"
#include "viz/gui/app.hpp"
#include "viz/gui/controller.hpp"

using namespace maillab;
using namespace maillab::viz;

namespace {

constexpr Time kS = 1'000'000'000;

std::unique_ptr<Controller> started(const std::string& scenario, std::optional<Time> at = {}) {
  auto c = std::make_unique<Controller>();
  VizOptions opt;
  opt.scenario = scenario;
  opt.at = at;
  std::string error;
  REQUIRE(c->start(opt, &error));
  c->refresh();
  return c;
}

void run(Controller& c, Command::Kind k, std::string text = "") {
  c.ui.push(k, std::move(text));
  c.apply_commands();
  c.refresh();
}

}  // namespace

TEST_CASE("picker: the scenarios in the teaching order of docs/scenarios/README.md, full-journey first") {
  const std::string readme = viz_test::read_file(std::string(MAILLAB_SOURCE_DIR) + "/docs/scenarios/README.md");
  const std::regex row(R"re(\n\| *[0-9]+ *\| *\[([a-z0-9-]+)\]\()re");
  std::vector<std::string> taught;
  for (auto it = std::sregex_iterator(readme.begin(), readme.end(), row); it != std::sregex_iterator(); ++it)
    taught.push_back((*it)[1]);
  REQUIRE(taught.size() == scenario::builtin_scenarios().size());
  std::vector<std::string> listed;
  for (const auto& b : builtin_infos()) listed.push_back(b.name);
  CHECK(listed == taught);
  CHECK(listed.front() == kFirstScenario);
}

TEST_CASE("picker: a scenario file that does not load shows its error there; the open run stays") {
  auto dir = viz_test::temp_dir("controller-broken");
  const std::string broken = (dir / "broken.yaml").string();
  {
    std::ofstream f(broken);
    f << "scenario: broken\nhosts:\n  a.example:\n    address: not-an-address\n";
  }
  auto cp = started("basic-delivery", 2 * kS);
  Controller& c = *cp;
  run(c, Command::Kind::Open, broken);
  CHECK(c.ui.show_picker);
  CHECK(c.ui.picker_error.find(broken) != std::string::npos);
  CHECK(std::regex_search(c.ui.picker_error, std::regex(":[0-9]+:[0-9]+")));  // file:line:column
  CHECK(c.ui.status.error);
  CHECK(c.session.scenario().id == "basic-delivery");
  CHECK(c.session.now() == 2 * kS);
  // The user edits the path (the panel clears the error) or opens another: the error goes.
  run(c, Command::Kind::Open, "pop3-fetch");
  CHECK(c.ui.picker_error.empty());
  CHECK_FALSE(c.ui.show_picker);
  CHECK(c.ui.status.text == "opened pop3-fetch");
}

TEST_CASE("save as scenario: named after the scenario open, and the status says where it went") {
  auto cp = started("basic-delivery");
  Controller& c = *cp;
  CHECK(c.ui.save_path == "basic-delivery-faults.yaml");
  run(c, Command::Kind::Open, "mx-failover");
  CHECK(c.ui.save_path == "mx-failover-faults.yaml");

  auto dir = viz_test::temp_dir("controller-save");
  c.session.run_to(65 * kS);
  c.ui.inject(scenario::HostState{"mx2.b.example", false});
  c.apply_commands();
  const std::string path = (dir / "mx-failover-faults.yaml").string();
  run(c, Command::Kind::Save, path);
  CHECK_FALSE(c.ui.status.error);
  CHECK(c.ui.status.text.find("saved " + path) == 0);
  CHECK(c.ui.status.text.find("maillab run " + path) != std::string::npos);
  CHECK(viz_test::read_file(path).find("down: mx2.b.example") != std::string::npos);

  run(c, Command::Kind::Save, (dir / "no-such-dir" / "x.yaml").string());
  CHECK(c.ui.status.error);
  CHECK(c.ui.status.text.find("not saved") == 0);
  c.ui.clear_status("save");  // what the panel does when the path is edited
  CHECK(c.ui.status.text.empty());
}

TEST_CASE("status: a report lasts until the next command or until its cause is gone") {
  auto cp = started("null-mx");
  Controller& c = *cp;
  c.session.run_to(c.session.duration());
  run(c, Command::Kind::Step);
  CHECK(c.ui.status.text.find("the end of the scenario") == 0);
  c.ui.jump(0);  // rewind: the end is no longer reached
  c.apply_commands();
  CHECK(c.ui.status.text.empty());

  run(c, Command::Kind::JumpText, "5 parsecs");
  CHECK(c.ui.status.error);
  CHECK(c.ui.status.origin == "jump");
  c.ui.clear_status("save");  // another input changing leaves it
  CHECK(c.ui.status.error);
  c.ui.clear_status("jump");  // the jump text is edited
  CHECK(c.ui.status.text.empty());
  run(c, Command::Kind::JumpText, "1m30s");
  CHECK(c.session.now() == 90 * kS);
  CHECK(c.ui.status.text.empty());
}

TEST_CASE("--at without --screenshot: the window opens on the run at that time") {
  auto cp = started("mx-failover", 125 * kS);
  Controller& c = *cp;
  CHECK(c.session.now() == 125 * kS);
  CHECK(c.model.now == 125 * kS);
  auto late = started("basic-delivery", 3600 * kS);  // past the end: the end
  CHECK(late->session.now() == late->session.duration());
}

TEST_CASE("maillab viz without a display: exit 2 with the message, not a window nobody sees") {
  for (std::string args : {std::string("basic-delivery"), std::string("basic-delivery --at 5s"), std::string("")}) {
    INFO("maillab viz " << args);
    std::string out;
    // timeout only guards the suite against the old hang; the command answers at once.
    int rc = viz_test::shell("env -u DISPLAY -u WAYLAND_DISPLAY -u SDL_VIDEODRIVER timeout 60 '" +
                                 viz_test::kMaillab + "' viz " + args + " 2>&1",
                             &out);
    CHECK(rc == 2);
    CHECK(out.find("cannot open a display") != std::string::npos);
    CHECK(out.find("--screenshot") != std::string::npos);
  }
}
