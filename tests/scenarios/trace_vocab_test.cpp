// The trace vocabulary (protocols/io/trace_vocab.hpp) is the --trace file format: every
// event the built-in scenarios record is in it, from one of its agents, with its fields in
// its order; docs/trace.md names every event and field; the link fields lead from hop to
// hop (the next hop's queue id, both ends of a cut).
#include "protocols/io/trace_vocab.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "scenarios/library.hpp"
#include "scenarios/world.hpp"

using namespace maillab;
using namespace maillab::scenario;
namespace ev = io::trace::ev;
namespace key = io::trace::key;

namespace {

std::vector<std::string> words(std::string_view s) {
  std::vector<std::string> out;
  std::istringstream in{std::string(s)};
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

std::unique_ptr<World> run_builtin(std::string_view name) {
  auto loaded = load_scenario(std::string(name));
  REQUIRE(std::holds_alternative<Scenario>(loaded));
  const Scenario& s = std::get<Scenario>(loaded);
  auto built = World::build(s, s.seed);
  REQUIRE(std::holds_alternative<std::unique_ptr<World>>(built));
  auto w = std::move(std::get<std::unique_ptr<World>>(built));
  w->run_until(s.duration_ns);
  return w;
}

// "" when `e` matches its catalogue row, else what is wrong.
std::string check_event(const sim::TraceEvent& e) {
  const io::trace::EventSpec* spec = io::trace::find_event(e.event);
  if (!spec) return "not in the vocabulary";
  const auto agents = words(spec->agents);
  if (std::find(agents.begin(), agents.end(), e.agent) == agents.end()) return "agent " + e.agent;
  std::size_t next = 0;  // the first field of the row not yet matched
  const auto fields = words(spec->fields);
  for (const auto& [k, v] : e.fields) {
    while (next < fields.size() && fields[next] != k && fields[next] != k + "?") {
      if (fields[next].back() != '?') return "field " + fields[next] + " missing before " + k;
      ++next;
    }
    if (next == fields.size()) return "field " + k + " not in the row, or out of order";
    ++next;
  }
  for (; next < fields.size(); ++next) {
    if (fields[next].back() != '?') return "field " + fields[next] + " missing";
  }
  return "";
}

}  // namespace

TEST_CASE("trace vocabulary: names are unique and every event's fields are keys") {
  std::set<std::string_view> keys, events;
  for (const auto& k : io::trace::kKeys) CHECK(keys.insert(k).second);
  const std::set<std::string> agents{"MUA", "MSA", "MTA", "MDA", "MRA", "DNS", "NET"};
  for (const auto& e : io::trace::kEvents) {
    INFO(e.event.text());
    CHECK(events.insert(e.event).second);
    CHECK(io::trace::find_event(e.event) == &e);
    for (const auto& a : words(e.agents)) CHECK(agents.count(a));
    std::set<std::string> seen;
    for (auto f : words(e.fields)) {
      const bool optional = f.back() == '?';
      if (optional) f.pop_back();
      CHECK(keys.count(f));
      CHECK(io::trace::is_optional(e.event, io::trace::Key{f}) == optional);
      CHECK(seen.insert(f).second);
    }
  }
  CHECK(io::trace::find_event("no.such.event") == nullptr);
}

TEST_CASE("trace vocabulary: every built-in scenario's trace follows it") {
  std::set<std::string> recorded;
  for (const auto& b : builtin_scenarios()) {
    auto w = run_builtin(b.name);
    for (const auto& e : w->trace().events()) {
      INFO(b.name << ": " << sim::TraceRecorder::to_json(e));
      CHECK(check_event(e) == "");
      // An optional field is left out rather than written empty (Runtime::trace).
      for (const auto& [k, v] : e.fields)
        CHECK((!v.empty() || !io::trace::is_optional(io::trace::Event{e.event}, io::trace::Key{k})));
      recorded.insert(e.event);
    }
  }
  // The library exercises the mail events; the bridge's, a corrupt queue file and a
  // refused queue write have tests of their own.
  for (auto name : {ev::kCompose, ev::kSubmitAccepted, ev::kQueueEnqueued, ev::kRelaySent, ev::kDeliver,
                    ev::kDsnBounce, ev::kQueueDeferred, ev::kQueueExpired, ev::kCut, ev::kHostDown,
                    ev::kDnsAnswer, ev::kPop3In, ev::kFetchDone}) {
    CHECK(recorded.count(std::string(name)));
  }
}

TEST_CASE("trace vocabulary: docs/trace.md names every event and every field") {
  std::ifstream f(std::string(MAILLAB_SOURCE_DIR) + "/docs/trace.md");
  REQUIRE(f);
  std::stringstream text;
  text << f.rdbuf();
  const std::string doc = text.str();
  for (const auto& e : io::trace::kEvents) {
    INFO(e.event.text());
    CHECK(doc.find("| `" + std::string(e.event) + "` |") != std::string::npos);
  }
  for (const auto& k : io::trace::kKeys) {
    INFO(k.text());
    CHECK(doc.find("`" + std::string(k) + "`") != std::string::npos);
  }
}

TEST_CASE("trace links: relay.sent and submit.accepted name the next queue, cut names both ends") {
  auto w = run_builtin("basic-delivery");
  const Scenario& s = w->scenario();
  std::set<std::pair<std::string, std::string>> queued;  // (host, id)
  for (const auto& e : w->trace().events())
    if (e.event == ev::kQueueEnqueued) queued.insert({e.host, e.get(key::kId)});
  auto host_at = [&](const std::string& address) {
    for (const auto& h : s.hosts)
      if (h.address.text == address) return h.name;
    return std::string();
  };
  int links = 0;
  for (const auto& e : w->trace().events()) {
    if (e.event != ev::kRelaySent && e.event != ev::kSubmitAccepted) continue;
    INFO(sim::TraceRecorder::to_json(e));
    CHECK(queued.count({host_at(e.get(key::kPeer)), e.get(key::kNextId)}));
    ++links;
  }
  CHECK(links == 2);  // pc.alice -> mail.a.example -> mx.b.example

  auto p = run_builtin("partition");
  bool cut = false;
  for (const auto& e : p->trace().events()) {
    if (e.event != ev::kCut) continue;
    cut = true;
    CHECK(e.get(key::kA) == e.host);
    CHECK(e.get(key::kBetween) == e.get(key::kA) + " " + e.get(key::kB));
    CHECK_FALSE(e.get(key::kB).empty());
  }
  CHECK(cut);
}
