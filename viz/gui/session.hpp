// viz::Session: the visualiser's run. It owns a scenario::World built from the scenario
// (plus the faults injected so far) and moves it through simulated time.
//
// The visualiser changes the simulation only as a scenario would (DESIGN.md "viz only
// observes"): an injected fault is an ordinary scenario event at the current time. Since
// a run is a pure function of (scenario, seed), going back in time - or adding an event in
// the past of the running world - is done by rebuilding the World from the scenario with
// the same seed and running it to the wanted time: the history replays exactly.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "scenarios/world.hpp"
#include "viz/pcap_recorder.hpp"
#include "viz/sequence_chart.hpp"

namespace maillab::viz {

class Session {
 public:
  Session();
  ~Session();

  // Opens a scenario file or a built-in scenario; false with *error (file:line:column).
  bool open(const std::string& arg, std::string* error);
  bool loaded() const { return world_ != nullptr; }

  const scenario::Scenario& scenario() const { return scenario_; }  // with the injected events
  const std::string& source_text() const { return text_; }          // the file as written
  std::uint64_t seed() const { return scenario_.seed; }
  Time now() const { return now_; }
  Time duration() const { return scenario_.duration_ns; }

  void run_to(Time t);  // forward in place; backward by replaying from the start
  bool step();          // to the next traced event; false when nothing is left to run
  Time next_event_time() const;  // of the simulation's next event (any), or past the end
  void inject(const scenario::Action& a);  // at now()
  const std::vector<scenario::Event>& injected() const { return injected_; }
  bool save(const std::string& path, std::string* error) const;

  // The whole run's trace, to the scenario's end: what will happen (for "the next step of
  // this message"). A run is a pure function of the scenario and its seed, so the trace so
  // far is its prefix, index for index. Run once per scenario and set of injected events.
  const std::vector<sim::TraceEvent>& full_trace();

  scenario::World& world() { return *world_; }
  const scenario::World& world() const { return *world_; }
  const PcapRecorder& packets() const { return *packets_; }
  // Changes whenever the world is rebuilt or advanced (models cache by it).
  std::uint64_t revision() const { return revision_; }

 private:
  void rebuild();

  scenario::Scenario base_;      // as loaded
  scenario::Scenario scenario_;  // base_ + injected_
  std::string text_;
  std::vector<scenario::Event> injected_;
  std::unique_ptr<PcapRecorder> packets_;
  std::unique_ptr<scenario::World> world_;
  std::unique_ptr<scenario::World> whole_run_;  // full_trace(), built when first asked
  Time now_ = 0;
  std::uint64_t revision_ = 0;
};

}  // namespace maillab::viz
