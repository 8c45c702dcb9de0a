// mta::order_mx: the next hops of a domain from its MX records, as RFC 5321 5.1 and RFC
// 7505 order them, with no I/O: a pure function of the records, this host's name and a
// random stream that is drawn from only when preferences tie.
//  1. A null MX (a single record whose exchange is "." - empty here) means the domain
//     accepts no mail: kNullMx (RFC 7505 3, "5.1.10" for the caller).
//  2. The other records without an exchange are dropped; the rest sorted by preference,
//     stably, and each run of equal preferences shuffled (Fisher-Yates from the run's end:
//     one draw per position), so the same records and seed give the same order (DESIGN.md
//     determinism) and ties share the load.
//  3. When this host is one of them (ASCII case-insensitive), it and every MX of equal or
//     greater preference are dropped (5.1, "the sender-SMTP MUST ... discard ... its own
//     preference and all those greater"); nothing left: kLoopsToSelf ("5.4.6").
// Nothing left otherwise (every record empty) is kRoute with no hosts.
#pragma once

#include <functional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace maillab::mta {

struct MxHost {
  int preference = 0;
  std::string host;                    // lowercase; empty for "."
  std::vector<std::string> addresses;  // known addresses, carried along (not read here)
  bool operator==(const MxHost&) const = default;
};

struct MxRoute {
  enum class Verdict { Route, NullMx, LoopsToSelf };
  Verdict verdict = Verdict::Route;
  std::vector<MxHost> hosts;  // kRoute: in the order to try
};

// `rng` is called at most once, for the first tie (a stream made on demand costs nothing
// when no domain has one).
MxRoute order_mx(std::vector<MxHost> records, std::string_view self,
                 const std::function<std::mt19937_64&()>& rng);

}  // namespace maillab::mta
