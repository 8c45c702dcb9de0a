// services::Anvil: failed logins per client address per time unit.
#include <catch2/catch.hpp>

#include "protocols/services/anvil.hpp"

using maillab::services::Anvil;

namespace {
constexpr maillab::io::Time kSec = 1'000'000'000LL;
}

TEST_CASE("an address that failed `limit` times is blocked until its time unit ends") {
  Anvil a(3, 60 * kSec);
  for (int i = 0; i < 2; ++i) a.failure("192.0.2.1", i * kSec);
  CHECK_FALSE(a.blocked("192.0.2.1", 2 * kSec));
  a.failure("192.0.2.1", 2 * kSec);
  CHECK(a.blocked("192.0.2.1", 3 * kSec));
  CHECK_FALSE(a.blocked("192.0.2.2", 3 * kSec));  // another client is not held back
  CHECK(a.blocked("192.0.2.1", 59 * kSec));
  CHECK_FALSE(a.blocked("192.0.2.1", 60 * kSec));  // a new unit
  a.failure("192.0.2.1", 61 * kSec);
  CHECK_FALSE(a.blocked("192.0.2.1", 61 * kSec));  // counted from zero again
}

TEST_CASE("a zero limit disables it; memory stays bounded") {
  Anvil off(0, 60 * kSec);
  for (int i = 0; i < 100; ++i) off.failure("192.0.2.1", 0);
  CHECK_FALSE(off.blocked("192.0.2.1", 0));
  Anvil a(1, 60 * kSec);
  for (std::size_t i = 0; i < 3 * Anvil::kMaxClients; ++i) a.failure("10.0." + std::to_string(i), kSec);
  // The newest addresses are still counted.
  CHECK(a.blocked("10.0." + std::to_string(3 * Anvil::kMaxClients - 1), kSec));
}
