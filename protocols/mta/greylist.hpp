// mta::Greylist: a greylisting policy as postgrey(8) gives Postfix (check_policy_service
// after permit_mynetworks and permit_sasl_authenticated): a (client network, sender,
// recipient) triplet seen for the first time is answered 450 4.2.0, and so is every retry
// until `delay` has passed since it was first seen; after that the triplet passes, now and
// later. A triplet not retried in time (postgrey's retry window, 2 days) starts over.
// Postgrey's defaults: --delay=300, --retry-window=2d, --lookup-by-subnet (/24).
//
// Invariants: the state is the daemon's memory (postgrey keeps a database; the lab's dies
// with the MTA on a crash, as if the database were lost); at most kMaxEntries triplets
// (the oldest first-seen is dropped), so a client cannot grow it without bound.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>

#include "protocols/io/runtime.hpp"
#include "protocols/smtp/reply.hpp"

namespace maillab::mta {

class Greylist {
 public:
  static constexpr std::size_t kMaxEntries = 100000;
  static constexpr io::Time kRetryWindow = 2LL * 86400 * 1'000'000'000LL;

  explicit Greylist(io::Time delay) : delay_(delay) {}

  // At RCPT: nullopt lets the recipient through, else the 450 to answer.
  std::optional<smtp::Reply> check(std::string_view client_address, std::string_view sender,
                                   std::string_view recipient, io::Time now);

 private:
  struct Entry {
    io::Time first_seen = 0;
    bool passed = false;
  };
  using Triplet = std::tuple<std::string, std::string, std::string>;
  io::Time delay_;
  std::map<Triplet, Entry> entries_;
};

}  // namespace maillab::mta
