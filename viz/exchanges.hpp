// viz::pair_exchanges: the records of one exchange brought together, for every view of a
// run (the sequence chart, the text timeline, following a message).
//
// The trace records an SMTP or POP3 exchange twice: the server's answer (`smtp.in`,
// `pop3.in`: the command it got and its reply) and, a network latency later, the client's
// receipt of that reply (`smtp.out`, `pop3.out`). They are paired first in, first out per
// (protocol, client, server, command line). A greeting (command "") is paired with the
// connection that asked for it: the MTA's `smtp.connect`, or the MUA's `fetch.start` for
// POP3. A DNS query is paired with the answer to the same name and type on the same
// resolver; a failed connection (`smtp.connect_failed`, a `fetch.failed` that never
// connected) with its connect. Hosts are the scenario's (by address or name); records of
// unknown hosts are left out.
#pragma once

#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include "scenarios/model.hpp"
#include "sim/trace_recorder.hpp"

namespace maillab::viz {

struct Exchanges {
  static constexpr std::size_t npos = std::numeric_limits<std::size_t>::max();
  struct Exchange {
    std::size_t in;       // the server's record
    std::size_t out;      // the client's, or npos (lost, in flight, or the client gave up)
    std::size_t connect;  // for a greeting: the connect that asked for it, or npos
  };
  std::vector<Exchange> exchanges;                         // in the order of `in`
  std::vector<std::size_t> orphans;                        // client records with no server record
  std::vector<std::pair<std::size_t, std::size_t>> dns;    // query, answer (or npos)
  std::vector<std::pair<std::size_t, std::size_t>> failed_connects;  // failure, connect (or npos)
  std::vector<std::size_t> waiting_connects;               // connects with no outcome yet
};

// The client and server hosts of a record (smtp.*, pop3.*, dns.*, fetch.*, smtp.connect*),
// by name; "" when it names no host of the scenario.
std::string client_of(const scenario::Scenario& s, const sim::TraceEvent& e);
std::string server_of(const scenario::Scenario& s, const sim::TraceEvent& e);
std::string host_at(const scenario::Scenario& s, const std::string& address);

// Pairs the first `n` events of `trace`.
Exchanges pair_exchanges(const scenario::Scenario& s, const std::vector<sim::TraceEvent>& trace,
                         std::size_t n);

}  // namespace maillab::viz
