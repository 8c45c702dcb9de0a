// services::DnsServer: an authoritative DNS server on UDP port 53 of its host, answering
// from dns::Authority (RFC 1034 4.3.2). Every query and answer goes into the trace.
#pragma once

#include <memory>

#include "protocols/dns/authority.hpp"
#include "protocols/io/runtime.hpp"

namespace maillab::services {

class DnsServer {
 public:
  DnsServer(io::Runtime& rt, std::shared_ptr<const dns::Authority> authority);
  ~DnsServer();
  DnsServer(const DnsServer&) = delete;
  DnsServer& operator=(const DnsServer&) = delete;

 private:
  void on_datagram(const std::string& from, std::uint16_t from_port, std::string_view bytes);

  io::Runtime& rt_;
  std::shared_ptr<const dns::Authority> authority_;
};

}  // namespace maillab::services
