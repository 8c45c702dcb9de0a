#include "viz/pcap_recorder.hpp"

#include <pcap/pcap.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <algorithm>

#include "protocols/message/date.hpp"

namespace maillab::viz {

std::string packet_protocol(const RecordedPacket& p) {
  auto port = std::min(p.src_port, p.dst_port);
  if (port == 25 || port == 587) return "SMTP";
  if (port == 110) return "POP3";
  if (port == 53) return "DNS";
  return p.protocol == sim::Protocol::Udp ? "UDP" : "TCP";
}

std::string packet_text(const RecordedPacket& p) {
  if (p.protocol == sim::Protocol::Udp)
    return p.dst_port == 53 ? "DNS query" : p.src_port == 53 ? "DNS answer" : "UDP";
  if (!p.payload.empty()) {
    auto e = p.payload.find_first_of("\r\n");
    std::string line = p.payload.substr(0, e);
    return line.size() > 48 ? line.substr(0, 47) + "..." : line;
  }
  std::string f;
  if (p.tcp_flags & 0x02) f += "SYN ";
  if (p.tcp_flags & 0x01) f += "FIN ";
  if (p.tcp_flags & 0x04) f += "RST ";
  if (p.tcp_flags & 0x10) f += "ACK";
  while (!f.empty() && f.back() == ' ') f.pop_back();
  return f;
}


namespace {

constexpr std::uint8_t kFin = 0x01, kPsh = 0x08;

void put16(std::string& b, std::size_t at, std::uint16_t v) {
  b[at] = static_cast<char>(v >> 8);
  b[at + 1] = static_cast<char>(v & 0xFF);
}
void put32(std::string& b, std::size_t at, std::uint32_t v) {
  put16(b, at, static_cast<std::uint16_t>(v >> 16));
  put16(b, at + 2, static_cast<std::uint16_t>(v & 0xFFFF));
}

// The Internet checksum (RFC 1071) of `data`, continuing from `sum`.
std::uint32_t sum16(std::string_view data, std::uint32_t sum = 0) {
  for (std::size_t i = 0; i + 1 < data.size(); i += 2)
    sum += (static_cast<std::uint8_t>(data[i]) << 8) | static_cast<std::uint8_t>(data[i + 1]);
  if (data.size() % 2) sum += static_cast<std::uint8_t>(data.back()) << 8;
  return sum;
}
std::uint16_t fold(std::uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum & 0xFFFF);
}

// IPv4 header + `l4` (a TCP or UDP header and its payload, checksum field zero).
std::string ipv4(const RecordedPacket& p, std::uint16_t id, std::uint8_t proto, std::string l4,
                 std::size_t checksum_at) {
  // Pseudo-header (RFC 9293 3.1, RFC 768).
  std::string pseudo(12, '\0');
  put32(pseudo, 0, p.src);
  put32(pseudo, 4, p.dst);
  pseudo[9] = static_cast<char>(proto);
  put16(pseudo, 10, static_cast<std::uint16_t>(l4.size()));
  std::uint16_t c = fold(sum16(l4, sum16(pseudo)));
  if (proto == 17 && c == 0) c = 0xFFFF;  // UDP: 0 means "no checksum"
  put16(l4, checksum_at, c);

  std::string ip(20, '\0');
  ip[0] = 0x45;
  put16(ip, 2, static_cast<std::uint16_t>(20 + l4.size()));
  put16(ip, 4, id);
  if (proto == 6) put16(ip, 6, 0x4000);  // DF
  ip[8] = 64;
  ip[9] = static_cast<char>(proto);
  put32(ip, 12, p.src);
  put32(ip, 16, p.dst);
  put16(ip, 10, fold(sum16(ip)));
  return ip + l4;
}

}  // namespace

void PcapRecorder::attach(sim::Network& net) {
  net.set_packet_observer([this](const sim::Packet& p) { record(p); });
}

void PcapRecorder::record(const sim::Packet& p) {
  packets_.push_back(RecordedPacket{p.time, p.protocol, p.src, p.dst, p.src_port, p.dst_port,
                                    p.tcp_flags, p.seq, p.ack, std::string(p.payload), p.dropped});
}

std::vector<std::string> PcapRecorder::datagrams(const RecordedPacket& p, std::uint16_t& ip_id) {
  std::vector<std::string> out;
  if (p.protocol == sim::Protocol::Udp) {
    // A datagram over 65507 octets cannot be one IPv4 packet; the lab's DNS never sends one.
    std::string_view data = std::string_view(p.payload).substr(0, 65507);
    std::string udp(8, '\0');
    put16(udp, 0, p.src_port);
    put16(udp, 2, p.dst_port);
    put16(udp, 4, static_cast<std::uint16_t>(8 + data.size()));
    udp.append(data);
    out.push_back(ipv4(p, ip_id++, 17, std::move(udp), 6));
    return out;
  }
  std::size_t offset = 0;
  do {
    std::size_t n = std::min(kMss, p.payload.size() - offset);
    bool last = offset + n >= p.payload.size();
    std::uint8_t flags = p.tcp_flags;
    if (!last) flags &= static_cast<std::uint8_t>(~(kFin | kPsh));
    std::string tcp(20, '\0');
    put16(tcp, 0, p.src_port);
    put16(tcp, 2, p.dst_port);
    put32(tcp, 4, p.seq + static_cast<std::uint32_t>(offset));
    put32(tcp, 8, (flags & 0x10) ? p.ack : 0);
    tcp[12] = 0x50;  // data offset 5 words
    tcp[13] = static_cast<char>(flags);
    put16(tcp, 14, 65535);
    tcp.append(p.payload, offset, n);
    out.push_back(ipv4(p, ip_id++, 6, std::move(tcp), 16));
    offset += n;
  } while (offset < p.payload.size());
  return out;
}

bool PcapRecorder::write(const std::string& path, std::string* error) const {
  pcap_t* dead = pcap_open_dead_with_tstamp_precision(DLT_RAW, 65535, PCAP_TSTAMP_PRECISION_NANO);
  if (!dead) {
    *error = "cannot write " + path + ": libpcap refused a raw IPv4 capture";
    return false;
  }
  pcap_dumper_t* dumper = pcap_dump_open(dead, path.c_str());
  if (!dumper) {
    *error = "cannot write " + path + ": " + pcap_geterr(dead);
    pcap_close(dead);
    return false;
  }
  std::uint16_t ip_id = 1;
  for (const auto& p : packets_) {
    std::int64_t secs = p.time / 1'000'000'000, nanos = p.time % 1'000'000'000;
    if (nanos < 0) {
      nanos += 1'000'000'000;
      --secs;
    }
    for (const std::string& d : datagrams(p, ip_id)) {
      pcap_pkthdr h{};
      h.ts.tv_sec = static_cast<time_t>(message::kEpochUnixSeconds + secs);
      h.ts.tv_usec = static_cast<suseconds_t>(nanos);  // nanoseconds: see the precision above
      h.caplen = h.len = static_cast<bpf_u_int32>(d.size());
      pcap_dump(reinterpret_cast<u_char*>(dumper), &h,
                reinterpret_cast<const u_char*>(d.data()));
    }
  }
  // The dumper is a stdio stream: a write error shows at the flush and at the close.
  errno = 0;
  bool ok = pcap_dump_flush(dumper) == 0;
  int why = errno;
  std::FILE* file = pcap_dump_file(dumper);
  if (ok && file && std::ferror(file)) ok = false;
  pcap_dump_close(dumper);
  pcap_close(dead);
  if (!ok) *error = "cannot write " + path + (why ? std::string(": ") + std::strerror(why) : "");
  return ok;
}

}  // namespace maillab::viz
