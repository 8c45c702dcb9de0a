// dns::TcpServerSession: the server side of DNS over TCP (RFC 1035 4.2.2, RFC 7766), sans
// I/O: messages with a two-octet length prefix in, each answered by Authority::handle_tcp
// with prefixed responses of up to 65,535 octets (one, or a zone's worth for AXFR/IXFR:
// RFC 5936 2.2), in order (RFC 7766 6.2.1.1: a server may answer out of order; this one
// never does). Run by services::SessionDriver like the SMTP and POP3 engines, so it gets
// the driver's timeout and backpressure.
//
// Invariants: any split of the input gives the same output; at most one incomplete
// message is buffered (65,537 octets); no query is read while the pending output is at
// the driver's limit, so the output holds at most the limit plus one query's answer (for
// a transfer, the zone: the scenario's size, never the peer's); a message the authority
// drops (a response, a packet with no header) gets no answer and is reported to
// `on_drop`; the connection is idle-closed after `idle` without a complete query
// (RFC 7766 6.2.3: seconds); nothing throws.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <utility>

#include "protocols/dns/authority.hpp"

namespace maillab::dns {

class TcpServerSession {
 public:
  using DropFn = std::function<void(std::size_t length)>;
  TcpServerSession(const Authority& authority, std::chrono::milliseconds idle, DropFn on_drop);

  void receive(std::string_view data);
  // The same, stopping once the pending output reaches `output_limit`; returns the bytes
  // consumed (at least one query's when the output was below the limit; all once closed).
  std::size_t receive_some(std::string_view data, std::size_t output_limit);
  void receive_eof() { closed_ = true; }
  std::string take_output() { return std::exchange(out_, {}); }
  std::chrono::milliseconds timeout() const { return closed_ ? std::chrono::milliseconds{0} : idle_; }
  void on_timeout() { closed_ = true; }
  bool closed() const { return closed_; }

 private:
  void answer(std::string_view query);

  const Authority& authority_;
  std::chrono::milliseconds idle_;
  DropFn on_drop_;
  std::string partial_;  // an incomplete message (prefix included)
  std::string out_;
  bool closed_ = false;
};

}  // namespace maillab::dns
