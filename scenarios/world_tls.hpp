// scenario::WorldTls: the TLS a world holds (docs/tls.md "What a world holds"): one library
// context seeded from the run seed (so handshakes are the same bytes every run), the lab's
// CA, and per host with `tls` its certificate and a server context; every host gets a
// client context trusting the CA when it first asks. Made once at load time, never per
// connection; it survives host crashes (certificates are on the host's "disk" in spirit).
//
// Invariants: the contexts outlive every service of the world (the World destroys its
// hosts first); a world without any `tls` host makes no CA (nothing costs anything).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "protocols/tls/certificate_authority.hpp"
#include "protocols/tls/context.hpp"
#include "protocols/tls/library_context.hpp"
#include "scenarios/model.hpp"

namespace maillab::scenario {

class WorldTls {
 public:
  WorldTls(const Scenario& sc, std::uint64_t seed);

  // The host's server context; nullptr when it has no `tls`.
  tls::ServerContext* server(const std::string& host);
  // The host's client context (trusting the lab CA); nullptr in a world without TLS.
  tls::ClientContext* client(const std::string& host);
  // The lab CA's certificate (PEM), "" without TLS.
  std::string ca_pem() const;
  // Every context, made or still to come, reports its sessions' secrets to `fn` (the NSS
  // key log lines, without line ends): `run --keylog FILE`.
  void set_key_log(tls::KeyLogFn fn);

 private:
  struct HostTls {
    std::shared_ptr<const tls::Credentials> credentials;
    std::unique_ptr<tls::ServerContext> server;
    std::unique_ptr<tls::ClientContext> client;
  };
  std::shared_ptr<tls::LibraryContext> lib_;
  std::unique_ptr<tls::CertificateAuthority> ca_;
  std::map<std::string, HostTls> hosts_;
  tls::KeyLogFn key_log_;
};

}  // namespace maillab::scenario
