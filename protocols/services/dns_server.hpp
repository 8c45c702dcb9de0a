// services::DnsServer: an authoritative DNS server on port 53 of its host, answering from
// dns::Authority (RFC 1034 4.3.2): over UDP (answers up to 512 octets, TC set beyond) and
// over TCP (RFC 1035 4.2.2, RFC 7766: several length-prefixed queries per connection,
// answered in order, up to 65,535 octets; a connection idle for 10 s is closed): the
// dns::TcpServerSession engine under a SessionDriver, so a client that pipelines queries
// and never reads is held back like any other (backpressure). Dropped queries go into the
// trace.
#pragma once

#include <memory>
#include <set>

#include "protocols/dns/authority.hpp"
#include "protocols/io/runtime.hpp"

namespace maillab::services {

class DnsServer {
 public:
  DnsServer(io::Runtime& rt, std::shared_ptr<const dns::Authority> authority);
  ~DnsServer();
  DnsServer(const DnsServer&) = delete;
  DnsServer& operator=(const DnsServer&) = delete;

  static constexpr io::Time kTcpIdle = 10'000'000'000;  // RFC 7766 6.2.3: seconds

 private:
  struct TcpSession;
  void on_datagram(const std::string& from, std::uint16_t from_port, std::string_view bytes);
  void accept(io::ConnectionPtr c);

  io::Runtime& rt_;
  std::shared_ptr<const dns::Authority> authority_;
  std::set<std::shared_ptr<TcpSession>> sessions_;
  // The TCP listener outlives this server in the runtime (io::Runtime has no unlisten):
  // it checks this token and resets connections once the server is gone.
  std::shared_ptr<DnsServer*> self_;
};

}  // namespace maillab::services
