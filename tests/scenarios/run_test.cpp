// End-to-end runs of scenarios through the whole lab: the built-in library must pass, a
// run is a pure function of (scenario, seed), and the checks report what really happened.
#include <catch2/catch.hpp>

#include <sstream>

#include "scenarios/expectations.hpp"
#include "scenarios/library.hpp"
#include "scenarios/runner.hpp"

using namespace maillab;
using namespace maillab::scenario;

namespace {

std::unique_ptr<World> run_world(const Scenario& s, std::uint64_t seed) {
  auto built = World::build(s, seed);
  REQUIRE(std::holds_alternative<std::unique_ptr<World>>(built));
  auto w = std::move(std::get<std::unique_ptr<World>>(built));
  w->run_until(s.duration_ns);
  return w;
}

}  // namespace

TEST_CASE("every built-in scenario passes its own expectations") {
  for (const auto& b : builtin_scenarios()) {
    INFO("scenario " << b.name);
    auto loaded = load_scenario_text(b.text, "builtin:" + std::string(b.name));
    if (auto* e = std::get_if<LoadError>(&loaded)) FAIL(e->str());
    const Scenario& s = std::get<Scenario>(loaded);
    std::ostringstream out, err;
    int code = run(s, RunOptions{}, out, err);
    INFO(out.str() << err.str());
    CHECK(code == 0);
    CHECK(out.str().find(" 0 failed") != std::string::npos);
  }
}

TEST_CASE("same scenario and seed give a byte-identical trace") {
  auto loaded = load_scenario(std::string("basic-delivery"));
  REQUIRE(std::holds_alternative<Scenario>(loaded));
  const Scenario& s = std::get<Scenario>(loaded);
  auto a = run_world(s, 1)->trace().to_jsonl();
  auto b = run_world(s, 1)->trace().to_jsonl();
  REQUIRE(!a.empty());
  CHECK(a == b);
}

TEST_CASE("basic delivery: the message reaches Bob's Maildir with its Received chain") {
  auto loaded = load_scenario(std::string("basic-delivery"));
  REQUIRE(std::holds_alternative<Scenario>(loaded));
  auto w = run_world(std::get<Scenario>(loaded), 1);
  REQUIRE(w->deliveries().size() == 1);
  const auto& d = w->deliveries().front();
  CHECK(d.host == "mx.b.example");
  CHECK(d.record.user == "bob");
  const std::string& content = *d.record.content;
  CHECK(content.find("Subject: Hello Bob\r\n") != std::string::npos);
  CHECK(content.find("by mail.a.example") != std::string::npos);
  CHECK(content.find("by mx.b.example") != std::string::npos);
  CHECK(content.find("Return-Path: <alice@a.example>") != std::string::npos);
  // The Maildir file sits in new/ on the MX's virtual disk.
  auto files = w->hosts().at("mx.b.example")->disk.list("mail/bob/new/");
  CHECK(files.size() == 1);
}

TEST_CASE("a check that did not happen fails the run with exit 1") {
  auto loaded = load_scenario(std::string("basic-delivery"));
  REQUIRE(std::holds_alternative<Scenario>(loaded));
  Scenario s = std::get<Scenario>(loaded);
  SECTION("wrong subject") {
    s.expect.push_back(Expectation{Delivered{"bob@b.example", std::string("No such subject"), {}, {}, {}}, {}});
  }
  SECTION("wrong relay") {
    s.expect.push_back(Expectation{Relayed{std::string("Hello Bob"), std::string("mx9.elsewhere.example"), std::nullopt}, {}});
  }
  SECTION("more attempts than were made") {
    s.expect.push_back(Expectation{Attempts{std::string("Hello Bob"), std::string("mail.a.example"), 2, {}}, {}});
  }
  SECTION("a reply that was never sent") {
    s.expect.push_back(Expectation{ReplyCheck{"mx.b.example", 550, {}}, {}});
  }
  std::ostringstream out, err;
  CHECK(run(s, RunOptions{}, out, err) == 1);
  CHECK(out.str().find(" 1 failed") != std::string::npos);
}
