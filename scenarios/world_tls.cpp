// scenario::WorldTls (world_tls.hpp).
#include "scenarios/world_tls.hpp"

#include <algorithm>

#include "protocols/message/date.hpp"

namespace maillab::scenario {

WorldTls::WorldTls(const Scenario& sc, std::uint64_t seed) {
  const bool any = std::any_of(sc.hosts.begin(), sc.hosts.end(), [](const Host& h) { return h.tls.has_value(); });
  if (!any) return;
  lib_ = tls::LibraryContext::deterministic(seed);
  // Certificates are dated from the run's start (the simulation's time 0).
  ca_ = std::make_unique<tls::CertificateAuthority>(tls::LibraryContext::deterministic(seed, "ca"),
                                                    message::unix_seconds(0));
  for (const Host& h : sc.hosts) {  // in file order: the CA's serials follow it
    if (!h.tls) continue;
    HostTls& t = hosts_[h.name];
    const auto kind = tls::parse_certificate_kind(h.tls->certificate).value_or(tls::CertificateKind::kValid);
    t.credentials = ca_->issue(h.tls->names, kind);
    t.server = std::make_unique<tls::ServerContext>(lib_, *t.credentials);
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

void WorldTls::set_key_log(tls::KeyLogFn fn) {
  key_log_ = std::move(fn);
  for (auto& [name, t] : hosts_) {
    if (t.server) t.server->set_key_log(key_log_);
    if (t.client) t.client->set_key_log(key_log_);
  }
}

std::string WorldTls::ca_pem() const { return ca_ ? ca_->certificate_pem() : std::string(); }

}  // namespace maillab::scenario
