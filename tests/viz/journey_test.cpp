// Message journeys for the inspector: hops linked by "queued as", attempts grouped, status.
#include "viz_fixture.hpp"
#include "viz/journey.hpp"

using namespace maillab;
using namespace maillab::viz;

TEST_CASE("basic-delivery: one journey, submitted by the MUA, two hops, delivered") {
  auto s = viz_test::load("basic-delivery");
  auto w = viz_test::run_world(s);
  auto journeys = build_journeys(s, w->trace().events(), s.duration_ns);
  REQUIRE(journeys.size() == 1);
  const Journey& j = journeys[0];
  CHECK(j.subject == "Hello Bob");
  CHECK(j.mua == "pc.alice");
  CHECK_FALSE(j.message_id.empty());
  CHECK_FALSE(j.submission.empty());
  REQUIRE(j.hops.size() == 2);
  CHECK(j.hops[0].host == "mail.a.example");
  CHECK(j.hops[0].status == "relayed");
  CHECK(j.hops[0].parent == -1);
  CHECK(j.hops[1].host == "mx.b.example");
  CHECK(j.hops[1].parent == 0);
  CHECK(j.hops[1].status == "delivered");
  CHECK(j.hops[1].status_detail.find("bob") != std::string::npos);
  // Attempt 1 on the first hop holds the SMTP exchange with the MX.
  REQUIRE(j.hops[0].attempts.size() == 2);
  CHECK(j.hops[0].attempts[1].number == 1);
  bool saw_data = false;
  for (std::size_t i : j.hops[0].attempts[1].events)
    saw_data = saw_data || w->trace().events()[i].get("command") == "<data>";
  CHECK(saw_data);
}

TEST_CASE("mx-failover: the backup MX's hop is deferred, then relayed to the primary") {
  auto s = viz_test::load(viz_test::kData + "mx-failover.yaml");
  auto w = viz_test::run_world(s);
  constexpr Time kMin = 60'000'000'000;

  auto at12 = build_journeys(s, w->trace().events(), 12 * kMin);
  REQUIRE(at12.size() == 1);
  REQUIRE(at12[0].hops.size() == 2);
  CHECK(at12[0].hops[1].host == "mx2.b.example");
  CHECK(at12[0].hops[1].status == "deferred");
  CHECK(at12[0].hops[1].status_detail.find("next retry after") != std::string::npos);

  auto all = build_journeys(s, w->trace().events(), s.duration_ns);
  REQUIRE(all.size() == 1);
  REQUIRE(all[0].hops.size() == 3);
  const Hop& backup = all[0].hops[1];
  CHECK(backup.status == "relayed");
  CHECK(backup.attempts.back().number == 3);
  CHECK(all[0].hops[2].host == "mx1.b.example");
  CHECK(all[0].hops[2].status == "delivered");
}

TEST_CASE("a rejected recipient: the bounce is its own journey, marked as a DSN") {
  if (!scenario::find_builtin("reject-unknown-user")) {
    WARN("the built-in scenario reject-unknown-user is not in this build: skipped");
    return;
  }
  auto s = viz_test::load("reject-unknown-user");
  auto w = viz_test::run_world(s);
  auto journeys = build_journeys(s, w->trace().events(), s.duration_ns);
  bool dsn = false;
  for (const auto& j : journeys) {
    if (!j.is_dsn) continue;
    dsn = true;
    CHECK(j.title().rfind("DSN: ", 0) == 0);
    CHECK_FALSE(j.dsn_about.empty());
    REQUIRE_FALSE(j.hops.empty());
    CHECK(j.hops[0].from.empty());  // from <>
  }
  CHECK(dsn);
}
