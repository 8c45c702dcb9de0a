// viz::message_path: every trace event that is part of one message's way through the lab,
// for following it (the visualiser's highlight and "next step of this message", the text
// timeline's --message filter, the inspector's "where it is now" to the very end):
// - its submission: compose, the MUA's SMTP session with its MSA (both sides), submit.*;
// - on each hop (host + queue id): the queue's events, routing, the SMTP sessions of every
//   attempt (the MTA's side carries the queue id; the next hop's side is paired with it),
//   the DNS lookups the host made between the attempt's start and its first connection,
//   local delivery, and the DSN it caused;
// - its retrieval: each POP3 session of the recipient on the delivering host, after the
//   delivery, that downloaded messages, until one deletes them (the lab's POP3 client
//   downloads every message of the maildrop, so the session downloaded this one);
// - the journey of a DSN about it (dsn_about), when asked.
// Approximation: two messages relayed by one host in the same instant share its DNS lookups.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "viz/exchanges.hpp"
#include "viz/journey.hpp"

namespace maillab::viz {

struct Retrieval {
  std::string client, server, user;
  Time t = 0;            // the end of the POP3 session (fetch.done)
  bool deleted = false;  // DELE and QUIT: it left the maildrop
};

struct MessagePath {
  std::vector<std::size_t> events;  // trace indexes, ascending
  std::vector<Retrieval> retrievals;
  bool contains(std::size_t i) const;
};

MessagePath message_path(const std::vector<Journey>& journeys, std::size_t which,
                         const scenario::Scenario& s, const std::vector<sim::TraceEvent>& trace,
                         const Exchanges& x, Time end, bool with_dsn = true);

// The journeys a message id names: a Message-ID (with or without <>), or a queue id on any
// host; npos-free, empty when none does.
std::vector<std::size_t> journeys_named(const std::vector<Journey>& journeys,
                                        const std::vector<sim::TraceEvent>& trace,
                                        const std::string& id);

}  // namespace maillab::viz
