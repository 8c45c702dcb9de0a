// maillab bench tls: what the TLS layer (protocols/tls/) costs on one core, in memory (no
// sockets, no simulator): full handshakes per second, resumed handshakes per second (the
// client's session cache, as Postfix's), and the cost of carrying one SMTP transaction's
// records (EHLO .. QUIT with a 2 kB body: 12 records each way encrypted and decrypted)
// through an open session. Prints `key=value` pairs on its last line.
//
// --mode deterministic (the simulation's library context: the lab's DRBG) or system
// (OpenSSL's own DRBG, as `maillab serve`). Each handshake is a lab client and a lab
// server with the lab CA's ECDSA P-256 certificate, TLS 1.3 (or --tls12), both closing
// with close_notify. Rates are per second of this process's CPU time (std::clock: one
// thread), so a busy shared machine skews them less than wall time would.
#include <cstdio>
#include <ctime>
#include <memory>
#include <string>

#include "protocols/tls/certificate_authority.hpp"
#include "protocols/tls/context.hpp"
#include "protocols/tls/session_pair.hpp"
#include "tools/bench_commands.hpp"

namespace maillab::tools {

namespace {

constexpr tls::UnixTime kStart = 1772442000;  // the simulation's time 0

struct Args {
  std::uint64_t handshakes = 2000;
  std::uint64_t transactions = 20000;
  std::string mode = "deterministic";
  bool tls12 = false;
};

// Process CPU time.
struct CpuClock {
  static double now() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }
};

double seconds_since(double t0) { return CpuClock::now() - t0; }

// One SMTP transaction's worth of records, as the lab's engines write them.
const char* const kClientLines[] = {"EHLO mail.a.example\r\n", "MAIL FROM:<alice@a.example>\r\n",
                                    "RCPT TO:<bob@b.example>\r\n", "DATA\r\n", nullptr, "QUIT\r\n"};
const char* const kServerLines[] = {"250-mx.b.example\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250 8BITMIME\r\n",
                                    "250 2.1.0 Ok\r\n", "250 2.1.5 Ok\r\n",
                                    "354 End data with <CR><LF>.<CR><LF>\r\n", "250 2.0.0 Ok: queued as 1A2B3C\r\n",
                                    "221 2.0.0 Bye\r\n"};

// Sends one transaction through the pair; `body` stands in for the message.
bool transaction(tls::Session& client, tls::Session& server, const std::string& body) {
  for (int i = 0; i < 6; ++i) {
    if (client.send(kClientLines[i] != nullptr ? std::string_view(kClientLines[i]) : std::string_view(body)) !=
        tls::Status::Ok) {
      return false;
    }
    if (!tls::pump(client, server)) return false;
    server.clear_plaintext();
    if (server.send(kServerLines[i]) != tls::Status::Ok || !tls::pump(client, server)) return false;
    client.clear_plaintext();
  }
  return true;
}

void run(const Args& a, int& exit_code) {
  const bool det = a.mode == "deterministic";
  auto lib = det ? tls::LibraryContext::deterministic(1) : tls::LibraryContext::system();
  tls::CertificateAuthority ca(det ? tls::LibraryContext::deterministic(1, "ca") : tls::LibraryContext::system(),
                               kStart);
  auto cred = ca.issue({"mx.b.example"});
  tls::ServerContext server(lib, *cred);
  tls::ClientContext client(lib, ca.certificate_pem());
  if (a.tls12) SSL_CTX_set_max_proto_version(client.native(), TLS1_2_VERSION);

  std::uint64_t wire_bytes[2] = {0, 0};
  double rate[2] = {0, 0};
  for (int resumed = 0; resumed < 2; ++resumed) {
    const tls::ClientParams params{"mx.b.example", {"mx.b.example"}, resumed ? "mx.b.example:25" : ""};
    tls::UnixTime now = kStart;
    std::uint64_t reused = 0;
    const auto t0 = CpuClock::now();
    for (std::uint64_t i = 0; i < a.handshakes; ++i) {
      tls::Session s(server, now);
      tls::Session c(client, params, now);
      tls::Wire wire;
      if (!tls::pump(c, s, &wire) || !c.handshake_done()) {
        std::fprintf(stderr, "bench tls: handshake failed: %s\n", c.error().detail.c_str());
        exit_code = 1;
        return;
      }
      c.close();
      s.close();
      tls::pump(c, s, &wire);
      reused += c.info().resumed ? 1 : 0;
      wire_bytes[resumed] += wire.to_server.size() + wire.to_client.size();
      ++now;
    }
    rate[resumed] = static_cast<double>(a.handshakes) / seconds_since(t0);
    if (resumed && reused + 1 < a.handshakes) {
      std::fprintf(stderr, "bench tls: only %llu of %llu handshakes resumed\n",
                   static_cast<unsigned long long>(reused), static_cast<unsigned long long>(a.handshakes));
      exit_code = 1;
      return;
    }
  }

  // Records through an open session versus the same bytes copied in clear.
  const std::string body = std::string(2000, 'x') + "\r\n.\r\n";
  tls::Session s(server, kStart);
  tls::Session c(client, tls::ClientParams{"mx.b.example", {}, ""}, kStart);
  tls::pump(c, s);
  auto t0 = CpuClock::now();
  for (std::uint64_t i = 0; i < a.transactions; ++i) {
    if (!transaction(c, s, body)) {
      exit_code = 1;
      return;
    }
  }
  const double tls_us = seconds_since(t0) * 1e6 / static_cast<double>(a.transactions);

  std::printf("mode=%s version=%s full_per_s=%.0f resumed_per_s=%.0f full_wire_bytes=%llu "
              "resumed_wire_bytes=%llu transaction_us=%.2f\n",
              a.mode.c_str(), a.tls12 ? "TLSv1.2" : "TLSv1.3", rate[0], rate[1],
              static_cast<unsigned long long>(wire_bytes[0] / a.handshakes),
              static_cast<unsigned long long>(wire_bytes[1] / a.handshakes), tls_us);
  exit_code = 0;
}

}  // namespace

void register_bench_tls(CLI::App& bench, int& exit_code) {
  auto* cmd = bench.add_subcommand("tls", "TLS handshakes per second (full, resumed) and record cost");
  auto args = std::make_shared<Args>();
  cmd->add_option("--handshakes", args->handshakes, "handshakes of each kind")->check(CLI::Range(2, 10000000));
  cmd->add_option("--transactions", args->transactions, "SMTP transactions through one session")
      ->check(CLI::Range(1, 100000000));
  cmd->add_option("--mode", args->mode, "deterministic (the simulation) or system (the bridge)")
      ->check(CLI::IsMember({"deterministic", "system"}));
  cmd->add_flag("--tls12", args->tls12, "offer TLS 1.2 at most");
  cmd->callback([args, &exit_code] { run(*args, exit_code); });
}

}  // namespace maillab::tools
