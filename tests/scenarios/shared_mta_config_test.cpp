// Several mta::Mta sharing one MtaConfig (maillab bench hosts, a million idle hosts): with
// no hostname in the config each MTA is its host (greeting, HELO), as Postfix's
// myhostname defaults to the system's name.
#include <catch2/catch.hpp>

#include "protocols/mta/mta.hpp"
#include "scenarios/sim_runtime.hpp"

using namespace maillab;

namespace {

struct Reader final : sim::StreamHandler {
  std::string got;
  void on_data(std::string_view bytes) override { got.append(bytes); }
  void on_close(sim::CloseReason) override {}
};

}  // namespace

TEST_CASE("shared MTA config: each MTA greets with its own host name") {
  sim::Simulator sim(1);
  sim::TraceRecorder trace;
  sim::Network net(sim);
  auto cfg = std::make_shared<mta::MtaConfig>();
  cfg->domains = {"example"};
  std::shared_ptr<const mta::MtaConfig> shared = cfg;
  struct Host {
    io::MemoryDisk disk;
    std::unique_ptr<scenario::SimRuntime> rt;
    std::unique_ptr<mta::Mta> mta;
  };
  std::vector<std::unique_ptr<Host>> hosts;
  for (int i = 0; i < 3; ++i) {
    auto h = std::make_unique<Host>();
    const std::string name = "mx" + std::to_string(i) + ".example";
    const std::string addr = "10.0.0." + std::to_string(i + 1);
    net.add_host(name, *sim::parse_address(addr));
    h->rt = std::make_unique<scenario::SimRuntime>(sim, net, trace, name, addr, h->disk);
    h->mta = std::make_unique<mta::Mta>(*h->rt, shared);
    h->mta->start();
    CHECK(h->mta->hostname() == name);
    CHECK(&h->mta->config() == shared.get());
    hosts.push_back(std::move(h));
  }
  net.add_host("client", *sim::parse_address("10.0.1.1"));
  std::vector<Reader> readers(3);
  std::vector<sim::StreamPtr> streams(3);
  for (int i = 0; i < 3; ++i) {
    net.connect(*sim::parse_address("10.0.1.1"), *sim::parse_address("10.0.0." + std::to_string(i + 1)),
                25, 5'000'000'000LL, [&, i](sim::ConnectResult r, sim::StreamPtr s) {
                  REQUIRE(r == sim::ConnectResult::kConnected);
                  streams[i] = s;
                  s->set_handler(&readers[i]);
                });
  }
  sim.run_until(1'000'000'000LL);
  for (int i = 0; i < 3; ++i) {
    CHECK(readers[i].got.rfind("220 mx" + std::to_string(i) + ".example ", 0) == 0);
  }
  for (auto& s : streams) {
    if (s) s->set_handler(nullptr);
  }
  streams.clear();
  for (auto& h : hosts) h->mta.reset();
}

TEST_CASE("an MTA's own config keeps its own hostname") {
  sim::Simulator sim(1);
  sim::TraceRecorder trace;
  sim::Network net(sim);
  io::MemoryDisk disk;
  net.add_host("box", *sim::parse_address("10.0.0.1"));
  scenario::SimRuntime rt(sim, net, trace, "box", "10.0.0.1", disk);
  mta::MtaConfig c;
  c.hostname = "mail.example";
  mta::Mta m(rt, c);
  CHECK(m.hostname() == "mail.example");
  CHECK(m.resolver() == nullptr);  // none configured
}
