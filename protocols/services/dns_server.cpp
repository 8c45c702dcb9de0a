#include "protocols/services/dns_server.hpp"

#include "protocols/dns/message.hpp"

namespace maillab::services {

DnsServer::DnsServer(io::Runtime& rt, std::shared_ptr<const dns::Authority> authority)
    : rt_(rt), authority_(std::move(authority)) {
  rt_.udp_bind(53, [this](const std::string& from, std::uint16_t port, std::string_view bytes) {
    on_datagram(from, port, bytes);
  });
}

DnsServer::~DnsServer() { rt_.udp_unbind(53); }

void DnsServer::on_datagram(const std::string& from, std::uint16_t from_port,
                            std::string_view bytes) {
  std::string reply = authority_->handle(bytes);
  if (reply.empty()) {
    rt_.trace("DNS", "dns.drop", {{"from", from}, {"bytes", std::to_string(bytes.size())}});
    return;
  }
  rt_.udp_send(53, from, from_port, reply);
}

}  // namespace maillab::services
