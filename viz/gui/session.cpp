#include "viz/gui/session.hpp"

#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "scenarios/library.hpp"
#include "scenarios/runner.hpp"
#include "viz/scenario_writer.hpp"

namespace maillab::viz {

Session::Session() = default;
Session::~Session() = default;

bool Session::open(const std::string& arg, std::string* error) {
  std::string text, label;
  std::error_code ec;
  if (std::filesystem::is_regular_file(arg, ec)) {
    std::ifstream f(arg, std::ios::binary);
    std::ostringstream s;
    s << f.rdbuf();
    text = s.str();
    label = arg;
  } else if (const auto* b = scenario::find_builtin(arg)) {
    text = std::string(b->text);
    label = "builtin:" + arg;
  } else {
    *error = arg + ": no such file, and no built-in scenario of that name (see `maillab list`)";
    return false;
  }
  auto loaded = scenario::load_scenario_text(text, label);
  if (auto* e = std::get_if<scenario::LoadError>(&loaded)) {
    *error = e->str();
    return false;
  }
  auto built = scenario::World::build(std::get<scenario::Scenario>(loaded), 1);
  if (auto* e = std::get_if<scenario::LoadError>(&built)) {
    *error = e->str();
    return false;
  }
  base_ = std::move(std::get<scenario::Scenario>(loaded));
  text_ = std::move(text);
  injected_.clear();
  whole_run_.reset();
  now_ = 0;
  rebuild();
  return true;
}

void Session::rebuild() {
  scenario_ = base_;
  for (const auto& e : injected_) scenario_.events.push_back(e);
  world_.reset();
  packets_ = std::make_unique<PcapRecorder>();
  auto built = scenario::World::build(scenario_, scenario_.seed);
  // The same scenario built once already in open(): it cannot fail now.
  world_ = std::move(std::get<std::unique_ptr<scenario::World>>(built));
  packets_->attach(world_->network());
  world_->run_until(now_);
  ++revision_;
}

void Session::run_to(Time t) {
  if (!world_) return;
  t = std::max<Time>(0, t);
  if (t < now_) {
    now_ = t;
    rebuild();
    return;
  }
  if (t == now_) return;
  now_ = t;
  world_->run_until(t);
  ++revision_;
}

Time Session::next_event_time() const {
  return world_ ? world_->simulator().next_event_time() : std::numeric_limits<Time>::max();
}

bool Session::step() {
  if (!world_) return false;
  const std::size_t before = world_->trace().events().size();
  for (int guard = 0; guard < 1'000'000; ++guard) {
    Time next = world_->simulator().next_event_time();
    if (next == std::numeric_limits<Time>::max() || next > duration()) {
      run_to(duration());
      return false;
    }
    now_ = next;
    world_->run_until(next);
    ++revision_;
    if (world_->trace().events().size() > before) return true;
  }
  return true;
}

void Session::inject(const scenario::Action& a) {
  if (!world_) return;
  scenario::Event e;
  e.at_ns = now_;
  e.action = a;
  injected_.push_back(e);
  whole_run_.reset();
  // Replayed from the start with the event in the scenario (rather than World::inject on
  // the running world): the world on screen is then exactly the run of the saved file,
  // even for events that share this instant.
  rebuild();
}

const std::vector<sim::TraceEvent>& Session::full_trace() {
  if (!whole_run_) {
    auto built = scenario::World::build(scenario_, scenario_.seed);
    whole_run_ = std::move(std::get<std::unique_ptr<scenario::World>>(built));
    whole_run_->run_until(duration());
  }
  return whole_run_->trace().events();
}

bool Session::save(const std::string& path, std::string* error) const {
  std::string comment = "Saved by maillab viz from " + base_.file + " with " +
                        std::to_string(injected_.size()) + " injected event(s); replay it with "
                        "`maillab run " + path + "`.";
  auto text = append_events(text_, injected_, id_from_path(path), comment, error);
  if (!text) return false;
  std::ofstream f(path, std::ios::binary);
  f << *text;
  f.close();
  if (!f) {
    *error = "cannot write " + path;
    return false;
  }
  return true;
}

}  // namespace maillab::viz
