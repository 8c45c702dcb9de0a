// tls::pump: carries bytes between two Sessions in memory (a client and a server) until
// both are quiet, as h11's ConnectionPair does for engines. For tests, the fuzz target
// and `maillab bench tls`: the lab itself always has a connection in between.
#pragma once

#include <string>

#include "protocols/tls/session.hpp"

namespace maillab::tls {

// What crossed the wire, each direction in order.
struct Wire {
  std::string to_server;
  std::string to_client;
};

// Returns false when a receive failed (the failing session's error() says why); the other
// side's output (an alert) is still delivered.
inline bool pump(Session& client, Session& server, Wire* wire = nullptr) {
  bool ok = true;
  for (int round = 0; round < 64; ++round) {
    bool moved = false;
    if (!client.output().empty()) {
      if (wire) wire->to_server += client.output();
      ok = server.receive(client.output()) == Status::Ok && ok;
      client.clear_output();
      moved = true;
    }
    if (!server.output().empty()) {
      if (wire) wire->to_client += server.output();
      ok = client.receive(server.output()) == Status::Ok && ok;
      server.clear_output();
      moved = true;
    }
    if (!moved) break;
  }
  return ok;
}

}  // namespace maillab::tls
