// The user's end: what Bob's MUA downloads is what Alice's MUA submitted, byte for byte,
// with only the trace headers the MTAs and the MDA prepend on the way.
#include <catch2/catch.hpp>

#include "protocols/message/message.hpp"
#include "scenarios/library.hpp"
#include "scenarios/world.hpp"

using namespace maillab;
using namespace maillab::scenario;

TEST_CASE("full-journey: the fetched bytes equal the submitted bytes, trace headers aside") {
  auto loaded = load_scenario(std::string("full-journey"));
  REQUIRE(std::holds_alternative<Scenario>(loaded));
  const Scenario& s = std::get<Scenario>(loaded);
  auto built = World::build(s, s.seed);
  auto w = std::move(std::get<std::unique_ptr<World>>(built));
  w->run_until(s.duration_ns);

  REQUIRE(w->submissions().size() == 1);
  const auto& sub = w->submissions()[0];
  CHECK(sub.accepted);
  REQUIRE(w->fetches().size() == 1);
  const auto& fetch = w->fetches()[0].result;
  CHECK(fetch.ok);
  CHECK(fetch.deletions_committed);
  REQUIRE(fetch.messages.size() == 1);
  const std::string& got = fetch.messages[0].content;

  // The submitted message is the tail of what was fetched ...
  REQUIRE(got.size() > sub.content.size());
  CHECK(got.compare(got.size() - sub.content.size(), sub.content.size(), sub.content) == 0);
  // ... and what comes before it is only trace headers, newest first.
  auto prefix = message::Message::parse(got.substr(0, got.size() - sub.content.size()) + "\r\n");
  std::vector<std::string> names;
  for (const auto& f : prefix.fields()) names.push_back(f.name);
  CHECK(names == std::vector<std::string>{"Return-Path", "Delivered-To", "Received", "Received"});

  // Deleted at QUIT: Bob's maildrop on the server is empty now.
  CHECK(w->hosts().at("mx.b.example")->disk.list("mail/bob/").empty());
}

TEST_CASE("pop3-fetch: a second fetch after DELE+QUIT finds nothing") {
  auto loaded = load_scenario(std::string("pop3-fetch"));
  REQUIRE(std::holds_alternative<Scenario>(loaded));
  const Scenario& s = std::get<Scenario>(loaded);
  auto built = World::build(s, s.seed);
  auto w = std::move(std::get<std::unique_ptr<World>>(built));
  w->run_until(s.duration_ns);
  REQUIRE(w->fetches().size() == 2);
  CHECK(w->fetches()[0].result.messages.size() == 2);
  CHECK(w->fetches()[0].result.deletions_committed);
  CHECK(w->fetches()[1].result.ok);
  CHECK(w->fetches()[1].result.messages.empty());
  // Dot-stuffing survived the round trip: the body lines "." and "..two dots" are intact.
  const std::string& first = w->fetches()[0].result.messages[0].content;
  CHECK(first.find("\r\none\r\n.\r\n..two dots\r\n") != std::string::npos);
}
