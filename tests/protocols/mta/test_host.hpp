// Test support for tests/protocols/mta: TestHost, the MtaHost of the MTA's parts run alone,
// on a ClockRuntime (tests/support/clock_runtime.hpp: a clock the test moves, a MemoryDisk,
// every connect refused), with no resolver; the reports it is given to queue are kept.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "protocols/mta/mta_host.hpp"
#include "tests/support/clock_runtime.hpp"

namespace maillab::test {

inline constexpr io::Time kS = 1'000'000'000LL;

class TestHost final : public mta::MtaHost {
 public:
  explicit TestHost(mta::MtaConfig cfg) : cfg_(std::move(cfg)) {}
  io::Runtime& runtime() override { return rt; }
  const mta::MtaConfig& config() const override { return cfg_; }
  const std::string& hostname() const override { return cfg_.hostname.empty() ? rt.hostname() : cfg_.hostname; }
  services::Resolver* resolver() override { return nullptr; }
  void enqueue_report(mta::Submission&& report) override { reports.push_back(std::move(report)); }

  std::vector<mta::Submission> reports;  // what bounce(8) handed back to cleanup
  ClockRuntime rt;

 private:
  mta::MtaConfig cfg_;
};

}  // namespace maillab::test
