// bridge::HttpFront: the listening socket of `maillab serve --http ADDR:PORT` (cli.md "The
// lab over HTTP"). Each accepted socket becomes an AsioConnection driven by
// services::SessionDriver<http::ServerSession> (the same glue as the mail services), with
// the REST API (bridge/http_api.hpp) behind it; timers in real time (WallRuntime).
//
// The live stream (GET /api/v1/stream, Server-Sent Events): a tick every 100 ms sends each
// streaming client the trace events it has not seen (`id:` = the event's place, so
// `Last-Event-ID` or `?since=N` resumes), and a comment every 15 s so that a vanished
// client is noticed. A client that reads nothing while more than kMaxStreamUnsent waits
// for it is dropped: the lab does not buffer for it.
//
// A page on another site cannot use the API: no CORS headers are sent (its scripts cannot
// read answers), the POSTs want application/json and DELETE is no form method (both need
// a preflight that is never granted), and the Host must name loopback (no DNS rebinding).
//
// Limits (bounded memory per connection): header 16 KiB, body 1 MiB (http::ServerConfig),
// at most kMaxClients connections (beyond: reset at accept). Shutdown: when the Server
// stops, the listener closes and streams end; close() aborts what is left.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <map>
#include <memory>

#include "bridge/http_api.hpp"
#include "bridge/serve_options.hpp"
#include "bridge/wall_runtime.hpp"

namespace maillab::bridge {

class Server;

inline constexpr std::size_t kMaxHttpClients = 512;
inline constexpr std::size_t kMaxStreamUnsent = 1u << 20;

class HttpFront {
 public:
  HttpFront(Server& server, RealEndpoint at);
  ~HttpFront();
  HttpFront(const HttpFront&) = delete;
  HttpFront& operator=(const HttpFront&) = delete;

  bool open(std::string* error);  // bind + listen; then accepts until close()
  RealEndpoint local() const;
  void close();                   // stop accepting, abort every connection
  std::size_t clients() const { return clients_.size(); }
  HttpApi& api() { return api_; }
  // DNS rebinding: without --allow-nonlocal, only a Host that names this machine's loopback
  // (127.x.y.z, localhost, [::1], with any port) is answered; anything else gets 421.
  bool host_allowed(std::string_view host) const;

 private:
  struct Client;
  void accept();
  void on_accept(boost::asio::ip::tcp::socket socket);
  void tick();

  Server& server_;
  RealEndpoint at_;
  WallRuntime rt_;
  HttpApi api_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer ticker_, retry_;
  std::map<Client*, std::shared_ptr<Client>> clients_;
  int ticks_ = 0;
  bool closed_ = false;
};

}  // namespace maillab::bridge
