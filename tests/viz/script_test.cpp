// A scripted session, as a teacher would drive the window (`maillab viz --script`, no
// display): play, pause, follow the message with the keyboard and step along its way to
// Bob's maildir, step back and forth with a presenter's keys, take the MX down, save the
// run as a scenario - and `maillab run` replays that scenario, with the fault.
#include <map>

#include "viz_fixture.hpp"

namespace {

std::map<std::string, std::vector<std::string>> printed(const std::string& out) {
  std::map<std::string, std::vector<std::string>> m;
  std::size_t start = 0;
  for (auto nl = out.find('\n'); nl != std::string::npos; nl = out.find('\n', start)) {
    const std::string line = out.substr(start, nl - start);
    start = nl + 1;
    auto colon = line.find(": ");
    if (colon != std::string::npos) m[line.substr(0, colon)].push_back(line.substr(colon + 2));
  }
  return m;
}

// Writes `script` as NAME.txt in `dir` and runs `maillab viz ARGS --script` on it with no
// display; the exit code, and stdout (and stderr) in *out.
int run_script(const std::filesystem::path& dir, const std::string& name, const std::string& script,
               const std::string& args, std::string* out) {
  const auto file = dir / (name + ".txt");
  {
    std::ofstream f(file);
    f << script;
  }
  return viz_test::shell("env -u DISPLAY -u WAYLAND_DISPLAY -u SDL_VIDEODRIVER '" + viz_test::kMaillab + "' viz " +
                             args + " --script '" + file.string() + "' 2>&1",
                         out);
}

}  // namespace

TEST_CASE("script: play, follow with the keyboard, step to the delivery, fault, save, replay") {
  auto dir = viz_test::temp_dir("script");
  std::string script = viz_test::read_file(viz_test::kData + "teacher-session.txt");
  auto put = [&](const std::string& what, const std::string& with) { script.replace(script.find(what), what.size(), with); };
  put("SAVED", (dir / "saved.yaml").string());
  put("SHOT", (dir / "shot.png").string());
  std::string out;
  int rc = run_script(dir, "session", script, "full-journey --size 1280x720", &out);
  INFO(out);
  REQUIRE(rc == 0);
  auto p = printed(out);
  REQUIRE(p["now"].size() == 5);
  CHECK(p["now"][0] == "0+00:00:10.100");  // a second at 10x, then Space paused it
  CHECK(p["follow"] == std::vector<std::string>{"on", "off"});  // F, then Escape
  CHECK(p["now"][1] == "0+00:00:10.450");  // fourteen times Right: the MDA's delivery
  REQUIRE(p["message"].size() == 1);
  CHECK(p["message"][0].find("The whole way | delivered on mx.b.example at 0+00:00:10.450") == 0);
  CHECK(p["caption"][0].find("0+00:00:10.450  mx.b.example") == 0);
  CHECK(p["now"][2] == "0+00:00:10.425");  // PageUp: the previous step, replayed
  CHECK(p["now"][3] == "0+00:00:10.450");  // PageDown: forward again
  CHECK(p["status"][0] == "injected {at: 10s450ms, down: mx.b.example}");
  CHECK(p["status"][1].find("saved " + (dir / "saved.yaml").string()) == 0);
  CHECK(p["now"][4] == "0+00:30:00.000");  // End
  CHECK(std::filesystem::file_size(dir / "shot.png") > 10000);

  // The saved scenario is the run that was on screen: mx.b.example down from 10.45s, so Bob
  // fetches nothing; maillab run says so (exit 1: expectations failed, not 2: invalid).
  const std::string saved = viz_test::read_file(dir / "saved.yaml");
  CHECK(saved.find("- {at: 10s450ms, down: mx.b.example}") != std::string::npos);
  std::string run;
  rc = viz_test::shell("'" + viz_test::kMaillab + "' run '" + (dir / "saved.yaml").string() + "'", &run);
  INFO(run);
  CHECK(rc == 1);
  CHECK(run.find("FAIL fetched user=bob count=1  (0 messages fetched)") != std::string::npos);
  CHECK(run.find("mx.b.example     NET  host.down") != std::string::npos);
}

TEST_CASE("script: a step that does not parse is an error naming the file and line") {
  auto dir = viz_test::temp_dir("script-bad");
  std::string out;
  int rc = run_script(dir, "bad", "key Space\nwait forever\n", "basic-delivery", &out);
  CHECK(rc == 2);
  CHECK(out.find("bad.txt:2: wait") != std::string::npos);
}

TEST_CASE("script: a click on an arrow shows its packet: bytes, RFC section, session state") {
  auto dir = viz_test::temp_dir("script-click");
  // Paused at 10.4s: Bob's MX has just read the pipelined MAIL, RCPT and DATA; the click is
  // on the MAIL FROM label (at the default 1600x1000 and scale).
  std::string out;
  int rc = run_script(dir, "click", "speed 10\nkey Space\nwait 1040ms\nkey Space\nclick 749 768\nprint packet\n",
                      "full-journey", &out);
  INFO(out);
  REQUIRE(rc == 0);
  CHECK(out.find("packet: SMTP command MAIL FROM:<alice@a.example> SIZE=496: mail.a.example -> mx.b.example | "
                 "RFC 5321 4.1.1.2, 4.1.4 | ready -> mail | TCP 192.0.2.10:") != std::string::npos);
  CHECK(out.find("-> 192.0.2.20:25  sent 0+00:00:10.375") != std::string::npos);
}
