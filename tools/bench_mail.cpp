// maillab bench mail --domains D --users U --messages M [--seed N] (shared/bench/README.md
// section 2): M messages between random users of D domains, each through the whole path of
// the lab's engines, as in a scenario run but built directly (no YAML, no trace):
//
//   mua.dI.bench --SMTP:25--> mx.dI.bench (queue on its disk) --DNS MX+A--> nsK.bench
//   mx.dI.bench  --SMTP:25--> mx.dJ.bench (queue) --MDA--> mailbox of uN@dJ.bench
//
// Each domain has one MX host (an mta::Mta whose mynetworks is its user agents' host) and
// one user-agent host running mua::Submitter; all zones are served by a few DNS hosts
// (one per 250 domains, every one holding every zone; MTA i asks DNS host i mod K). The
// MTAs' resolvers can cache up to --dns-cache answers for their TTL, as the caching
// resolver next to a real MTA does (MtaConfig::resolver_cache; off by default); mailboxes are "count" stores (mda::CountingStore): the
// delivered bytes are produced and counted, not kept.
//
// Messages are generated lazily: one event sends message n and schedules message n+1
// 1/rate simulated seconds later, so at any time only the messages in flight exist.
// Verification: every message carries its number in its Message-ID; the run ends when
// all M were delivered or nothing is left to happen before the deadline, and exits 1
// naming the messages that were not delivered (and why, when the MUA was refused).
// With --auth every hop is signed and checked (docs/sender-auth.md): each domain publishes
// SPF (its MX and its user agents' host), DMARC p=reject and a DKIM key (one RSA-2048 key
// made from the seed, published under every domain: the cost per message is the same as
// with a key each); every MTA signs its users' mail and checks SPF, DKIM and DMARC on
// port 25 (spf reject, dkim tag, dmarc enforce) through its checks' cache (auth_cache).
// With --outage no MX can be reached: every message is submitted, tried once and
// deferred, and the run reports the heap each queued message costs.
// With --tls every hop is encrypted (docs/tls.md): the lab CA (deterministic, from the
// seed) issues each MX a certificate once, before the run; each MX offers STARTTLS
// (smtpd_tls_security_level may) and relays only over TLS (smtp_tls_security_level
// encrypt), each user-agent host submits only over TLS (encrypt): a message that could
// not go encrypted is refused or deferred, and so counted lost. Every MTA and every
// user-agent host has its own client context, whose session cache resumes the sessions
// of the servers it already spoke to, as Postfix's TLS session cache does.
#include <charconv>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "protocols/auth/dkim_key.hpp"
#include "protocols/dns/authority.hpp"
#include "protocols/message/date.hpp"
#include "protocols/tls/certificate_authority.hpp"
#include "protocols/tls/context.hpp"
#include "protocols/tls/library_context.hpp"
#include "protocols/dns/zone.hpp"
#include "protocols/mta/mta.hpp"
#include "protocols/mua/submitter.hpp"
#include "protocols/services/dns_server.hpp"
#include "scenarios/sim_runtime.hpp"
#include "sim/network.hpp"
#include "sim/simulator.hpp"
#include "sim/trace_recorder.hpp"
#include "tools/bench_commands.hpp"
#include "tools/bench_memory.hpp"

namespace maillab::tools {

namespace {

constexpr std::uint64_t kMaxMailboxes = 20'000'000;

struct MailArgs {
  std::uint64_t domains = 1000, users = 10, messages = 1000000, seed = 1;
  std::uint64_t rate = 100000;  // messages submitted per simulated second
  std::uint64_t size = 1000;    // body octets
  double latency_ms = 1.0;      // one-way, full mesh
  // Answers each MTA's resolver keeps (0 = none). Off by default: at D = 1,000 an MTA
  // rarely asks for the same domain twice within a run, and 256 entries per MTA saved 1.2%
  // of the events for 137 MB more memory at M = 10^6 (docs/performance.md).
  std::uint64_t dns_cache = 0;
  // Every MX's address record points where no host is: each relay fails, and the
  // messages stay queued (deferred) on the senders' MTAs. Measures memory per queued
  // message instead of delivery.
  bool outage = false;
  bool auth = false;
  bool tls = false;
  bool progress = false;
};

std::string dotted(std::uint32_t a) {
  return std::to_string(a >> 24) + "." + std::to_string((a >> 16) & 255) + "." +
         std::to_string((a >> 8) & 255) + "." + std::to_string(a & 255);
}

// Domain i: MX at 10.0.0.0 + 2i + 2, user agents at + 1; DNS hosts at 172.16.0.0 + k + 1;
// with --outage the zones point at 11.0.0.0 + i, where there is no host.
std::uint32_t mx_address(std::uint64_t i) { return 0x0A000000u + 2 * static_cast<std::uint32_t>(i) + 2; }
std::uint32_t mua_address(std::uint64_t i) { return mx_address(i) + 1; }
std::uint32_t ns_address(std::uint64_t k) { return 0xAC100000u + static_cast<std::uint32_t>(k) + 1; }
std::uint32_t unreachable_address(std::uint64_t i) { return 0x0B000000u + static_cast<std::uint32_t>(i); }
std::string domain_name(std::uint64_t i) { return "d" + std::to_string(i) + ".bench"; }

struct Host {
  io::MemoryDisk disk;
  std::unique_ptr<scenario::SimRuntime> rt;
};

class MailBench {
 public:
  explicit MailBench(const MailArgs& a) : args_(a), sim_(a.seed), net_(sim_), pick_(sim_.rng("bench")) {
    trace_.set_enabled(false);
  }
  ~MailBench() {
    submitters_.clear();
    for (auto& m : mtas_) m.reset();
    dns_servers_.clear();
  }

  // Returns false (with a message) when a zone does not parse (it always should).
  bool build() {
    sim::LinkParams def;
    def.latency = static_cast<sim::Time>(args_.latency_ms * 1e6);
    net_.set_default_path(def);
    const std::uint64_t k = (args_.domains + 249) / 250;
    auto authority = std::make_shared<dns::Authority>();
    std::string key_txt;  // the DKIM record as zone-file strings of at most 255 octets
    if (args_.auth) {
      dkim_key_ = std::make_shared<const auth::DkimPrivateKey>(auth::DkimPrivateKey::generate(
          auth::DkimAlgorithm::RsaSha256, "maillab bench; seed=" + std::to_string(args_.seed)));
      const std::string record = dkim_key_->dns_record();
      for (std::size_t at = 0; at < record.size(); at += 255) key_txt += " \"" + record.substr(at, 255) + "\"";
    }
    for (std::uint64_t i = 0; i < args_.domains; ++i) {
      const std::string d = domain_name(i);
      std::string text = "$ORIGIN " + d + ".\n$TTL 3600\n@ IN SOA ns1.bench. hostmaster." + d +
                         ". 1 3600 600 604800 300\n@ IN NS ns1.bench.\n@ IN MX 10 mx." + d +
                         ".\nmx IN A " + dotted(args_.outage ? unreachable_address(i) : mx_address(i)) + "\n";
      if (args_.auth) {
        text += "@ IN TXT \"v=spf1 ip4:" + dotted(mx_address(i)) + " ip4:" + dotted(mua_address(i)) +
                " -all\"\n_dmarc IN TXT \"v=DMARC1; p=reject\"\ns1._domainkey IN TXT" + key_txt + "\n";
      }
      auto parsed = dns::parse_zone(text);
      if (!parsed.ok()) {
        std::fprintf(stderr, "bench mail: zone %s: %s\n", d.c_str(), parsed.error.to_string().c_str());
        return false;
      }
      authority->add_zone(std::move(*parsed.zone));
    }
    std::shared_ptr<const dns::Authority> shared = authority;
    for (std::uint64_t j = 0; j < k; ++j) {
      auto h = add_host("ns" + std::to_string(j + 1) + ".bench", ns_address(j));
      dns_servers_.push_back(std::make_unique<services::DnsServer>(*h->rt, shared));
    }
    if (args_.tls) {
      tls_lib_ = tls::LibraryContext::deterministic(args_.seed);
      tls_ca_ = std::make_unique<tls::CertificateAuthority>(tls::LibraryContext::deterministic(args_.seed, "ca"),
                                                            message::unix_seconds(0));
    }
    const std::size_t heap_before = heap_in_use();
    for (std::uint64_t i = 0; i < args_.domains; ++i) {
      const std::string d = domain_name(i);
      domains_.push_back(d);
      Host* h = add_host("mx." + d, mx_address(i));
      mx_hosts_.push_back(h);
      mta::MtaConfig c;
      c.hostname = "mx." + d;
      c.domains = {d};
      c.mynetworks.push_back(mta::Cidr{mua_address(i), 32});
      c.mailbox = "count";
      c.resolver = dotted(ns_address(i % k));
      c.resolver_cache = args_.dns_cache;
      if (args_.auth) {
        c.dkim.push_back(mta::DkimKey{d, "s1", dkim_key_});
        c.smtpd_checks = {mta::CheckMode::Reject, mta::CheckMode::Tag, mta::CheckMode::Enforce};
      }
      if (args_.tls) {
        tls_servers_.push_back(
            std::make_unique<tls::ServerContext>(tls_lib_, *tls_ca_->issue({"mx." + d})));
        tls_clients_.push_back(std::make_unique<tls::ClientContext>(tls_lib_, tls_ca_->certificate_pem()));
        c.tls_server = tls_servers_.back().get();
        c.tls_client = tls_clients_.back().get();
        c.smtpd_tls_security_level = "may";
        c.smtp_tls_security_level = "encrypt";
      }
      for (std::uint64_t u = 0; u < args_.users; ++u) c.users.add("u" + std::to_string(u), std::nullopt);
      auto m = std::make_unique<mta::Mta>(*h->rt, std::move(c));
      m->on_delivered = [this](const mta::DeliveryRecord& r) { delivered(r); };
      m->start();
      mtas_.push_back(std::move(m));
    }
    idle_host_bytes_ = (heap_in_use() - heap_before) / std::max<std::uint64_t>(1, args_.domains);
    for (std::uint64_t i = 0; i < args_.domains; ++i) {
      muas_.push_back(add_host("mua." + domain_name(i), mua_address(i)));
      if (args_.tls)
        mua_tls_.push_back(std::make_unique<tls::ClientContext>(tls_lib_, tls_ca_->certificate_pem()));
    }
    state_.assign(args_.messages, kPending);
    if (args_.messages <= kKeepAddresses) {
      senders_.resize(args_.messages);
      recipients_.resize(args_.messages);
      refusals_.resize(args_.messages);
    }
    body_.reserve(args_.size + 80);
    while (body_.size() < args_.size) {
      body_ += "The quick brown fox jumps over the lazy dog, message after message.\r\n";
    }
    body_.resize(args_.size);
    return true;
  }

  // Runs until every message is delivered or nothing more can happen in time; true when
  // all were delivered.
  bool run() {
    if (args_.messages) sim_.at(0, [this] { send_next(); });
    const sim::Time step = 1'000'000'000;  // one simulated second per slice
    const sim::Time gen_end = static_cast<sim::Time>(
        static_cast<double>(args_.messages) * 1e9 / static_cast<double>(std::max<std::uint64_t>(1, args_.rate)));
    // Far more than a clean run needs (a few round trips), less than a retry (300 s).
    const sim::Time deadline = gen_end + 120 * step;
    const auto t0 = std::chrono::steady_clock::now();
    const double cpu0 = cpu_seconds();
    heap_at_start_ = heap_in_use();
    std::uint64_t shown = 0;
    // In an outage nothing is delivered: run to the deadline, when every message has been
    // tried once (connect timeout 30 s) and none is retried yet (300 s).
    while ((args_.outage || delivered_ + failed_ < args_.messages) && sim_.now() < deadline) {
      sim_.run_until(std::min(deadline, sim_.now() + step));
      if (args_.progress && delivered_ >= shown + 100000) {
        shown = delivered_;
        std::printf("progress delivered=%llu sim_s=%.1f wall_s=%.1f\n",
                    static_cast<unsigned long long>(delivered_), sim_.now() / 1e9, wall_since(t0));
        std::fflush(stdout);
      }
    }
    wall_s_ = wall_since(t0);
    cpu_s_ = cpu_seconds() - cpu0;
    if (args_.outage) {
      heap_at_end_ = heap_in_use();
      for (const auto& m : mtas_) queued_ += m->queued();
      return delivered_ == 0 && failed_ == 0 && queued_ == args_.messages;
    }
    return delivered_ == args_.messages;
  }

  void report(bool ok) {
    if (args_.outage) {
      // Everything the run allocated and still holds, per queued message: the content and
      // envelope on the virtual disk, the queue index entry, the resolvers made on first use.
      const std::uint64_t held = heap_at_end_ > heap_at_start_ ? heap_at_end_ - heap_at_start_ : 0;
      std::printf("queued=%llu messages=%llu delivered=%llu refused=%llu sim_seconds=%.3f wall_s=%.3f "
                  "heap_mb=%.1f bytes_per_queued_message=%llu peak_rss_mb=%.1f\n",
                  static_cast<unsigned long long>(queued_), static_cast<unsigned long long>(args_.messages),
                  static_cast<unsigned long long>(delivered_), static_cast<unsigned long long>(failed_),
                  sim_.now() / 1e9, wall_s_, static_cast<double>(held) / 1048576.0,
                  static_cast<unsigned long long>(held / std::max<std::uint64_t>(1, queued_)), peak_rss_mb());
      if (!ok) std::printf("not all messages queued: queued=%llu of %llu\n",
                           static_cast<unsigned long long>(queued_), static_cast<unsigned long long>(args_.messages));
      return;
    }
    if (!ok) {
      std::uint64_t listed = 0, lost = 0;
      for (std::uint64_t n = 0; n < state_.size(); ++n) {
        if (state_[n] == kDelivered) continue;
        ++lost;
        if (listed++ < 20) {
          const bool named = !senders_.empty();
          std::printf("lost message %llu (%s -> %s): %s\n", static_cast<unsigned long long>(n),
                      named ? senders_[n].c_str() : "?", named ? recipients_[n].c_str() : "?",
                      state_[n] != kRefused ? "not delivered in time"
                      : named               ? refusals_[n].c_str()
                                            : "refused at submission");
        }
      }
      std::printf("lost=%llu of %llu (first %llu listed)\n", static_cast<unsigned long long>(lost),
                  static_cast<unsigned long long>(args_.messages),
                  static_cast<unsigned long long>(std::min<std::uint64_t>(lost, 20)));
    }
    const double wall = wall_s_ > 0 ? wall_s_ : 1e-9;
    std::printf(
        "delivered=%llu messages=%llu sim_seconds=%.3f wall_s=%.3f delivered_per_s=%.0f "
        "events=%llu events_per_s=%.0f peak_rss_mb=%.1f bytes_per_idle_host=%llu cpu_s=%.3f "
        "cpu_us_per_message=%.1f\n",
        static_cast<unsigned long long>(delivered_), static_cast<unsigned long long>(args_.messages),
        sim_.now() / 1e9, wall_s_, delivered_ / wall, static_cast<unsigned long long>(sim_.events_run()),
        sim_.events_run() / wall, peak_rss_mb(), static_cast<unsigned long long>(idle_host_bytes_), cpu_s_,
        cpu_s_ * 1e6 / static_cast<double>(std::max<std::uint64_t>(1, delivered_)));
  }

 private:
  enum : std::uint8_t { kPending, kDelivered, kRefused };

  // CPU time of the process (every thread; the run has one), which a machine shared with
  // other work does not inflate as it does wall time.
  static double cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
  }

  static double wall_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }

  Host* add_host(std::string name, std::uint32_t address) {
    auto h = std::make_unique<Host>();
    net_.add_host(name, address);
    h->rt = std::make_unique<scenario::SimRuntime>(sim_, net_, trace_, std::move(name), dotted(address),
                                                   h->disk);
    hosts_.push_back(std::move(h));
    return hosts_.back().get();
  }

  void send_next() {
    const std::uint64_t n = next_++;
    std::uniform_int_distribution<std::uint64_t> dom(0, args_.domains - 1), usr(0, args_.users - 1);
    const std::uint64_t from_d = dom(pick_), from_u = usr(pick_);
    std::uint64_t to_d = dom(pick_);
    const std::uint64_t to_u = usr(pick_);
    // In an outage, mail within a domain would be delivered locally: send it next door.
    if (args_.outage && to_d == from_d && args_.domains > 1) to_d = (to_d + 1) % args_.domains;
    mua::SubmitJob job;
    job.draft.from = user_address(from_u, from_d);
    job.draft.to = {user_address(to_u, to_d)};
    job.draft.subject = "bench " + std::to_string(n);
    job.draft.body = body_;
    job.server_address = mx_hosts_[from_d]->rt->address();
    job.port = 25;
    if (args_.tls) {
      job.tls = smtp::TlsLevel::Encrypt;
      job.tls_client = mua_tls_[from_d].get();
      job.server_name = "mx." + domains_[from_d];
    }
    job.unique = n + 1;  // the Message-ID carries it: <date.(n+1)@mua.dI.bench>
    if (!senders_.empty()) {
      senders_[n] = job.draft.from;
      recipients_[n] = job.draft.to.front();
    }
    std::size_t slot;
    if (!free_slots_.empty()) {
      slot = free_slots_.back();
      free_slots_.pop_back();
    } else {
      slot = submitters_.size();
      submitters_.emplace_back();
      slot_message_.emplace_back();
    }
    slot_message_[slot] = n;
    // [this, slot] fits std::function's inline storage; the message number waits in
    // slot_message_ (one allocation less per message).
    submitters_[slot] = std::make_unique<mua::Submitter>(
        *muas_[from_d]->rt, std::move(job), [this, slot](const mua::SubmitResult& r) {
          const std::uint64_t sent = slot_message_[slot];
          if (!r.accepted) {
            state_[sent] = kRefused;
            if (!refusals_.empty()) refusals_[sent] = r.detail;
            ++failed_;
          }
          // Freed from a fresh event: the submitter may be calling us from its own code.
          sim_.after(0, [this, slot] {
            submitters_[slot].reset();
            free_slots_.push_back(slot);
          });
        });
    submitters_[slot]->start();
    if (next_ < args_.messages) {
      const auto when = static_cast<sim::Time>(static_cast<double>(next_) * 1e9 /
                                               static_cast<double>(std::max<std::uint64_t>(1, args_.rate)));
      sim_.at(std::max(when, sim_.now()), [this] { send_next(); });
    }
  }

  // "uU@dD.bench", built in place (formatting it anew cost more than the rest of the job).
  std::string user_address(std::uint64_t u, std::uint64_t d) const {
    char digits[20];
    const auto end = std::to_chars(digits, digits + sizeof digits, u).ptr;
    std::string s;
    s.reserve(2 + static_cast<std::size_t>(end - digits) + domains_[d].size());
    s += 'u';
    s.append(digits, end);
    s += '@';
    s += domains_[d];
    return s;
  }

  void delivered(const mta::DeliveryRecord& r) {
    // "<date.(n+1)@mua.dI.bench>"
    const auto at = r.message_id.find('@');
    const auto dot = at == std::string::npos ? std::string::npos : r.message_id.rfind('.', at);
    std::uint64_t n = 0;
    bool ok = dot != std::string::npos && at > dot + 1;
    for (std::size_t i = dot + 1; ok && i < at; ++i) {
      if (r.message_id[i] < '0' || r.message_id[i] > '9') ok = false;
      n = n * 10 + static_cast<std::uint64_t>(r.message_id[i] - '0');
    }
    if (!ok || n == 0 || n > args_.messages || state_[n - 1] == kDelivered) {
      ++unexpected_;
      return;
    }
    state_[n - 1] = kDelivered;
    ++delivered_;
  }

  static constexpr std::uint64_t kKeepAddresses = 100000;  // name lost messages up to this M

  MailArgs args_;
  // --tls: made once before the run; they outlive the simulation, its hosts, MTAs
  // and submitters (declared before them, destroyed after).
  std::shared_ptr<tls::LibraryContext> tls_lib_;
  std::unique_ptr<tls::CertificateAuthority> tls_ca_;
  std::vector<std::unique_ptr<tls::ServerContext>> tls_servers_;
  std::vector<std::unique_ptr<tls::ClientContext>> tls_clients_;  // one per MTA
  std::vector<std::unique_ptr<tls::ClientContext>> mua_tls_;      // one per user-agent host
  sim::Simulator sim_;
  sim::TraceRecorder trace_;
  sim::Network net_;
  std::mt19937_64 pick_;
  std::vector<std::unique_ptr<Host>> hosts_;
  std::vector<Host*> muas_;
  std::vector<Host*> mx_hosts_;  // domain i's MX (its user agents' MSA)
  std::vector<std::string> domains_;  // domain i's name
  std::vector<std::unique_ptr<services::DnsServer>> dns_servers_;
  std::vector<std::unique_ptr<mta::Mta>> mtas_;
  std::vector<std::unique_ptr<mua::Submitter>> submitters_;
  std::vector<std::uint64_t> slot_message_;  // the message each submitter sends
  std::vector<std::size_t> free_slots_;
  std::vector<std::uint8_t> state_;
  std::vector<std::string> senders_, recipients_, refusals_;
  std::string body_;
  std::uint64_t next_ = 0, delivered_ = 0, failed_ = 0, unexpected_ = 0;
  std::uint64_t idle_host_bytes_ = 0;
  std::shared_ptr<const auth::DkimPrivateKey> dkim_key_;  // --auth: every domain's key
  std::uint64_t queued_ = 0;
  std::size_t heap_at_start_ = 0, heap_at_end_ = 0;
  double wall_s_ = 0;
  double cpu_s_ = 0;

 public:
  std::uint64_t unexpected() const { return unexpected_; }
};

}  // namespace

void register_bench_mail(CLI::App& bench, int& exit_code) {
  auto* mail = bench.add_subcommand("mail", "Full SMTP transactions: MUA, MSA, DNS, MX, MDA");
  auto args = std::make_shared<MailArgs>();
  mail->add_option("--domains", args->domains, "domains (one MX and one zone each)")->check(CLI::Range(1, 1000000));
  mail->add_option("--users", args->users, "users per domain")->check(CLI::Range(1, 1000000));
  mail->add_option("--messages", args->messages, "messages to send (M)")->check(CLI::Range(std::uint64_t{0}, std::uint64_t{1'000'000'000}));
  mail->add_option("--seed", args->seed, "seed of the run (who writes to whom)");
  mail->add_option("--rate", args->rate, "messages submitted per simulated second")->check(CLI::Range(1, 1000000000));
  mail->add_option("--size", args->size, "body octets per message");
  mail->add_option("--latency-ms", args->latency_ms, "one-way latency between hosts")->check(CLI::Range(0.0, 10000.0));
  mail->add_option("--dns-cache", args->dns_cache, "answers each MTA's resolver caches (0: none)")->check(CLI::Range(0, 1000000));
  mail->add_flag("--outage", args->outage, "no MX reachable: measure memory per queued message");
  mail->add_flag("--auth", args->auth, "every hop signed (DKIM) and checked (SPF, DKIM, DMARC)");
  mail->add_flag("--tls", args->tls, "every hop over TLS (STARTTLS, sessions resumed from each client's cache)");
  mail->add_flag("--progress", args->progress, "a progress line every 100,000 deliveries");
  mail->callback([args, &exit_code] {
    if (args->domains * args->users > kMaxMailboxes) {
      // Every MTA knows its users: more than this is memory the machine does not have.
      std::fprintf(stderr, "bench mail: --domains x --users is %llu, at most %llu\n",
                   static_cast<unsigned long long>(args->domains * args->users),
                   static_cast<unsigned long long>(kMaxMailboxes));
      exit_code = 2;
      return;
    }
    MailBench b(*args);
    if (!b.build()) {
      exit_code = 2;
      return;
    }
    bool ok = b.run();
    b.report(ok);
    exit_code = ok && b.unexpected() == 0 ? 0 : 1;
  });
}

}  // namespace maillab::tools
