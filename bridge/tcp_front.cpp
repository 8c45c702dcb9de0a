#include "bridge/tcp_front.hpp"

#include "bridge/asio_connection.hpp"
#include "bridge/server.hpp"

namespace maillab::bridge {

namespace agent = io::trace::agent;
namespace ev = io::trace::ev;
namespace key = io::trace::key;

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

TcpFront::TcpFront(Server& server, ListenSpec spec)
    : server_(server), spec_(std::move(spec)), acceptor_(server.io()), retry_(server.io()) {}

bool TcpFront::open(std::string* error) {
  error_code ec;
  tcp::endpoint ep(asio::ip::make_address(spec_.at.address, ec), spec_.at.port);
  if (!ec) acceptor_.open(ep.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(ep, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    *error = "cannot listen on " + spec_.at.str() + " for " + spec_.host + " " +
             std::string(scenario::service_name(spec_.service)) + ": " + ec.message();
    acceptor_.close(ec);
    return false;
  }
  accept();
  return true;
}

void TcpFront::close() {
  closed_ = true;
  error_code ec;
  acceptor_.close(ec);
  retry_.cancel();
}

RealEndpoint TcpFront::local() const {
  error_code ec;
  auto ep = acceptor_.local_endpoint(ec);
  return RealEndpoint{spec_.at.address, ec ? spec_.at.port : ep.port()};
}

void TcpFront::accept() {
  if (closed_) return;
  acceptor_.async_accept(peer_, [this](const error_code& ec, tcp::socket socket) {
    if (closed_ || ec == asio::error::operation_aborted) return;
    if (ec) {
      // Out of descriptors, a connection reset before accept, ...: never fatal.
      server_.log("accept on " + spec_.at.str() + ": " + ec.message());
      retry_.expires_after(std::chrono::milliseconds(50));
      retry_.async_wait([this](const error_code& e) {
        if (!e) accept();
      });
      return;
    }
    on_accept(std::move(socket), peer_);
    accept();
  });
}

void TcpFront::on_accept(tcp::socket socket, const tcp::endpoint& peer_ep) {
  if (server_.stopping()) {
    error_code ec;
    socket.close(ec);
    return;
  }
  scenario::HostNode* host = server_.world().host(spec_.host);
  const std::uint16_t port = virtual_port(spec_.service);
  if (peer_ep.address() != last_peer_ || last_peer_text_.empty()) {
    last_peer_ = peer_ep.address();  // clients mostly come from one address: format it once
    last_peer_text_ = AsioConnection::address_text(last_peer_);
  }
  auto conn = std::make_shared<AsioConnection>(std::move(socket), port, last_peer_text_,
                                               peer_ep.port());
  auto& rt = *host->runtime;
  // Only for the trace: not built when nothing is recorded (a long serve without --trace).
  std::string peer, service;
  if (rt.tracing()) {
    peer = conn->peer_address() + ":" + std::to_string(conn->peer_port());
    service = scenario::service_name(spec_.service);
  }
  if (!host->up) {
    // A dead machine answers nothing; the client's own timeout decides.
    if (server_.limbo_room()) {
      rt.trace(agent::kNet, ev::kBridgeUnanswered, {{key::kPeer, peer}, {key::kService, service}});
      server_.track(conn, spec_.host, true);
      conn->to_limbo();
    } else {
      conn->reset();
    }
    return;
  }
  if (!rt.accepting(port)) {
    rt.trace(agent::kNet, ev::kBridgeRefused, {{key::kPeer, peer}, {key::kService, service}});
    conn->reset();
    return;
  }
  // When the host crashes, its services abort their sessions: silence, not a RST.
  conn->set_dead_host([host] { return !host->up; });
  rt.trace(agent::kNet, ev::kBridgeAccept, {{key::kPeer, peer}, {key::kService, service}});
  server_.track(conn, spec_.host, true);
  {
    auto scope = conn->engine_call();
    rt.accept_external(port, conn);
  }
  conn->start();
}

}  // namespace maillab::bridge
