// check::TcpStream / check::UdpSocket: the blocking POSIX sockets `maillab check` talks
// through. Every wait is bounded: connect and each read take a timeout (poll()), so a
// silent or dead server ends a check with "timed out", never a hang. Writes use
// MSG_NOSIGNAL (a peer that closed gives an error, not SIGPIPE).
// Host names are resolved with getaddrinfo (IPv4 and IPv6); each address is tried in
// order until one connects. Errors are reported as text ("connect to 127.0.0.1:1:
// Connection refused") for the table's "server said" column.
//
// TLS: start_tls() runs a client handshake (the lab's sans-I/O tls::Session, system
// randomness, the wall clock) on the open connection, bounded by the timeout; from then
// on send() and read() carry plaintext through it, and close() sends close_notify. A
// failed handshake leaves the session for tls() to describe (the version, the alert).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "protocols/tls/session.hpp"

namespace maillab::check {

enum class ReadStatus { Data, Timeout, Eof, Error };

class TcpStream {
 public:
  TcpStream() = default;
  ~TcpStream();
  TcpStream(const TcpStream&) = delete;
  TcpStream& operator=(const TcpStream&) = delete;
  TcpStream(TcpStream&& other) noexcept;
  TcpStream& operator=(TcpStream&& other) noexcept;

  bool connect(const std::string& host, std::uint16_t port, std::chrono::milliseconds timeout);
  bool is_open() const { return fd_ >= 0; }
  bool send(std::string_view data);
  // Appends what arrives (at most one recv) to `into`.
  ReadStatus read(std::string& into, std::chrono::milliseconds timeout);
  void close();
  // The last error, as text.
  const std::string& error() const { return error_; }

  // A TLS handshake now; false and error() when it fails (tls() then says how).
  bool start_tls(tls::ClientContext& ctx, tls::ClientParams params, std::chrono::milliseconds timeout);
  // The connection's TLS session (done or failed), or nullptr before start_tls().
  const tls::Session* tls() const { return tls_ ? &*tls_ : nullptr; }
  bool tls_on() const { return tls_ && tls_->handshake_done() && !tls_->failed(); }

 private:
  bool send_raw(std::string_view data);
  ReadStatus read_raw(std::string& into, std::chrono::milliseconds timeout);
  bool flush_tls();  // the session's output to the wire
  std::string tls_error(std::string_view what) const;

  int fd_ = -1;
  std::string error_;
  std::optional<tls::Session> tls_;
};

class UdpSocket {
 public:
  UdpSocket() = default;
  ~UdpSocket();
  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;

  // A connected UDP socket: only the peer's datagrams are received.
  bool connect(const std::string& host, std::uint16_t port);
  bool send(std::string_view datagram);
  // The next datagram (replacing `into`).
  ReadStatus receive(std::string& into, std::chrono::milliseconds timeout);
  const std::string& error() const { return error_; }

 private:
  int fd_ = -1;
  std::string error_;
};

}  // namespace maillab::check
