// viz::PcapRecorder: every virtual packet of a run (sim::Network's packet observer) kept in
// memory and written as a pcap capture (`maillab run --pcap`) with libpcap, so tshark and
// Wireshark decode the lab's SMTP, POP3 and DNS.
//
// The network reports segments as TCP does (flags, the seq/ack it keeps, the payload);
// this file adds the headers a real stack would have put on the wire:
// - IPv4 (RFC 791): version 4, IHL 5, TTL 64, DF on TCP, an identification counting up,
//   total length and header checksum;
// - TCP (RFC 9293): the ports, seq/ack and flags the network gives, data offset 5, window
//   65535, checksum over the pseudo-header; a segment longer than 1460 octets (an MSS) is
//   cut into several, each with its own sequence number, FIN/PSH on the last;
// - UDP (RFC 768): length and checksum.
// Link type LINKTYPE_RAW (IPv4 with no link header); nanosecond timestamps: simulated time
// 0 is the lab's epoch 2026-03-02T09:00:00Z (message::kEpochUnixSeconds).
// Packets the network lost on the way are kept: a capture on the sender would show them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/network.hpp"

namespace maillab::viz {

struct RecordedPacket {
  sim::Time time = 0;
  sim::Protocol protocol = sim::Protocol::Tcp;
  sim::Address src = 0, dst = 0;
  std::uint16_t src_port = 0, dst_port = 0;
  std::uint8_t tcp_flags = 0;
  std::uint32_t seq = 0, ack = 0;
  std::string payload;
  bool dropped = false;
};

// What a packet carries, for people: "SMTP", "POP3", "DNS" by port (else "TCP", "UDP"),
// and the first line of its payload (at most 48 characters), "DNS query" / "DNS answer",
// or its TCP flags ("SYN ACK").
std::string packet_protocol(const RecordedPacket& p);
std::string packet_text(const RecordedPacket& p);

class PcapRecorder {
 public:
  // Installs the recorder as `net`'s packet observer (the network has one observer).
  void attach(sim::Network& net);
  void record(const sim::Packet& p);

  const std::vector<RecordedPacket>& packets() const { return packets_; }

  // Writes the capture; false (and a message in *error) when the file cannot be written.
  bool write(const std::string& path, std::string* error) const;

  // The IPv4 datagrams one recorded packet becomes (several when a TCP segment is longer
  // than kMss). `ip_id` is the identification of the first and counts up.
  static std::vector<std::string> datagrams(const RecordedPacket& p, std::uint16_t& ip_id);
  static constexpr std::size_t kMss = 1460;

 private:
  std::vector<RecordedPacket> packets_;
};

}  // namespace maillab::viz
