// Test support for tests/protocols/mua: a ClockRuntime (tests/support/clock_runtime.hpp)
// that is both ends of every connection, so a user agent and the lab's own server engines
// (listening on it) talk in memory. Bytes sent arrive from a fresh event, in order; a
// close reaches the peer after the bytes before it. No simulator, no sockets.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "protocols/io/runtime.hpp"
#include "tests/support/clock_runtime.hpp"

namespace maillab::mua::test {

class LoopRuntime : public maillab::test::ClockRuntime {
 public:
  LoopRuntime() : ClockRuntime("client.test", "192.0.2.99") {}
  void listen(std::uint16_t port, std::function<void(io::ConnectionPtr)> on_accept) override {
    listeners_[port] = std::move(on_accept);
  }
  void connect(const std::string& address, std::uint16_t port, io::Time timeout,
               std::function<void(io::ConnectStatus, io::ConnectionPtr)> done) override {
    auto l = listeners_.find(port);
    if (l == listeners_.end()) return ClockRuntime::connect(address, port, timeout, std::move(done));
    auto client = std::make_shared<Pipe>(*this, port, true);
    auto server = std::make_shared<Pipe>(*this, port, false);
    client->peer = server;
    server->peer = client;
    start_timer(0, [accept = l->second, server, client, done = std::move(done)] {
      accept(server);
      done(io::ConnectStatus::Connected, client);
    });
  }
  std::vector<std::string> client_sent;  // every send() of a client end, in order

 private:
  struct Pipe : io::Connection, std::enable_shared_from_this<Pipe> {
    Pipe(LoopRuntime& r, std::uint16_t p, bool c) : rt(r), port(p), client(c) {}
    LoopRuntime& rt;
    std::uint16_t port;
    bool client;
    std::weak_ptr<Pipe> peer;
    io::ConnectionHandler* handler = nullptr;
    bool closed = false;
    void set_handler(io::ConnectionHandler* h) override { handler = h; }
    void send(std::string_view bytes) override {
      if (closed) return;
      if (client) rt.client_sent.emplace_back(bytes);
      rt.start_timer(0, [to = peer, data = std::string(bytes)] {
        if (auto p = to.lock(); p && !p->closed && p->handler) p->handler->on_data(data);
      });
    }
    void close() override { end(io::CloseKind::Orderly); }
    void abort() override { end(io::CloseKind::Reset); }
    void end(io::CloseKind kind) {
      if (closed) return;
      closed = true;
      rt.start_timer(0, [to = peer, kind] {
        if (auto p = to.lock(); p && !p->closed) {
          p->closed = true;
          if (p->handler) p->handler->on_close(kind);
        }
      });
    }
    std::size_t unsent() const override { return 0; }
    void pause_reading(bool) override {}
    void notify_drained(std::size_t) override {
      rt.start_timer(0, [self = weak_from_this()] {
        if (auto p = self.lock(); p && p->handler) p->handler->on_drained();
      });
    }
    std::string peer_address() const override { return client ? "192.0.2.99" : "192.0.2.10"; }
    std::uint16_t local_port() const override { return port; }
  };

  std::map<std::uint16_t, std::function<void(io::ConnectionPtr)>> listeners_;
};

}  // namespace maillab::mua::test
