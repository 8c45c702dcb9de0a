// bridge::TcpFront: one real TCP listening socket for one virtual host's smtp, submission
// pop3 or imap service (--listen). Each accepted socket becomes an AsioConnection handed to the
// listener the host registered with io::Runtime::listen() for the service's virtual port
// (SimRuntime::accept_external): the same service object as in the simulation.
// Host down: the socket is kept open and silent (limbo). Port refused or no listener: RST.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <string>

#include "bridge/serve_options.hpp"

namespace maillab::bridge {

class Server;

class TcpFront {
 public:
  TcpFront(Server& server, ListenSpec spec);
  bool open(std::string* error);  // bind + listen; then accepts until close()
  void close();
  RealEndpoint local() const;

 private:
  void accept();
  void on_accept(boost::asio::ip::tcp::socket socket, const boost::asio::ip::tcp::endpoint& peer);

  Server& server_;
  ListenSpec spec_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_;  // after EMFILE and the like: try again shortly
  boost::asio::ip::tcp::endpoint peer_;  // filled in by the accept in progress
  boost::asio::ip::address last_peer_;   // the last peer address, and its text
  std::string last_peer_text_;
  bool closed_ = false;
};

}  // namespace maillab::bridge
