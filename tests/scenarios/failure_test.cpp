// The failure stories, checked from what really happened: retry times against the
// schedule computed by hand from Postfix's rules, every expectation able to fail, and no
// message accepted with 250 ever lost.
#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <sstream>

#include "scenarios/expectations.hpp"
#include "scenarios/library.hpp"
#include "scenarios/runner.hpp"
#include "world_helpers.hpp"

using namespace maillab;
using namespace maillab::scenario;
using namespace maillab::scenario::test;

namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, sep)) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

// An expectation turned into one that did not happen in the original run.
std::optional<Expectation> mutate(const Expectation& e, const World& w) {
  Expectation m = e;
  bool ok = std::visit(
      [&](auto& c) -> bool {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, Delivered>) {
          c.to = "nobody-at-all@nowhere.invalid";
        } else if constexpr (std::is_same_v<T, NotDelivered>) {
          // What was not delivered, expected as delivered.
          m.check = Delivered{c.to, c.subject, {}, {}, {}};
        } else if constexpr (std::is_same_v<T, Relayed>) {
          c.via = "no-such-relay.invalid";
        } else if constexpr (std::is_same_v<T, Bounced>) {
          c.status = "9.9.9";
        } else if constexpr (std::is_same_v<T, ReplyCheck>) {
          c.code = 299;
          c.count.reset();
        } else if constexpr (std::is_same_v<T, Attempts>) {
          c.min = 1000000;
          c.max.reset();
        } else if constexpr (std::is_same_v<T, QueueEmpty>) {
          return false;  // a drained queue cannot be made non-empty by changing the check
        } else if constexpr (std::is_same_v<T, Fetched>) {
          c.count = c.count.value_or(0) + 1000;
        } else if constexpr (std::is_same_v<T, Authenticated>) {
          c.dmarc = c.dmarc == "fail" ? "pass" : "fail";  // the opposite verdict
        } else if constexpr (std::is_same_v<T, Stored>) {
          c.count = c.count.value_or(0) + 1000;
        }
        return true;
      },
      m.check);
  (void)w;
  if (!ok) return std::nullopt;
  return m;
}

}  // namespace

TEST_CASE("retry-after-outage: attempt times follow Postfix's backoff, to the second") {
  // Hand computation (docs/scenarios/retry-after-outage.md): queue_run_delay 5m, backoff
  // clamp [300s, 4000s], smtp_connect_timeout 30s, arrival at 1s.
  //   attempt 1 at 1s, fails at 31s: age 30s -> delay 300s -> due 331s -> scan at 600s
  //   attempt 2 at 600s, fails at 630s: age 629s -> due 1259s -> scan at 1500s
  //   attempt 3 at 1500s: age 1529s -> due 3059s -> scan at 3300s
  //   attempt 4 at 3300s: age 3329s -> due 6659s -> scan at 6900s
  //   attempt 5 at 6900s: age 6929s -> clamp 4000s -> due 10930s -> scan at 11100s
  //   attempt 6 at 11100s (3h05m): mx.b.example is up since 3h: delivered.
  auto w = run_world(builtin("retry-after-outage"));
  std::vector<std::int64_t> seconds;
  for (const auto& e : w->trace().events()) {
    if (e.event == "queue.attempt" && e.host == "mail.a.example") seconds.push_back(e.t_ns / kSecond);
  }
  CHECK(seconds == std::vector<std::int64_t>{1, 600, 1500, 3300, 6900, 11100});
  REQUIRE(w->deliveries().size() == 1);
  CHECK(w->deliveries()[0].record.time / kSecond == 11100);
}

TEST_CASE("give-up-bounce: the bounce comes after the first failed attempt past 5 days") {
  auto w = run_world(builtin("give-up-bounce"));
  std::int64_t expired = -1;
  for (const auto& e : w->trace().events()) {
    if (e.event == "queue.expired") expired = e.t_ns;
  }
  REQUIRE(expired > 0);
  CHECK(expired >= 5 * kDay + kMinute);
  CHECK(expired < 5 * kDay + kMinute + 4000 * kSecond + 5 * kMinute + kMinute);
}

TEST_CASE("every expectation of every built-in scenario can fail") {
  for (const auto& b : builtin_scenarios()) {
    Scenario s = builtin(std::string(b.name));
    auto w = run_world(s);
    for (const auto& e : s.expect) {
      auto m = mutate(e, *w);
      if (!m) continue;
      Scenario changed = s;
      changed.expect = {*m};
      std::ostringstream out, err;
      INFO(b.name << ": " << check_name(e.check) << " mutated");
      RunOptions quiet;
      quiet.quiet = true;
      CHECK(run(changed, quiet, out, err) == 1);
    }
  }
}

TEST_CASE("no message accepted with 250 is lost, in any built-in scenario") {
  // Per queued message and recipient: delivered into a mailbox, relayed on (250 from the
  // next hop), failed with a DSN, or still on some disk at the end. Nothing else.
  for (const auto& b : builtin_scenarios()) {
    Scenario s = builtin(std::string(b.name));
    auto w = run_world(s);
    struct Fate {
      std::size_t rcpts = 0, done = 0;
    };
    std::map<std::pair<std::string, std::string>, Fate> msgs;
    for (const auto& e : w->trace().events()) {
      auto key = std::make_pair(e.host, e.get("id"));
      if (e.event == "queue.enqueued") {
        msgs[key].rcpts = split(e.get("to"), ',').size();
      } else if (e.event == "deliver" || e.event == "relay.sent" || e.event == "relay.bounced" ||
                 e.event == "deliver.failed") {
        msgs[key].done++;
      }
    }
    for (const auto& [name, node] : w->hosts()) {
      for (const auto& q : w->queue_of(name)) {
        std::size_t pending = 0;
        for (const auto& r : q.rcpts) {
          if (r.state == mta::RcptState::Pending) pending++;
        }
        msgs[{name, q.id}].done += pending;
      }
    }
    // Expired messages: their pending recipients failed in active_done.
    for (const auto& e : w->trace().events()) {
      if (e.event != "queue.expired") continue;
      auto& f = msgs[{e.host, e.get("id")}];
      f.done = f.rcpts;
    }
    for (const auto& [key, f] : msgs) {
      INFO(b.name << ": message " << key.second << " on " << key.first);
      CHECK(f.rcpts > 0);
      CHECK(f.done == f.rcpts);
    }
  }
}

TEST_CASE("equal-preference: the split between the two MX depends on the seed") {
  Scenario s = builtin("equal-preference");
  std::set<std::string> splits;
  for (std::uint64_t seed : {1, 2, 3, 4, 5}) {
    auto built = World::build(s, seed);
    auto w = std::move(std::get<std::unique_ptr<World>>(built));
    w->run_until(s.duration_ns);
    std::string split;
    for (const auto& d : w->deliveries()) split += d.host == "mxa.b.example" ? 'a' : 'b';
    CHECK(split.size() == 8);
    splits.insert(split);
  }
  CHECK(splits.size() > 1);
}

TEST_CASE("a broken zone in a scenario is reported at its line and column in the file") {
  std::string text = R"(scenario: bad-zone
duration: 1m
hosts:
  ns.example:
    address: 192.0.2.53
    dns:
      zones:
        - |
          $ORIGIN b.example.
          $TTL 3600
          @ IN MX 10
)";
  auto loaded = load_scenario_text(text, "bad.yaml");
  REQUIRE(std::holds_alternative<Scenario>(loaded));
  auto built = World::build(std::get<Scenario>(loaded), 1);
  REQUIRE(std::holds_alternative<LoadError>(built));
  const auto& e = std::get<LoadError>(built);
  CHECK(e.file == "bad.yaml");
  CHECK(e.line == 11);
  CHECK(e.column > 10);
}
