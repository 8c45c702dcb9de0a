#include "bridge/dns_front.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include "bridge/server.hpp"

namespace maillab::bridge {

namespace asio = boost::asio;
using asio::ip::tcp;
using asio::ip::udp;
using boost::system::error_code;

namespace {

constexpr std::size_t kMaxUdpPeers = 4096;
constexpr auto kTcpIdle = std::chrono::seconds(30);  // RFC 7766 6.2.3 suggests seconds

std::string plain(const asio::ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6()).to_string();
  }
  return a.to_string();
}

}  // namespace

// One DNS-over-TCP client: frames in, frames out, closed when idle or when the peer goes.
class DnsTcpSession : public std::enable_shared_from_this<DnsTcpSession> {
 public:
  DnsTcpSession(DnsFront& front, tcp::socket s)
      : front_(front), socket_(std::move(s)), idle_(socket_.get_executor()) {
    error_code ec;
    auto ep = socket_.remote_endpoint(ec);
    if (!ec) {
      address_ = plain(ep.address());
      port_ = ep.port();
    }
  }
  const std::string& address() const { return address_; }
  std::uint16_t port() const { return port_; }

  void start() {
    arm_idle();
    read();
  }
  void send(std::string_view message) {
    if (closed_ || message.size() > 65535) return;
    out_ += static_cast<char>(message.size() >> 8);
    out_ += static_cast<char>(message.size() & 0xff);
    out_.append(message);
    if (!writing_) write();
  }
  void close() {
    if (closed_) return;
    closed_ = true;
    idle_.cancel();
    error_code ec;
    socket_.close(ec);
  }

 private:
  void arm_idle() {
    idle_.expires_after(kTcpIdle);
    idle_.async_wait([self = shared_from_this()](const error_code& ec) {
      if (!ec) self->finish();
    });
  }
  void read() {
    if (closed_) return;
    socket_.async_read_some(asio::buffer(buf_), [self = shared_from_this()](const error_code& ec,
                                                                          std::size_t n) {
      if (self->closed_) return;
      if (ec) {
        self->finish();
        return;
      }
      self->in_.append(self->buf_.data(), n);
      self->arm_idle();
      while (self->in_.size() >= 2) {
        std::size_t len = (static_cast<unsigned char>(self->in_[0]) << 8) |
                          static_cast<unsigned char>(self->in_[1]);
        if (self->in_.size() < 2 + len) break;
        std::string msg = self->in_.substr(2, len);
        self->in_.erase(0, 2 + len);
        self->front_.query(self, msg);
        if (self->closed_) return;
      }
      self->read();
    });
  }
  void write() {
    writing_ = true;
    sending_.swap(out_);
    out_.clear();
    asio::async_write(socket_, asio::buffer(sending_), [self = shared_from_this()](
                                                           const error_code& ec, std::size_t) {
      self->writing_ = false;
      self->sending_.clear();
      if (self->closed_) return;
      if (ec) {
        self->finish();
        return;
      }
      if (!self->out_.empty()) self->write();
    });
  }
  void finish() {
    if (closed_) return;  // closed by the front (which may be gone by now)
    close();
    front_.forget(shared_from_this());
  }

  DnsFront& front_;
  tcp::socket socket_;
  asio::steady_timer idle_;
  std::array<char, 4096> buf_{};
  std::string in_, out_, sending_;
  std::string address_;
  std::uint16_t port_ = 0;
  bool writing_ = false;
  bool closed_ = false;
};

DnsFront::DnsFront(Server& server, ListenSpec spec)
    : server_(server), spec_(std::move(spec)), udp_(server.io()), tcp_(server.io()) {}

DnsFront::~DnsFront() { close(); }

bool DnsFront::open(std::string* error) {
  error_code ec;
  auto addr = asio::ip::make_address(spec_.at.address, ec);
  udp::endpoint uep(addr, spec_.at.port);
  if (!ec) udp_.open(uep.protocol(), ec);
  if (!ec) udp_.bind(uep, ec);
  if (ec) {
    *error = "cannot bind UDP " + spec_.at.str() + " for " + spec_.host + " dns: " + ec.message();
    udp_.close(ec);
    return false;
  }
  // TCP on the port UDP got (which may have been chosen by the system).
  tcp::endpoint tep(addr, udp_.local_endpoint(ec).port());
  error_code tec;
  tcp_.open(tep.protocol(), tec);
  if (!tec) tcp_.set_option(asio::socket_base::reuse_address(true), tec);
  if (!tec) tcp_.bind(tep, tec);
  if (!tec) tcp_.listen(asio::socket_base::max_listen_connections, tec);
  if (tec) {
    server_.log("DNS over TCP not available on " + local().str() + ": " + tec.message());
    tcp_.close(tec);
  } else {
    accept();
  }
  receive();
  return true;
}

void DnsFront::close() {
  closed_ = true;
  error_code ec;
  udp_.close(ec);
  tcp_.close(ec);
  auto sessions = std::move(sessions_);
  sessions_.clear();
  for (auto& s : sessions) s->close();
  tcp_peers_.clear();
}

RealEndpoint DnsFront::local() const {
  error_code ec;
  auto ep = udp_.local_endpoint(ec);
  return RealEndpoint{spec_.at.address, ec ? spec_.at.port : ep.port()};
}

void DnsFront::receive() {
  if (closed_) return;
  udp_.async_receive_from(asio::buffer(buf_), sender_, [this](const error_code& ec, std::size_t n) {
    if (closed_ || ec == asio::error::operation_aborted) return;
    if (!ec && !server_.stopping()) {
      std::string from = plain(sender_.address());
      std::uint16_t port = sender_.port();
      if (udp_peers_.size() >= kMaxUdpPeers) udp_peers_.clear();
      udp_peers_[{from, port}] = sender_;
      deliver(from, port, std::string_view(buf_.data(), n));
    }
    // Errors on a UDP socket (an ICMP unreachable from an earlier reply) are not fatal.
    receive();
  });
}

void DnsFront::accept() {
  if (closed_) return;
  tcp_.async_accept([this](const error_code& ec, tcp::socket s) {
    if (closed_ || ec == asio::error::operation_aborted) return;
    if (!ec && !server_.stopping()) {
      auto session = std::make_shared<DnsTcpSession>(*this, std::move(s));
      sessions_.insert(session);
      session->start();
    }
    accept();
  });
}

bool DnsFront::deliver(const std::string& from, std::uint16_t from_port, std::string_view message) {
  scenario::HostNode* host = server_.world().host(spec_.host);
  if (!host || !host->up) return false;
  return host->runtime->deliver_datagram(53, from, from_port, message);
}

void DnsFront::query(const std::shared_ptr<DnsTcpSession>& from, std::string_view message) {
  tcp_peers_[{from->address(), from->port()}] = from;
  deliver(from->address(), from->port(), message);
}

void DnsFront::forget(const std::shared_ptr<DnsTcpSession>& session) {
  tcp_peers_.erase({session->address(), session->port()});
  sessions_.erase(session);
}

bool DnsFront::reply(const std::string& to, std::uint16_t to_port, std::string_view bytes) {
  if (closed_) return false;
  if (auto it = tcp_peers_.find({to, to_port}); it != tcp_peers_.end()) {
    if (auto s = it->second.lock()) {
      s->send(bytes);
      return true;
    }
    tcp_peers_.erase(it);
  }
  auto it = udp_peers_.find({to, to_port});
  if (it == udp_peers_.end()) return false;
  auto data = std::make_shared<std::string>(bytes);
  udp_.async_send_to(asio::buffer(*data), it->second, [data](const error_code&, std::size_t) {});
  return true;
}

}  // namespace maillab::bridge
