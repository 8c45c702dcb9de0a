// `maillab run --pcap`: synthesized IPv4/TCP/UDP headers (lengths, checksums, segmentation)
// and, when tshark is installed, Wireshark's own dissectors finding the mail in the capture.
#include "viz_fixture.hpp"
#include "viz/pcap_recorder.hpp"

using namespace maillab;
using viz::PcapRecorder;
using viz::RecordedPacket;

namespace {

std::uint32_t be16(const std::string& b, std::size_t at) {
  return (static_cast<std::uint8_t>(b[at]) << 8) | static_cast<std::uint8_t>(b[at + 1]);
}
std::uint32_t be32(const std::string& b, std::size_t at) { return (be16(b, at) << 16) | be16(b, at + 2); }

// The one's complement sum of `data` folded: 0xFFFF when a checksum inside it is right.
std::uint16_t ones_sum(const std::string& data) {
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i + 1 < data.size(); i += 2) sum += be16(data, i);
  if (data.size() % 2) sum += static_cast<std::uint8_t>(data.back()) << 8;
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  return static_cast<std::uint16_t>(sum);
}

bool transport_checksum_ok(const std::string& ip) {
  std::string l4 = ip.substr(20);
  std::string pseudo = ip.substr(12, 8);
  pseudo += '\0';
  pseudo += ip[9];
  pseudo += static_cast<char>(l4.size() >> 8);
  pseudo += static_cast<char>(l4.size() & 0xFF);
  return ones_sum(pseudo + l4) == 0xFFFF;
}

std::string tshark(const std::string& file, const std::string& filter) {
  std::string out;
  viz_test::shell("tshark -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE "
                  "-o udp.check_checksum:TRUE -r '" + file + "' -Y '" + filter + "' 2>/dev/null",
                  &out);
  return out;
}

}  // namespace

TEST_CASE("a TCP segment: IPv4 and TCP headers with lengths, checksums, seq/ack and flags") {
  RecordedPacket p;
  p.protocol = sim::Protocol::Tcp;
  p.src = 0xC000020A;  // 192.0.2.10
  p.dst = 0xC0000214;
  p.src_port = 49153;
  p.dst_port = 25;
  p.tcp_flags = 0x18;  // PSH ACK
  p.seq = 1000;
  p.ack = 77;
  p.payload = "EHLO mail.a.example\r\n";
  std::uint16_t id = 7;
  auto d = PcapRecorder::datagrams(p, id);
  REQUIRE(d.size() == 1);
  const std::string& ip = d[0];
  CHECK(ip.size() == 20 + 20 + p.payload.size());
  CHECK(static_cast<std::uint8_t>(ip[0]) == 0x45);
  CHECK(be16(ip, 2) == ip.size());
  CHECK(be16(ip, 4) == 7);
  CHECK(id == 8);
  CHECK(ip[9] == 6);
  CHECK(be32(ip, 12) == p.src);
  CHECK(be32(ip, 16) == p.dst);
  CHECK(ones_sum(ip.substr(0, 20)) == 0xFFFF);
  CHECK(be16(ip, 20) == 49153);
  CHECK(be16(ip, 22) == 25);
  CHECK(be32(ip, 24) == 1000);
  CHECK(be32(ip, 28) == 77);
  CHECK(static_cast<std::uint8_t>(ip[33]) == 0x18);
  CHECK(transport_checksum_ok(ip));
  CHECK(ip.substr(40) == p.payload);
}

TEST_CASE("a long TCP segment is cut at the MSS with consecutive sequence numbers") {
  RecordedPacket p;
  p.protocol = sim::Protocol::Tcp;
  p.src = 0xC000020A;
  p.dst = 0xC0000214;
  p.src_port = 49153;
  p.dst_port = 25;
  p.tcp_flags = 0x19;  // FIN PSH ACK
  p.seq = 5000;
  p.payload = std::string(2 * PcapRecorder::kMss + 100, 'x');
  std::uint16_t id = 1;
  auto d = PcapRecorder::datagrams(p, id);
  REQUIRE(d.size() == 3);
  std::string joined;
  for (std::size_t i = 0; i < d.size(); ++i) {
    CHECK(be32(d[i], 24) == 5000 + i * PcapRecorder::kMss);
    std::uint8_t flags = static_cast<std::uint8_t>(d[i][33]);
    CHECK((flags & 0x01) == (i == 2 ? 0x01 : 0));  // FIN only on the last
    CHECK(transport_checksum_ok(d[i]));
    joined += d[i].substr(40);
  }
  CHECK(joined == p.payload);
}

TEST_CASE("a UDP datagram: length and checksum") {
  RecordedPacket p;
  p.protocol = sim::Protocol::Udp;
  p.src = 0xC0000235;
  p.dst = 0xC0000214;
  p.src_port = 53;
  p.dst_port = 49152;
  p.payload = std::string("\x12\x34\x81\x80", 4) + "abc";
  std::uint16_t id = 1;
  auto d = PcapRecorder::datagrams(p, id);
  REQUIRE(d.size() == 1);
  CHECK(d[0][9] == 17);
  CHECK(be16(d[0], 24) == 8 + p.payload.size());
  CHECK(transport_checksum_ok(d[0]));
}

TEST_CASE("the recorder sees every packet of a run, in time order") {
  auto s = viz_test::load("basic-delivery");
  auto built = scenario::World::build(s, s.seed);
  auto& w = *std::get<std::unique_ptr<scenario::World>>(built);
  PcapRecorder rec;
  rec.attach(w.network());
  w.run_until(s.duration_ns);
  REQUIRE(rec.packets().size() > 20);
  bool udp = false, syn = false;
  for (std::size_t i = 0; i < rec.packets().size(); ++i) {
    const auto& p = rec.packets()[i];
    if (i) CHECK(p.time >= rec.packets()[i - 1].time);
    udp = udp || p.protocol == sim::Protocol::Udp;
    syn = syn || p.tcp_flags == 0x02;
  }
  CHECK(udp);
  CHECK(syn);
}

TEST_CASE("tshark decodes the capture: SMTP MAIL FROM and RCPT TO, POP3, the MX query") {
  if (!viz_test::have_tool("tshark")) {
    WARN("tshark is not installed: SKIPPED the check of --pcap with Wireshark's dissectors "
         "(.ci/run installs it: apt-get install tshark)");
    return;
  }
  auto dir = viz_test::temp_dir("pcap");
  auto file = (dir / "basic.pcap").string();
  REQUIRE(viz_test::shell("'" + viz_test::kMaillab + "' run basic-delivery --quiet --pcap '" + file + "'") == 0);
  std::string smtp = tshark(file, "smtp");
  INFO(smtp);
  CHECK(smtp.find("MAIL FROM:<alice@a.example>") != std::string::npos);
  CHECK(smtp.find("RCPT TO:<bob@b.example>") != std::string::npos);
  CHECK(smtp.find("250 2.0.0 Ok: queued as") != std::string::npos);
  std::string dns = tshark(file, "dns.qry.type == 15");
  CHECK(dns.find("MX b.example") != std::string::npos);
  std::string bad = tshark(file, "ip.checksum.status == 0 || tcp.checksum.status == 0 || "
                                 "udp.checksum.status == 0 || tcp.analysis.flags && !tcp.analysis.window_update");
  CHECK(bad == "");
  // The capture's clock is the lab's: simulated 1s is 2026-03-02 09:00:01 UTC.
  std::string first;
  viz_test::shell("tshark -r '" + file + "' -c 1 -T fields -e frame.time_epoch 2>/dev/null", &first);
  CHECK(first.rfind("1772442001.000000000", 0) == 0);

  auto pop = (dir / "failover.pcap").string();
  REQUIRE(viz_test::shell("'" + viz_test::kMaillab + "' run '" + viz_test::kData +
                          "mx-failover.yaml' --quiet --pcap '" + pop + "'") == 0);
  std::string pop3 = tshark(pop, "pop");
  CHECK(pop3.find("USER bob") != std::string::npos);
  CHECK(pop3.find("RETR 1") != std::string::npos);
}

TEST_CASE("--pcap holds the real TLS records; with --keylog tshark reads the SMTP inside them") {
  if (!viz_test::have_tool("tshark")) {
    WARN("tshark is not installed: SKIPPED the check of --keylog with Wireshark "
         "(.ci/run installs it: apt-get install tshark)");
    return;
  }
  auto dir = viz_test::temp_dir("keylog");
  auto file = (dir / "tls.pcap").string(), keys = (dir / "keys.log").string();
  REQUIRE(viz_test::shell("'" + viz_test::kMaillab + "' run starttls-opportunistic --quiet --pcap '" + file +
                          "' --keylog '" + keys + "'") == 0);
  std::string log;
  viz_test::shell("grep -c '^CLIENT_TRAFFIC_SECRET_0 [0-9a-f]\\{64\\} [0-9a-f]*$' '" + keys + "'", &log);
  CHECK(std::stoi(log) >= 5);  // five TLS sessions: two hops each for two messages, one for the stripped one
  // Without the key log: TLS records, and the only SMTP in clear is up to STARTTLS (and the stripped hop).
  std::string clear = tshark(file, "smtp.req.command == \"AUTH\"");
  CHECK(clear == "");
  std::string records = tshark(file, "tls.handshake.type == 1");  // the ClientHellos
  CHECK(!records.empty());
  // With it: AUTH and the first message's MAIL FROM, sent only inside TLS.
  std::string inside;
  viz_test::shell("tshark -r '" + file + "' -o 'tls.keylog_file:" + keys + "' -Y smtp 2>/dev/null", &inside);
  INFO(inside);
  CHECK(inside.find("AUTH PLAIN") != std::string::npos);
  CHECK(inside.find("MAIL FROM:<alice@a.example>") != std::string::npos);
}
