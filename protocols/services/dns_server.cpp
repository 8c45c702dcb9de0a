#include "protocols/services/dns_server.hpp"

#include <chrono>

#include "protocols/dns/tcp_server_session.hpp"
#include "protocols/services/session_driver.hpp"

namespace maillab::services {

namespace agent = io::trace::agent;
namespace ev = io::trace::ev;
namespace key = io::trace::key;

// One TCP connection: the engine under its driver.
struct DnsServer::TcpSession {
  std::shared_ptr<SessionDriver<dns::TcpServerSession>> driver;
};

DnsServer::DnsServer(io::Runtime& rt, std::shared_ptr<const dns::Authority> authority)
    : rt_(rt), authority_(std::move(authority)), self_(std::make_shared<DnsServer*>(this)) {
  rt_.udp_bind(53, [this](const std::string& from, std::uint16_t port, std::string_view bytes) {
    on_datagram(from, port, bytes);
  });
  std::weak_ptr<DnsServer*> self = self_;
  rt_.listen(53, [self](io::ConnectionPtr c) {
    if (auto s = self.lock()) {
      (*s)->accept(std::move(c));
    } else {
      c->abort();  // the server is gone (a `refuse: dns` also refuses the port itself)
    }
  });
}

DnsServer::~DnsServer() {
  rt_.udp_unbind(53);
  self_.reset();  // the sessions' finish callbacks check it
  for (auto& s : sessions_) s->driver->abort();
}

void DnsServer::accept(io::ConnectionPtr c) {
  auto s = std::make_shared<TcpSession>();
  const std::string peer = c->peer_address();
  auto on_drop = [this, peer](std::size_t len) {
    rt_.trace(agent::kDns, ev::kDnsDrop, {{key::kFrom, peer}, {key::kBytes, std::to_string(len)}});
  };
  s->driver = std::make_shared<SessionDriver<dns::TcpServerSession>>(
      rt_, std::move(c), *authority_, std::chrono::milliseconds(kTcpIdle / 1'000'000), std::move(on_drop));
  sessions_.insert(s);
  std::weak_ptr<DnsServer*> self = self_;
  std::weak_ptr<TcpSession> weak = s;
  s->driver->start([this, self, weak](io::CloseKind) {
    // Released from a fresh event, never inside one of its own callbacks.
    if (self.expired()) return;
    if (auto keep = weak.lock()) rt_.start_timer(0, [this, self, keep] {
      if (!self.expired()) sessions_.erase(keep);
    });
  });
}

void DnsServer::on_datagram(const std::string& from, std::uint16_t from_port,
                            std::string_view bytes) {
  std::string reply = authority_->handle(bytes);
  if (reply.empty()) {
    rt_.trace(agent::kDns, ev::kDnsDrop, {{key::kFrom, from}, {key::kBytes, std::to_string(bytes.size())}});
    return;
  }
  rt_.udp_send(53, from, from_port, reply);
}

}  // namespace maillab::services
