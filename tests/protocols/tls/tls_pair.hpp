// Test support for tests/protocols/tls: a small world (its CA, one server host, one client
// host); tls::pump (session_pair.hpp) carries the bytes between two sessions.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "protocols/tls/certificate_authority.hpp"
#include "protocols/tls/context.hpp"
#include "protocols/tls/library_context.hpp"
#include "protocols/tls/session.hpp"
#include "protocols/tls/session_pair.hpp"

namespace maillab::tls::test {

// The simulation's time 0 (protocols/message/date.hpp): 2026-03-02T09:00:00Z.
inline constexpr UnixTime kStart = 1772442000;

struct World {
  std::shared_ptr<LibraryContext> lib;
  CertificateAuthority ca;
  std::shared_ptr<const Credentials> credentials;
  ServerContext server;
  ClientContext client;

  explicit World(std::uint64_t seed, CertificateKind kind = CertificateKind::Valid,
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

}  // namespace maillab::tls::test
