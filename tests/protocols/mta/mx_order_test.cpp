// mta::order_mx, table-driven: the order a sending MTA tries a domain's MX hosts in (RFC
// 5321 5.1, RFC 7505), as hosts and verdicts, with the random stream drawn from only for
// ties.
#include "protocols/mta/mx_order.hpp"

#include <catch2/catch.hpp>
#include <map>
#include <set>

using namespace maillab::mta;
using Verdict = MxRoute::Verdict;

namespace {

std::vector<std::string> hosts_of(const MxRoute& r) {
  std::vector<std::string> out;
  for (const auto& h : r.hosts) out.push_back(std::to_string(h.preference) + ":" + h.host);
  return out;
}

MxHost mx(int preference, std::string host) { return MxHost{preference, std::move(host), {}}; }

// A stream that counts how often it was asked for.
struct Stream {
  std::mt19937_64 rng;
  int asked = 0;
  explicit Stream(std::uint64_t seed) : rng(seed) {}
  std::function<std::mt19937_64&()> fn() {
    return [this]() -> std::mt19937_64& {
      ++asked;
      return rng;
    };
  }
};

}  // namespace

TEST_CASE("order_mx: preference, null MX, and this host among the MXs", "[mta][mx]") {
  struct Case {
    const char* what;
    std::vector<MxHost> records;
    const char* self;
    Verdict verdict;
    std::vector<std::string> hosts;
  } cases[] = {
      {"one MX", {mx(10, "mx.b.example")}, "mail.a.example", Verdict::Route, {"10:mx.b.example"}},
      {"by preference, whatever the answer's order",
       {mx(30, "mx3.b.example"), mx(10, "mx1.b.example"), mx(20, "mx2.b.example")},
       "mail.a.example",
       Verdict::Route,
       {"10:mx1.b.example", "20:mx2.b.example", "30:mx3.b.example"}},
      {"preference 0 is the best", {mx(5, "b.example"), mx(0, "a.example")}, "x", Verdict::Route, {"0:a.example", "5:b.example"}},
      {"a null MX: no mail for the domain", {mx(0, "")}, "mail.a.example", Verdict::NullMx, {}},
      {"\".\" beside real MXs is not a null MX, only dropped",
       {mx(0, ""), mx(10, "mx.b.example")},
       "mail.a.example",
       Verdict::Route,
       {"10:mx.b.example"}},
      {"no records at all", {}, "mail.a.example", Verdict::Route, {}},
      {"this host drops itself and every MX not better",
       {mx(10, "mx1.b.example"), mx(20, "mx2.b.example"), mx(25, "backup.b.example"), mx(30, "mx3.b.example")},
       "mx2.b.example",
       Verdict::Route,
       {"10:mx1.b.example"}},
      {"this host, named in another case", {mx(10, "mx1.b.example"), mx(20, "mx2.b.example")}, "MX2.B.Example",
       Verdict::Route, {"10:mx1.b.example"}},
      {"this host is the best MX: mail loops back",
       {mx(10, "mx1.b.example"), mx(20, "mx2.b.example")},
       "mx1.b.example",
       Verdict::LoopsToSelf,
       {}},
      {"this host is not an MX: all kept",
       {mx(10, "mx1.b.example"), mx(20, "mx2.b.example")},
       "mx1.b.example.other",
       Verdict::Route,
       {"10:mx1.b.example", "20:mx2.b.example"}},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    Stream s(1);
    const MxRoute r = order_mx(c.records, c.self, s.fn());
    CHECK(r.verdict == c.verdict);
    CHECK(hosts_of(r) == c.hosts);
    CHECK(s.asked == 0);  // no tie: no draw
  }
}

TEST_CASE("order_mx: ties are shuffled by the stream, the same for the same seed", "[mta][mx]") {
  const std::vector<MxHost> records{mx(20, "c.example"), mx(10, "a1.example"), mx(10, "a2.example"), mx(10, "a3.example")};
  std::map<std::vector<std::string>, int> seen;
  for (std::uint64_t seed = 0; seed < 600; ++seed) {
    Stream s(seed), again(seed);
    const auto first = hosts_of(order_mx(records, "mail.x.example", s.fn()));
    CHECK(first == hosts_of(order_mx(records, "mail.x.example", again.fn())));
    CHECK(s.asked == 1);  // asked once, for the first tie
    REQUIRE(first.size() == 4);
    CHECK(first[3] == "20:c.example");  // a tie never jumps a preference
    ++seen[first];
  }
  // Every order of the three equal MXs comes up, each about as often (600 / 6 = 100).
  REQUIRE(seen.size() == 6);
  for (const auto& [order, n] : seen) CHECK((n > 60 && n < 140));
}

TEST_CASE("order_mx: a tie with this host still drops it and what is not better", "[mta][mx]") {
  for (std::uint64_t seed = 0; seed < 50; ++seed) {
    Stream s(seed);
    const MxRoute r =
        order_mx({mx(10, "mx1.b.example"), mx(10, "mx2.b.example"), mx(5, "best.b.example")}, "mx2.b.example", s.fn());
    CHECK(r.verdict == Verdict::Route);
    CHECK(hosts_of(r) == std::vector<std::string>{"5:best.b.example"});
  }
}
