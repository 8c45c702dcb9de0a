// Backpressure in the glue (DESIGN.md, issue 15 item 2), in the simulation: a peer that
// pipelines commands and reads nothing must not make a server take them without bound.
// Each service (SMTP on 25 and 587, POP3, DNS over TCP) runs on a virtual host; a raw
// simulated connection stops reading and sends megabytes of commands at once. While it
// reads nothing, the server must have taken at most a bounded part of them (the rest
// waits on the attacker's side, as TCP's window would keep it there) and nothing may
// arrive at the attacker; once it reads, every reply arrives, in order, and the session
// ends with the QUIT at the end of the burst.
#include <catch2/catch.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "protocols/dns/authority.hpp"
#include "protocols/dns/message.hpp"
#include "protocols/dns/zone.hpp"
#include "protocols/mda/mail_store.hpp"
#include "protocols/mta/mta.hpp"
#include "protocols/services/dns_server.hpp"
#include "protocols/services/pop3_server.hpp"
#include "scenarios/sim_runtime.hpp"

using namespace maillab;

namespace {

constexpr io::Time kMs = 1'000'000;
constexpr io::Time kSec = 1000 * kMs;
// What the server may have taken from a peer that reads nothing: its receive window,
// one read held by the driver, and the commands whose replies fill the bound on its
// unsent output and the peer's window (256 KiB each). Far below any of the bursts.
constexpr std::size_t kTakenBound = 2u << 20;

struct Lab {
  sim::Simulator sim{1};
  sim::TraceRecorder trace;
  sim::Network net{sim};
  io::MemoryDisk attacker_disk, server_disk;
  std::unique_ptr<scenario::SimRuntime> attacker, server;

  Lab() {
    trace.set_enabled(false);  // millions of commands: not recorded
    sim::LinkParams p;
    p.latency = 10 * kMs;
    net.set_default_path(p);
    net.add_host("attacker", *sim::parse_address("192.0.2.1"));
    net.add_host("server", *sim::parse_address("192.0.2.2"));
    attacker = std::make_unique<scenario::SimRuntime>(sim, net, trace, "attacker", "192.0.2.1", attacker_disk);
    server = std::make_unique<scenario::SimRuntime>(sim, net, trace, "server", "192.0.2.2", server_disk);
  }
};

// Reads replies as they come (none are kept) and checks each against the next one
// expected; `expect` gives the kind of the n-th reply.
struct Peer : io::ConnectionHandler {
  // Consumes one reply from the front of `buf` if it is complete: its length, or 0.
  std::function<std::size_t(std::string_view buf, std::size_t n)> reply;
  std::string buf;
  std::size_t replies = 0;
  std::uint64_t bytes = 0;
  bool bad = false;
  std::optional<io::CloseKind> closed;

  void on_data(std::string_view data) override {
    bytes += data.size();
    buf.append(data);
    std::size_t at = 0;
    while (!bad) {
      std::size_t n = reply(std::string_view(buf).substr(at), replies);
      if (n == 0) break;
      if (n == std::string::npos) {
        bad = true;
        break;
      }
      at += n;
      ++replies;
    }
    buf.erase(0, at);
  }
  void on_close(io::CloseKind why) override { closed = why; }
};

// One line ending in CRLF at the front of `buf`: its length with the CRLF, or 0.
std::size_t line_at(std::string_view buf) {
  std::size_t lf = buf.find("\r\n");
  return lf == std::string_view::npos ? 0 : lf + 2;
}

// An SMTP reply (multi-line included) at the front: its length, or 0.
std::size_t smtp_reply(std::string_view buf, std::string_view* first_line) {
  std::size_t at = 0;
  for (;;) {
    std::size_t n = line_at(buf.substr(at));
    if (n == 0) return 0;
    std::string_view line = buf.substr(at, n);
    if (at == 0) *first_line = line;
    at += n;
    if (line.size() >= 4 && line[3] == ' ') return at;
  }
}

struct Attack {
  std::string preamble;   // sent first (a login)
  std::string period;     // repeated
  std::string tail;       // last (QUIT)
  std::size_t total = 0;  // bytes of `period` repeats
  std::size_t periods() const { return total / period.size(); }
};

// Connects to server:port, stops reading, sends the whole attack, and checks the bound;
// then reads, and checks that every reply came and the session ended.
void run_attack(Lab& lab, std::uint16_t port, const Attack& attack, Peer& peer, std::size_t expected_replies,
                io::Time paused_for) {
  io::ConnectionPtr conn;
  lab.attacker->connect("192.0.2.2", port, 5 * kSec, [&](io::ConnectStatus st, io::ConnectionPtr c) {
    REQUIRE(st == io::ConnectStatus::Connected);
    conn = std::move(c);
    conn->set_handler(&peer);
    conn->pause_reading(true);
  });
  lab.sim.run_until(lab.sim.now() + 100 * kMs);
  REQUIRE(conn);
  conn->send(attack.preamble);
  std::string chunk;
  const std::size_t per_chunk = (64u << 10) / attack.period.size();
  for (std::size_t i = 0; i < per_chunk; ++i) chunk += attack.period;
  std::size_t sent = 0;
  for (std::size_t p = 0; p < attack.periods(); p += per_chunk) {
    const std::size_t n = std::min(per_chunk, attack.periods() - p);
    conn->send(std::string_view(chunk).substr(0, n * attack.period.size()));
    sent += n * attack.period.size();
  }
  conn->send(attack.tail);
  const std::size_t total = attack.preamble.size() + sent + attack.tail.size();
  lab.sim.run_until(lab.sim.now() + paused_for);

  const std::size_t taken = total - conn->unsent();
  INFO("the server took " << taken << " of " << total << " bytes from a peer that reads nothing");
  CHECK(taken > 0);
  CHECK(taken <= kTakenBound);
  CHECK(peer.bytes == 0);  // paused: nothing was handed over
  CHECK_FALSE(peer.closed);

  conn->pause_reading(false);
  lab.sim.run_until(lab.sim.now() + 3600 * kSec);
  CHECK_FALSE(peer.bad);
  CHECK(peer.replies == expected_replies);
  CHECK(conn->unsent() == 0);
  CHECK(peer.closed == io::CloseKind::Orderly);
}

}  // namespace

TEST_CASE("backpressure: SMTP on 25, 50 MB of pipelined NOOP/RSET from a peer that reads nothing",
          "[scenarios][backpressure]") {
  Lab lab;
  mta::MtaConfig cfg;
  cfg.domains = {"b.example"};
  mta::Mta mta(*lab.server, cfg);
  mta.start();
  Attack a{"EHLO attacker\r\n", "NOOP\r\nRSET\r\n", "QUIT\r\n", 50u << 20};
  Peer peer;
  // Greeting, EHLO, then "250 2.0.0 Ok" for every NOOP and RSET, then 221.
  const std::size_t commands = 2 * a.periods();
  peer.reply = [commands](std::string_view buf, std::size_t n) -> std::size_t {
    std::string_view first;
    std::size_t len = smtp_reply(buf, &first);
    if (len == 0) return 0;
    const bool ok = n == 0                   ? first.substr(0, 4) == "220 "
                    : n == 1                 ? first.substr(0, 4) == "250-"
                    : n < 2 + commands       ? first == "250 2.0.0 Ok\r\n"
                    : n == 2 + commands      ? first.substr(0, 4) == "221 "
                                             : false;
    return ok ? len : std::string::npos;
  };
  run_attack(lab, 25, a, peer, 3 + commands, 60 * kSec);
}

TEST_CASE("backpressure: submission on 587, pipelined EHLO/NOOP, replies in order",
          "[scenarios][backpressure]") {
  Lab lab;
  mta::MtaConfig cfg;
  cfg.domains = {"b.example"};
  cfg.submission = true;
  cfg.users.add("bob", "secret");
  mta::Mta mta(*lab.server, cfg);
  mta.start();
  Attack a{"", "EHLO attacker\r\nNOOP\r\n", "QUIT\r\n", 8u << 20};
  Peer peer;
  const std::size_t commands = 2 * a.periods();
  peer.reply = [commands](std::string_view buf, std::size_t n) -> std::size_t {
    std::string_view first;
    std::size_t len = smtp_reply(buf, &first);
    if (len == 0) return 0;
    // EHLO (multi-line, AUTH announced) and NOOP alternate: the order shows.
    const bool ok = n == 0                  ? first.substr(0, 4) == "220 "
                    : n <= commands         ? (n % 2 == 1 ? first.substr(0, 4) == "250-" &&
                                                                buf.substr(0, len).find("AUTH") != std::string_view::npos
                                                          : first == "250 2.0.0 Ok\r\n")
                    : n == commands + 1     ? first.substr(0, 4) == "221 "
                                            : false;
    return ok ? len : std::string::npos;
  };
  run_attack(lab, 587, a, peer, 2 + commands, 60 * kSec);
}

TEST_CASE("backpressure: POP3, pipelined RETR of a message from a peer that reads nothing",
          "[scenarios][backpressure]") {
  Lab lab;
  services::Accounts users;
  users.add("bob", "secret");
  services::Pop3Server pop(*lab.server, "maildir", users);
  pop.start();
  mda::Delivery d;
  d.user = "bob";
  d.envelope_sender = "alice@a.example";
  d.recipient = "bob@b.example";
  d.content = io::make_bytes("Subject: hello\r\n\r\n" + std::string(40, 'x') + "\r\n");
  REQUIRE(pop.store().deliver(d) == mda::DeliveryStatus::Ok);
  // RETR answers a whole message: each 8-octet command gets ~150 octets back.
  Attack a{"USER bob\r\nPASS secret\r\n", "RETR 1\r\nNOOP\r\n", "QUIT\r\n", 4u << 20};
  Peer peer;
  const std::size_t commands = 2 * a.periods();
  peer.reply = [commands](std::string_view buf, std::size_t n) -> std::size_t {
    std::size_t len = line_at(buf);
    if (len == 0) return 0;
    if (buf.substr(0, 3) != "+OK") return std::string::npos;
    if (n < 3 || n >= 3 + commands || (n - 3) % 2 == 1) return len;  // greeting, USER, PASS, NOOP, QUIT
    // RETR: +OK, the message, then a line with a single dot.
    const std::size_t end = buf.find("\r\n.\r\n", len - 2);
    if (end == std::string_view::npos) return 0;
    return buf.substr(len, end + 5 - len).find("Subject: hello") == std::string_view::npos ? std::string::npos
                                                                                         : end + 5;
  };
  run_attack(lab, 110, a, peer, 4 + commands, 60 * kSec);
}

TEST_CASE("backpressure: DNS over TCP, pipelined queries from a peer that reads nothing",
          "[scenarios][backpressure]") {
  Lab lab;
  auto auth = std::make_shared<dns::Authority>();
  auto z = dns::parse_zone(
      "$ORIGIN b.example.\n$TTL 60\n@ IN SOA ns.b.example. h.b.example. 1 3600 600 604800 300\n"
      "@ IN MX 10 mx1.b.example.\n@ IN MX 20 mx2.b.example.\nmx1 IN A 192.0.2.2\nmx2 IN A 192.0.2.3\n");
  REQUIRE(z.ok());
  auth->add_zone(std::move(*z.zone));
  services::DnsServer dns_server(*lab.server, auth);
  // Two queries with different ids in turn: each answer must carry its query's id.
  std::string period;
  for (std::uint16_t id : {0x1111, 0x2222}) {
    const std::string q = dns::encode(dns::make_query(id, "b.example.", dns::Type::MX));
    period += static_cast<char>(q.size() >> 8);
    period += static_cast<char>(q.size() & 0xff);
    period += q;
  }
  Attack a{"", period, "", 4u << 20};
  Peer peer;
  peer.reply = [](std::string_view buf, std::size_t n) -> std::size_t {
    if (buf.size() < 4) return 0;
    const std::size_t len = (static_cast<unsigned char>(buf[0]) << 8) | static_cast<unsigned char>(buf[1]);
    if (buf.size() < 2 + len) return 0;
    const std::uint16_t id = static_cast<std::uint16_t>((static_cast<unsigned char>(buf[2]) << 8) |
                                                        static_cast<unsigned char>(buf[3]));
    return id == (n % 2 == 0 ? 0x1111 : 0x2222) ? 2 + len : std::string::npos;
  };
  // The server closes a connection idle for 10 s (RFC 7766): after the last answer here.
  run_attack(lab, 53, a, peer, 2 * a.periods(), 5 * kSec);
}
