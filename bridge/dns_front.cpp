#include "bridge/dns_front.hpp"

#include "bridge/server.hpp"

namespace maillab::bridge {

namespace asio = boost::asio;
using asio::ip::udp;
using boost::system::error_code;

namespace {

constexpr std::size_t kMaxUdpPeers = 4096;

std::string plain(const asio::ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6()).to_string();
  }
  return a.to_string();
}

}  // namespace

DnsFront::DnsFront(Server& server, ListenSpec spec)
    : server_(server), spec_(std::move(spec)), udp_(server.io()) {}

DnsFront::~DnsFront() { close(); }

bool DnsFront::open(std::string* error) {
  // With a port of 0 the system chooses UDP's port, and that number may be taken for TCP
  // (by another listener or an outgoing connection's ephemeral port): choose again, a few
  // times, until one number is free for both. A port the user named is tried once.
  const bool chosen = spec_.at.port == 0;
  const int attempts = chosen ? 32 : 1;
  std::string why;
  for (int i = 0; i < attempts; ++i) {
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
    // TCP on the port UDP got, served by the virtual DNS server's own TCP listener, as
    // smtp and pop3 are.
    ListenSpec tcp_spec = spec_;
    tcp_spec.at.port = udp_.local_endpoint(ec).port();
    tcp_ = std::make_unique<TcpFront>(server_, tcp_spec);
    why.clear();
    if (tcp_->open(&why)) break;
    tcp_.reset();
    if (i + 1 < attempts) udp_.close(ec);
  }
  if (!tcp_) server_.log("DNS over TCP not available on " + local().str() + ": " + why);
  receive();
  return true;
}

void DnsFront::close() {
  closed_ = true;
  error_code ec;
  udp_.close(ec);
  if (tcp_) tcp_->close();
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

bool DnsFront::deliver(const std::string& from, std::uint16_t from_port, std::string_view message) {
  scenario::HostNode* host = server_.world().host(spec_.host);
  if (!host || !host->up) return false;
  return host->runtime->deliver_datagram(53, from, from_port, message);
}

bool DnsFront::reply(const std::string& to, std::uint16_t to_port, std::string_view bytes) {
  if (closed_) return false;
  auto it = udp_peers_.find({to, to_port});
  if (it == udp_peers_.end()) return false;
  auto data = std::make_shared<std::string>(bytes);
  udp_.async_send_to(asio::buffer(*data), it->second, [data](const error_code&, std::size_t) {});
  return true;
}

}  // namespace maillab::bridge
