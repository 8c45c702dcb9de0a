// services::LoginLimits: how the retrieval servers (POP3, IMAP) slow down password
// guessers (docs/security.md): every failed login's answer waits auth_failure_delay
// (Dovecot's auth_failure_delay), and an address that failed auth_failure_limit times
// within time_unit may not log in until the unit ends (services::Anvil).
#pragma once

#include <chrono>

#include "protocols/io/runtime.hpp"

namespace maillab::services {

struct LoginLimits {
  std::chrono::milliseconds auth_failure_delay{2000};
  int auth_failure_limit = 30;
  io::Time time_unit = 60'000'000'000LL;
};

}  // namespace maillab::services
