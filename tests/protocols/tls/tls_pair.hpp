// Test support for tests/protocols/tls: a small world (its CA, one server host, one client
// host) and a pump that carries bytes between a client and a server Session in memory,
// recording the wire, as h11's ConnectionPair does for engines.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "protocols/tls/certificate_authority.hpp"
#include "protocols/tls/context.hpp"
#include "protocols/tls/library_context.hpp"
#include "protocols/tls/session.hpp"

namespace maillab::tls::test {

// The simulation's time 0 (protocols/message/date.hpp): 2026-03-02T09:00:00Z.
inline constexpr UnixTime kStart = 1772442000;

struct World {
  std::shared_ptr<LibraryContext> lib;
  CertificateAuthority ca;
  std::shared_ptr<const Credentials> credentials;
  ServerContext server;
  ClientContext client;

  explicit World(std::uint64_t seed, CertificateKind kind = CertificateKind::kValid,
                 std::vector<std::string> names = {"mx.b.example", "mail.b.example"})
      : lib(LibraryContext::deterministic(seed)),
        ca(LibraryContext::deterministic(seed, "ca"), kStart),
        credentials(ca.issue(names, kind)),
        server(lib, *credentials),
        client(lib, ca.certificate_pem()) {}
};

inline ClientParams params_for(const std::string& name, std::string cache_key = "mx.b.example:25") {
  return ClientParams{name, {name}, std::move(cache_key)};
}

struct Wire {
  std::string to_server;
  std::string to_client;
};

// Moves output between the two until both are quiet. Returns false when a receive failed.
inline bool pump(Session& client, Session& server, Wire* wire = nullptr) {
  bool ok = true;
  for (int round = 0; round < 64; ++round) {
    bool moved = false;
    if (!client.output().empty()) {
      const std::string out = client.take_output();
      if (wire) wire->to_server += out;
      ok = server.receive(out) == Status::kOk && ok;
      moved = true;
    }
    if (!server.output().empty()) {
      const std::string out = server.take_output();
      if (wire) wire->to_client += out;
      ok = client.receive(out) == Status::kOk && ok;
      moved = true;
    }
    if (!moved) break;
  }
  return ok;
}

}  // namespace maillab::tls::test
