// check::TcpStream / UdpSocket over POSIX sockets, every wait bounded by poll().
#include "bridge/check/probe_socket.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <utility>

namespace maillab::check {

namespace {

std::string endpoint_text(const std::string& host, std::uint16_t port) {
  return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

struct AddrInfo {
  addrinfo* list = nullptr;
  ~AddrInfo() {
    if (list) ::freeaddrinfo(list);
  }
};

// getaddrinfo for `host`/`port`; "" on success, else the error text.
std::string resolve(const std::string& host, std::uint16_t port, int socktype, AddrInfo& out) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = socktype;
  hints.ai_flags = AI_ADDRCONFIG;
  const std::string service = std::to_string(port);
  int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &out.list);
  if (rc == EAI_BADFLAGS || (rc != 0 && hints.ai_flags)) {
    hints.ai_flags = 0;  // AI_ADDRCONFIG fails on hosts with loopback only
    rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &out.list);
  }
  if (rc != 0) return "cannot resolve " + host + ": " + ::gai_strerror(rc);
  return {};
}

}  // namespace

TcpStream::~TcpStream() { close(); }

TcpStream::TcpStream(TcpStream&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), error_(std::move(other.error_)), tls_(std::move(other.tls_)) {
  other.tls_.reset();
}

TcpStream& TcpStream::operator=(TcpStream&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = std::exchange(other.fd_, -1);
    error_ = std::move(other.error_);
    if (other.tls_) tls_.emplace(std::move(*other.tls_));
    other.tls_.reset();
  }
  return *this;
}

bool TcpStream::connect(const std::string& host, std::uint16_t port, std::chrono::milliseconds timeout) {
  close();
  tls_.reset();
  AddrInfo ai;
  if (std::string e = resolve(host, port, SOCK_STREAM, ai); !e.empty()) {
    error_ = e;
    return false;
  }
  error_ = "connect to " + endpoint_text(host, port) + ": no address";
  for (addrinfo* a = ai.list; a; a = a->ai_next) {
    int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
    if (fd < 0) {
      error_ = std::string("socket: ") + std::strerror(errno);
      continue;
    }
    int rc = ::connect(fd, a->ai_addr, a->ai_addrlen);
    int err = rc == 0 ? 0 : errno;
    if (err == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      int r = ::poll(&p, 1, static_cast<int>(timeout.count()));
      if (r == 0) {
        err = ETIMEDOUT;
      } else if (r < 0) {
        err = errno;
      } else {
        socklen_t len = sizeof err;
        if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
      }
    }
    if (err != 0) {
      error_ = "connect to " + endpoint_text(host, port) + ": " + std::strerror(err);
      ::close(fd);
      continue;
    }
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    fd_ = fd;
    error_.clear();
    return true;
  }
  return false;
}

bool TcpStream::send(std::string_view data) {
  if (tls_) {
    if (fd_ >= 0 && tls_->send(data) == tls::Status::Failed) {
      error_ = tls_error("send");
      return false;
    }
    return flush_tls();
  }
  return send_raw(data);
}

bool TcpStream::send_raw(std::string_view data) {
  if (fd_ < 0) {
    error_ = "not connected";
    return false;
  }
  while (!data.empty()) {
    ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      error_ = std::string("send: ") + std::strerror(errno);
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

ReadStatus TcpStream::read(std::string& into, std::chrono::milliseconds timeout) {
  if (!tls_) return read_raw(into, timeout);
  // Records that carry no application data (tickets, alerts) do not count as data: read
  // on until some arrives, the peer closes, or the time is up.
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (!tls_->plaintext().empty()) {
      into += tls_->take_plaintext();
      return ReadStatus::Data;
    }
    if (tls_->failed()) {
      error_ = tls_error("read");
      return ReadStatus::Error;
    }
    if (tls_->peer_closed()) {
      error_ = "connection closed by the server (TLS close_notify)";
      return ReadStatus::Eof;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    std::string wire;
    const ReadStatus s = read_raw(wire, std::max(left, std::chrono::milliseconds(0)));
    if (s == ReadStatus::Eof) {
      tls_->receive_eof();
      if (!tls_->plaintext().empty()) continue;
      return ReadStatus::Eof;
    }
    if (s != ReadStatus::Data) return s;
    tls_->receive(wire);
    if (!flush_tls()) return ReadStatus::Error;
  }
}

bool TcpStream::flush_tls() {
  if (!tls_ || tls_->output().empty()) return true;
  return send_raw(tls_->take_output());
}

std::string TcpStream::tls_error(std::string_view what) const {
  const tls::Error& e = tls_->error();
  std::string s = "TLS " + std::string(what) + ": " + std::string(tls::to_string(e.kind));
  if (!e.alert_received.empty()) s += ", the server's alert: " + std::string(e.alert_received);
  if (!e.alert_sent.empty()) s += ", our alert: " + std::string(e.alert_sent);
  if (!e.detail.empty()) s += " (" + e.detail + ")";
  return s;
}

bool TcpStream::start_tls(tls::ClientContext& ctx, tls::ClientParams params, std::chrono::milliseconds timeout) {
  if (fd_ < 0) {
    error_ = "not connected";
    return false;
  }
  tls_.reset();
  tls_.emplace(ctx, std::move(params), static_cast<tls::UnixTime>(std::time(nullptr)));
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const bool flushed = flush_tls();
    if (tls_->failed()) {
      error_ = tls_error("handshake");
      return false;
    }
    if (!flushed) return false;
    if (tls_->handshake_done()) return true;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    std::string wire;
    const ReadStatus s = read_raw(wire, std::max(left, std::chrono::milliseconds(0)));
    if (s == ReadStatus::Eof) {
      tls_->receive_eof();
      error_ = tls_->failed() ? tls_error("handshake") : "TLS handshake: the server closed the connection";
      return false;
    }
    if (s != ReadStatus::Data) {
      error_ = "TLS handshake: " + error_;
      return false;
    }
    tls_->receive(wire);
  }
}

ReadStatus TcpStream::read_raw(std::string& into, std::chrono::milliseconds timeout) {
  if (fd_ < 0) {
    error_ = "not connected";
    return ReadStatus::Error;
  }
  pollfd p{fd_, POLLIN, 0};
  int r;
  do r = ::poll(&p, 1, static_cast<int>(timeout.count()));
  while (r < 0 && errno == EINTR);
  if (r == 0) {
    error_ = "timed out after " + std::to_string(timeout.count() / 1000.0).substr(0, 4) + "s";
    return ReadStatus::Timeout;
  }
  if (r < 0) {
    error_ = std::string("poll: ") + std::strerror(errno);
    return ReadStatus::Error;
  }
  char buf[16384];
  ssize_t n;
  do n = ::recv(fd_, buf, sizeof buf, 0);
  while (n < 0 && errno == EINTR);
  if (n == 0) {
    error_ = "connection closed by the server";
    return ReadStatus::Eof;
  }
  if (n < 0) {
    error_ = std::string("recv: ") + std::strerror(errno);
    return ReadStatus::Error;
  }
  into.append(buf, static_cast<std::size_t>(n));
  return ReadStatus::Data;
}

void TcpStream::close() {
  if (fd_ >= 0 && tls_ && tls_->handshake_done() && !tls_->failed() && !tls_->close_sent()) {
    tls_->close();
    flush_tls();
  }
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

UdpSocket::~UdpSocket() {
  if (fd_ >= 0) ::close(fd_);
}

bool UdpSocket::connect(const std::string& host, std::uint16_t port) {
  AddrInfo ai;
  if (std::string e = resolve(host, port, SOCK_DGRAM, ai); !e.empty()) {
    error_ = e;
    return false;
  }
  for (addrinfo* a = ai.list; a; a = a->ai_next) {
    int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
      fd_ = fd;
      return true;
    }
    error_ = "connect (udp) to " + endpoint_text(host, port) + ": " + std::strerror(errno);
    ::close(fd);
  }
  if (error_.empty()) error_ = "no address for " + endpoint_text(host, port);
  return false;
}

bool UdpSocket::send(std::string_view datagram) {
  if (fd_ < 0) return false;
  if (::send(fd_, datagram.data(), datagram.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(datagram.size())) {
    error_ = std::string("send (udp): ") + std::strerror(errno);
    return false;
  }
  return true;
}

ReadStatus UdpSocket::receive(std::string& into, std::chrono::milliseconds timeout) {
  if (fd_ < 0) return ReadStatus::Error;
  pollfd p{fd_, POLLIN, 0};
  int r;
  do r = ::poll(&p, 1, static_cast<int>(timeout.count()));
  while (r < 0 && errno == EINTR);
  if (r == 0) {
    error_ = "no answer (timed out)";
    return ReadStatus::Timeout;
  }
  if (r < 0) {
    error_ = std::string("poll: ") + std::strerror(errno);
    return ReadStatus::Error;
  }
  char buf[65536];
  ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
  if (n < 0) {
    // ECONNREFUSED: an ICMP port unreachable came back.
    error_ = std::string("recv (udp): ") + std::strerror(errno);
    return ReadStatus::Error;
  }
  into.assign(buf, static_cast<std::size_t>(n));
  return ReadStatus::Data;
}

}  // namespace maillab::check
