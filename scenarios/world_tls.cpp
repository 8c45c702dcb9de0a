// scenario::WorldTls (world_tls.hpp).
#include "scenarios/world_tls.hpp"

#include <algorithm>

#include "protocols/message/date.hpp"

namespace maillab::scenario {

WorldTls::WorldTls(const Scenario& sc, std::uint64_t seed, bool system_random, tls::KeyLogFn key_log)
    : key_log_(std::move(key_log)) {
  const bool any = std::any_of(sc.hosts.begin(), sc.hosts.end(), [](const Host& h) { return h.tls.has_value(); });
  if (!any) return;
  lib_ = system_random ? tls::LibraryContext::system() : tls::LibraryContext::deterministic(seed);
  // Certificates are dated from the run's start (the simulation's time 0; in the bridge
  // too, whose clock also starts there, and which real clients' wall clocks fall in).
  ca_ = std::make_unique<tls::CertificateAuthority>(
      system_random ? tls::LibraryContext::system() : tls::LibraryContext::deterministic(seed, "ca"),
      message::unix_seconds(0));
  for (const Host& h : sc.hosts) {  // in file order: the CA's serials follow it
    if (!h.tls) continue;
    HostTls& t = hosts_[h.name];
    const auto kind = tls::parse_certificate_kind(h.tls->certificate).value_or(tls::CertificateKind::Valid);
    t.credentials = ca_->issue(h.tls->names, kind);
    t.server = std::make_unique<tls::ServerContext>(lib_, *t.credentials);
    if (key_log_) t.server->set_key_log(key_log_);
  }
}

tls::ServerContext* WorldTls::server(const std::string& host) {
  auto it = hosts_.find(host);
  return it == hosts_.end() ? nullptr : it->second.server.get();
}

tls::ClientContext* WorldTls::client(const std::string& host) {
  if (!ca_) return nullptr;
  HostTls& t = hosts_[host];
  if (!t.client) {
    t.client = std::make_unique<tls::ClientContext>(lib_, ca_->certificate_pem());
    if (key_log_) t.client->set_key_log(key_log_);
  }
  return t.client.get();
}

std::string WorldTls::ca_pem() const { return ca_ ? ca_->certificate_pem() : std::string(); }

}  // namespace maillab::scenario
