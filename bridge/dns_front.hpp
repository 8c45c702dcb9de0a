// bridge::DnsFront: a virtual host's DNS service on a real address: UDP datagrams go to
// the handler the host bound with io::Runtime::udp_bind(53) (SimRuntime::deliver_datagram)
// and its replies (io::Runtime::udp_send to the real sender) come back through reply().
// DNS over TCP (RFC 1035 4.2.2, RFC 7766) on the same address and port: a TcpFront hands
// each connection to the virtual DNS server's TCP listener (services::DnsServer frames
// the messages and answers up to 65,535 octets, as in the simulation).
// No handler bound (host down, `refuse: dns`): no answer over UDP, as from a dead server;
// over TCP a down host is silent and a refused service resets (TcpFront).
#pragma once

#include <array>
#include <boost/asio/ip/udp.hpp>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "bridge/serve_options.hpp"
#include "bridge/tcp_front.hpp"

namespace maillab::bridge {

class Server;

class DnsFront {
 public:
  DnsFront(Server& server, ListenSpec spec);
  ~DnsFront();
  bool open(std::string* error);  // UDP is required; TCP on the same port if it can be bound
  void close();
  RealEndpoint local() const;
  bool tcp_open() const { return tcp_ != nullptr; }
  const std::string& host() const { return spec_.host; }

  // A reply from the virtual DNS server to a real peer; false if that peer is not ours.
  bool reply(const std::string& to, std::uint16_t to_port, std::string_view bytes);

 private:
  void receive();
  bool deliver(const std::string& from, std::uint16_t from_port, std::string_view message);

  Server& server_;
  ListenSpec spec_;
  boost::asio::ip::udp::socket udp_;
  std::unique_ptr<TcpFront> tcp_;
  std::array<char, 65536> buf_{};
  boost::asio::ip::udp::endpoint sender_;
  using PeerKey = std::pair<std::string, std::uint16_t>;
  std::map<PeerKey, boost::asio::ip::udp::endpoint> udp_peers_;
  bool closed_ = false;
};

}  // namespace maillab::bridge
