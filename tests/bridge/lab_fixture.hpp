// Test harness for the bridge: a World built from inline YAML, a bridge::Server with its
// listeners on free loopback ports (port 0), its loop on a background thread; plain
// POSIX clients (every read bounded by a timeout, so a bug fails a test instead of
// hanging it) and a tiny scripted SMTP server for --route.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <atomic>
#include <future>
#include <memory>
#include <string>
#include <mutex>
#include <thread>
#include <vector>

#include "bridge/server.hpp"
#include "scenarios/loader.hpp"
#include "tests/support/lab_hosts.hpp"

namespace maillab::bridge::test {

using namespace std::chrono_literals;

// A small lab: ns.example (DNS), mx.b.example (MTA for b.example, relays for 127.0.0.0/8,
// submission with AUTH, POP3 for bob).
inline const std::string kLabYaml = R"(scenario: bridge-lab
title: the bridge test lab
duration: 1d
hosts:
)" + std::string(maillab::test::kNsExampleHost) + R"(  mx.b.example:
    address: 192.0.2.20
    resolver: 192.0.2.53
    mta:
      domains: [b.example]
      mynetworks: [127.0.0.0/8]
      submission: true
    pop3: true
    users:
      bob: {password: builder}
)";

inline scenario::Scenario load_yaml(const std::string& text) {
  auto r = scenario::load_scenario_text(text, "bridge-test.yaml");
  if (auto* e = std::get_if<scenario::LoadError>(&r)) FAIL(e->str());
  return std::get<scenario::Scenario>(r);
}

inline ListenSpec listen_on(const std::string& host, scenario::Service s) {
  ListenSpec l;
  l.host = host;
  l.service = s;
  l.at = RealEndpoint{"127.0.0.1", 0};
  return l;
}

// The World and the Server, the loop on its own thread.
class Lab {
 public:
  Lab(const std::string& yaml, ServeOptions opt, scenario::WorldOptions wopt = {})
      : scenario_(load_yaml(yaml)) {
    REQUIRE(validate(opt, scenario_).empty());
    auto built = scenario::World::build(scenario_, scenario_.seed, std::move(wopt));
    REQUIRE(std::holds_alternative<std::unique_ptr<scenario::World>>(built));
    world_ = std::move(std::get<std::unique_ptr<scenario::World>>(built));
    server_ = std::make_unique<Server>(io_, *world_, std::move(opt));
    std::string error;
    INFO(error);
    REQUIRE(server_->open(&error));
    thread_ = std::thread([this] { server_->run(); });
  }
  ~Lab() {
    stop();
    server_.reset();
    world_.reset();
  }
  void stop() {
    if (thread_.joinable()) {
      server_->request_stop();
      thread_.join();
    }
  }
  std::uint16_t port(std::size_t i) const { return server_->bound().at(i).real.port; }
  scenario::World& world() { return *world_; }
  Server& server() { return *server_; }

  // Runs f on the loop's thread (between two steps) and returns its result.
  template <class F>
  auto on_loop(F f) -> decltype(f()) {
    using R = decltype(f());
    auto p = std::make_shared<std::promise<R>>();
    auto fut = p->get_future();
    boost::asio::post(io_, [p, f]() mutable {
      if constexpr (std::is_void_v<R>) {
        f();
        p->set_value();
      } else {
        p->set_value(f());
      }
    });
    REQUIRE(fut.wait_for(10s) == std::future_status::ready);
    return fut.get();
  }
  std::size_t deliveries() {
    return on_loop([this] { return world_->deliveries().size(); });
  }
  // Waits until pred() (run on the loop) holds; false after `limit`.
  template <class P>
  bool wait_for(P pred, std::chrono::milliseconds limit = 10s) {
    auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
      if (on_loop(pred)) return true;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  }

 private:
  boost::asio::io_context io_;  // outlives the World (its sockets)
  scenario::Scenario scenario_;
  std::unique_ptr<scenario::World> world_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
};

// A blocking TCP client over POSIX sockets, every wait bounded.
class TestClient {
 public:
  enum class End { Data, Timeout, Eof, Reset };

  explicit TestClient(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~TestClient() {
    if (fd_ >= 0) ::close(fd_);
  }
  TestClient(const TestClient&) = delete;
  TestClient& operator=(const TestClient&) = delete;

  bool connected() const { return fd_ >= 0; }

  bool send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  // One complete SMTP reply (through its last line "ddd ..."), or "" on timeout/EOF.
  std::string reply(std::chrono::milliseconds limit = 10s) {
    auto end = std::chrono::steady_clock::now() + limit;
    for (;;) {
      std::size_t pos = 0;
      while (true) {
        auto eol = buf_.find("\r\n", pos);
        if (eol == std::string::npos) break;
        if (eol - pos >= 4 && buf_[pos + 3] == ' ') {
          std::string r = buf_.substr(0, eol + 2);
          buf_.erase(0, eol + 2);
          return r;
        }
        if (eol - pos == 3) {  // "250\r\n"
          std::string r = buf_.substr(0, eol + 2);
          buf_.erase(0, eol + 2);
          return r;
        }
        pos = eol + 2;
      }
      if (fill(end) != End::Data) return "";
    }
  }
  // Bytes up to and including `terminator`; "" on timeout/EOF.
  std::string until(std::string_view terminator, std::chrono::milliseconds limit = 10s) {
    auto end = std::chrono::steady_clock::now() + limit;
    for (;;) {
      auto at = buf_.find(terminator);
      if (at != std::string::npos) {
        std::string r = buf_.substr(0, at + terminator.size());
        buf_.erase(0, at + terminator.size());
        return r;
      }
      if (fill(end) != End::Data) return "";
    }
  }
  // Exactly n bytes; "" on timeout/EOF.
  std::string take(std::size_t n, std::chrono::milliseconds limit = 10s) {
    auto end = std::chrono::steady_clock::now() + limit;
    while (buf_.size() < n) {
      if (fill(end) != End::Data) return "";
    }
    std::string r = buf_.substr(0, n);
    buf_.erase(0, n);
    return r;
  }
  std::string cmd(const std::string& line) {
    send(line + "\r\n");
    return reply();
  }
  // Reads (and keeps) until the peer closes or resets, or the time is up.
  End wait_end(std::chrono::milliseconds limit) {
    auto end = std::chrono::steady_clock::now() + limit;
    for (;;) {
      End e = fill(end);
      if (e != End::Data) return e;
    }
  }
  // Waits for any byte; kData when one came.
  End wait_data(std::chrono::milliseconds limit) {
    if (!buf_.empty()) return End::Data;
    return fill(std::chrono::steady_clock::now() + limit);
  }
  // Close with a RST, as a crashing client would.
  void reset() {
    linger l{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    ::close(fd_);
    fd_ = -1;
  }
  void close() {
    ::close(fd_);
    fd_ = -1;
  }
  const std::string& buffered() const { return buf_; }

 private:
  End fill(std::chrono::steady_clock::time_point end) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
    if (left.count() <= 0) return End::Timeout;
    pollfd p{fd_, POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(left.count()));
    if (r == 0) return End::Timeout;
    if (r < 0) return End::Reset;
    char tmp[65536];
    ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
    if (n == 0) return End::Eof;
    if (n < 0) return End::Reset;
    buf_.append(tmp, static_cast<std::size_t>(n));
    return End::Data;
  }

  int fd_ = -1;
  std::string buf_;
};
// Greeting, HELO, MAIL, RCPT for bob, DATA: "" once the 354 came, else the step refused.
inline std::string open_data(TestClient& c) {
  if (c.reply().rfind("220", 0) != 0) return "no greeting";
  if (c.cmd("HELO client.example").rfind("250", 0) != 0) return "HELO refused";
  if (c.cmd("MAIL FROM:<carol@c.example>").rfind("250", 0) != 0) return "MAIL refused";
  if (c.cmd("RCPT TO:<bob@b.example>").rfind("250", 0) != 0) return "RCPT refused";
  if (c.cmd("DATA").rfind("354", 0) != 0) return "DATA refused";
  return "";
}

// Logs in to a POP3 server as `user` and returns the STAT reply line ("+OK 2 123\r\n"),
// or what came instead.
inline std::string pop3_stat(std::uint16_t port, const std::string& user, const std::string& pass) {
  TestClient p(port);
  std::string line = p.until("\r\n");
  for (const std::string& cmd : {"USER " + user, "PASS " + pass, std::string("STAT")}) {
    if (line.rfind("+OK", 0) != 0) return line;
    p.send(cmd + "\r\n");
    line = p.until("\r\n");
  }
  p.send("QUIT\r\n");
  return line;
}

// A tiny scripted SMTP server on a free loopback port (for --route): accepts connections
// one after the other, answers 250 to everything, records each message's DATA.
// A TCP socket listening on a free loopback port (fake servers in tests); sets `port`.
inline int listen_loopback(std::uint16_t& port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  REQUIRE(::listen(fd, 8) == 0);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  port = ntohs(a.sin_port);
  return fd;
}

class FakeSmtpServer {
 public:
  FakeSmtpServer() {
    fd_ = listen_loopback(port_);
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeSmtpServer() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  std::uint16_t port() const { return port_; }
  // The messages received so far (DATA content, dot-stuffing as on the wire).
  std::vector<std::string> messages() {
    std::lock_guard<std::mutex> g(mu_);
    return messages_;
  }
  std::vector<std::string> commands() {
    std::lock_guard<std::mutex> g(mu_);
    return commands_;
  }

 private:
  void serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) continue;
      session(c);
      ::close(c);
    }
  }
  void session(int c) {
    auto say = [c](const std::string& s) { (void)::send(c, s.data(), s.size(), MSG_NOSIGNAL); };
    say("220 fake.example ESMTP\r\n");
    std::string buf;
    bool in_data = false;
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!stop_ && std::chrono::steady_clock::now() < deadline) {
      if (in_data) {
        auto end = buf.find("\r\n.\r\n");
        if (end != std::string::npos) {
          {
            std::lock_guard<std::mutex> g(mu_);
            messages_.push_back(buf.substr(0, end + 2));
          }
          buf.erase(0, end + 5);
          in_data = false;
          say("250 2.0.0 queued as FAKE1\r\n");
          continue;
        }
      } else {
        auto eol = buf.find("\r\n");
        if (eol != std::string::npos) {
          std::string line = buf.substr(0, eol);
          buf.erase(0, eol + 2);
          {
            std::lock_guard<std::mutex> g(mu_);
            commands_.push_back(line);
          }
          std::string verb = line.substr(0, 4);
          for (auto& ch : verb) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
          if (verb == "DATA") {
            in_data = true;
            say("354 go ahead\r\n");
          } else if (verb == "QUIT") {
            say("221 bye\r\n");
            return;
          } else {
            say("250 ok\r\n");
          }
          continue;
        }
      }
      pollfd p{c, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      char tmp[4096];
      ssize_t n = ::recv(c, tmp, sizeof tmp, 0);
      if (n <= 0) return;
      buf.append(tmp, static_cast<std::size_t>(n));
    }
  }

  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::vector<std::string> messages_, commands_;
};

}  // namespace maillab::bridge::test
