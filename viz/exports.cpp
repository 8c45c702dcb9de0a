#include "viz/exports.hpp"

#include <memory>
#include <ostream>

#include "scenarios/library.hpp"
#include "scenarios/world.hpp"
#include "viz/pcap_recorder.hpp"
#include "viz/sequence_chart.hpp"
#include "viz/svg_writer.hpp"

namespace maillab::viz {

bool write_svg_file(const scenario::World& w, std::int64_t end_ns, std::optional<std::uint64_t> seed,
                    const std::string& path, std::string* error) {
  SequenceChart chart = build_sequence_chart(w.scenario(), w.trace().events(), end_ns);
  SvgOptions o;
  o.seed = seed;
  return scenario::write_output_file(path, to_svg(chart, o), error);
}

int print_text_timeline(const std::string& scenario, std::optional<std::int64_t> until,
                        const TextTimelineOptions& opt, std::ostream& out, std::ostream& err) {
  auto loaded = scenario::load_scenario(scenario);
  if (auto* e = std::get_if<scenario::LoadError>(&loaded)) {
    err << e->str() << "\n";
    return 2;
  }
  const auto& s = std::get<scenario::Scenario>(loaded);
  auto built = scenario::World::build(s, opt.seed.value_or(s.seed));
  if (auto* e = std::get_if<scenario::LoadError>(&built)) {
    err << e->str() << "\n";
    return 2;
  }
  auto& world = *std::get<std::unique_ptr<scenario::World>>(built);
  PcapRecorder packets;
  packets.attach(world.network());
  const std::int64_t end = until.value_or(s.duration_ns);
  world.run_until(end);
  std::string error;
  auto text = text_timeline(s, world.trace().events(), &packets.packets(), end, opt, &error);
  if (!text) {
    err << "maillab viz: " << error << "\n";
    return 2;
  }
  out << *text;
  return 0;
}

void add_export_hooks(scenario::RunOptions& opt, const std::string& svg_file,
                      const std::string& pcap_file) {
  if (svg_file.empty() && pcap_file.empty()) return;
  std::shared_ptr<PcapRecorder> pcap;
  if (!pcap_file.empty()) {
    pcap = std::make_shared<PcapRecorder>();
    auto before = opt.on_built;
    opt.on_built = [pcap, before](scenario::World& w) {
      if (before) before(w);
      pcap->attach(w.network());
    };
  }
  auto before = opt.on_finished;
  const std::optional<std::int64_t> until = opt.until_ns;
  const std::optional<std::uint64_t> seed = opt.seed;
  opt.on_finished = [=](const scenario::World& w, std::ostream& err) {
    bool ok = before ? before(w, err) : true;
    std::string error;
    if (!svg_file.empty() &&
        !write_svg_file(w, until.value_or(w.scenario().duration_ns),
                        seed.value_or(w.scenario().seed), svg_file, &error)) {
      err << "maillab: --svg: " << error << "\n";
      ok = false;
    }
    if (pcap && !pcap->write(pcap_file, &error)) {
      err << "maillab: --pcap: " << error << "\n";
      ok = false;
    }
    return ok;
  };
}

}  // namespace maillab::viz
