// services::Anvil: failed logins counted per client address, as Postfix's anvil(8) counts
// per-client events over anvil_rate_time_unit, so that a password guesser opening many
// connections is stopped as a whole (issue 15 item 7): once an address has failed
// `limit` times within the current time unit, every login from it is refused until the
// unit ends. A successful login costs nothing, so a client that has not failed is never
// held back by this (one that shares the address with a guesser is: as in Postfix).
//
// Invariants: time comes from the caller (simulated or real); memory stays bounded
// (at most kMaxClients addresses; expired ones go first, then the oldest); limit 0 or
// a zero time unit disables it.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>

#include "protocols/io/runtime.hpp"

namespace maillab::services {

class Anvil {
 public:
  static constexpr std::size_t kMaxClients = 4096;

  Anvil(int limit, io::Time time_unit) : limit_(limit), unit_(time_unit) {}

  // True when `client` may not log in now.
  bool blocked(std::string_view client, io::Time now) const;
  // Counts one failed login of `client`.
  void failure(std::string_view client, io::Time now);

 private:
  struct Count {
    io::Time start = 0;  // the time unit began here
    int failures = 0;
  };
  void make_room(io::Time now);

  int limit_;
  io::Time unit_;
  std::map<std::string, Count, std::less<>> clients_;
};

}  // namespace maillab::services
