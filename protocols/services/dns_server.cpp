#include "protocols/services/dns_server.hpp"

#include "protocols/dns/message.hpp"

namespace maillab::services {

namespace agent = io::trace::agent;
namespace ev = io::trace::ev;
namespace key = io::trace::key;

// One TCP connection: length-prefixed queries in, length-prefixed answers out.
struct DnsServer::TcpSession final : io::ConnectionHandler {
  DnsServer& server;
  io::ConnectionPtr conn;
  std::string buffer;
  io::TimerHandle idle = 0;
  TcpSession(DnsServer& s, io::ConnectionPtr c) : server(s), conn(std::move(c)) {}

  void arm() {
    server.rt_.cancel_timer(idle);
    idle = server.rt_.start_timer(kTcpIdle, [this] {
      idle = 0;
      server.end(this, true);
    });
  }
  void on_data(std::string_view bytes) override {
    buffer.append(bytes);
    std::size_t pos = 0;
    std::string out;
    while (buffer.size() - pos >= 2) {
      const std::size_t len =
          (static_cast<unsigned char>(buffer[pos]) << 8) | static_cast<unsigned char>(buffer[pos + 1]);
      if (buffer.size() - pos - 2 < len) break;
      const std::string_view query(buffer.data() + pos + 2, len);
      pos += 2 + len;
      const std::vector<std::string> answers = server.authority_->handle_tcp(query);
      if (answers.empty()) {
        server.rt_.trace(agent::kDns, ev::kDnsDrop,
                         {{key::kFrom, conn->peer_address()}, {key::kBytes, std::to_string(len)}});
        continue;
      }
      for (const std::string& answer : answers) {  // several for a zone transfer
        out += static_cast<char>(answer.size() >> 8);
        out += static_cast<char>(answer.size() & 0xff);
        out += answer;
      }
    }
    buffer.erase(0, pos);
    if (!out.empty()) conn->send(out);
    arm();
  }
  void on_close(io::CloseKind why) override { server.end(this, why == io::CloseKind::kOrderly); }
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
  for (auto& [raw, s] : sessions_) {
    rt_.cancel_timer(s->idle);
    s->conn->set_handler(nullptr);
    s->conn->abort();
  }
}

void DnsServer::accept(io::ConnectionPtr c) {
  auto s = std::make_shared<TcpSession>(*this, std::move(c));
  s->conn->set_handler(s.get());
  s->arm();
  sessions_[s.get()] = std::move(s);
}

void DnsServer::end(TcpSession* s, bool orderly) {
  auto it = sessions_.find(s);
  if (it == sessions_.end()) return;
  std::shared_ptr<TcpSession> session = std::move(it->second);
  sessions_.erase(it);
  rt_.cancel_timer(session->idle);
  session->conn->set_handler(nullptr);
  if (orderly) session->conn->close();
  // Released from a fresh event, never inside one of its own callbacks.
  rt_.start_timer(0, [session] {});
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
