// scenario::World: one scenario brought to life: the simulator, the network, every host
// with its virtual disk and services (DNS, MTA, POP3), the scheduled events (mail sent and
// fetched, faults) and a record of what happened (trace, deliveries, submissions, fetches)
// that the expectation checker and the exporters read.
//
// A host crash destroys the host's services (volatile state) and keeps its disk; a boot
// builds them anew from the scenario and the disk (the MTA reloads its queue).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "protocols/dns/authority.hpp"
#include "protocols/io/disk.hpp"
#include "protocols/mta/mta.hpp"
#include "protocols/mda/maildir_plus_store.hpp"
#include "protocols/mua/fetcher.hpp"
#include "protocols/mua/imap_client.hpp"
#include "protocols/mua/submitter.hpp"
#include "protocols/services/dns_server.hpp"
#include "protocols/services/imap_server.hpp"
#include "protocols/services/pop3_server.hpp"
#include "protocols/webmail/browser.hpp"
#include "protocols/webmail/service.hpp"
#include "scenarios/dkim_keys.hpp"
#include "scenarios/loader.hpp"
#include "scenarios/model.hpp"
#include "scenarios/world_tls.hpp"
#include "scenarios/sim_runtime.hpp"
#include "sim/network.hpp"
#include "sim/simulator.hpp"
#include "sim/trace_recorder.hpp"

namespace maillab::scenario {

struct HostNode {
  const Host* spec = nullptr;
  io::MemoryDisk disk;
  // The disk the host's services use when WorldOptions::service_disk gave one (serve
  // --mailboxes: a write-through over `disk`); otherwise they use `disk` itself.
  std::unique_ptr<io::Disk> service_disk;
  std::unique_ptr<SimRuntime> runtime;
  bool up = true;
  // Volatile: gone with a crash.
  std::unique_ptr<mta::Mta> mta;
  std::unique_ptr<services::DnsServer> dns;
  std::unique_ptr<services::Pop3Server> pop3;
  // A host with `imap`: the one mail store its MDA, POP3 and IMAP share (a cache over the
  // Maildir++ files on its disk, made anew at boot), and the IMAP server on 143.
  std::unique_ptr<mda::MaildirPlusStore> mailboxes;
  std::unique_ptr<services::ImapServer> imap;
  std::unique_ptr<webmail::Service> webmail;  // a host with `webmail`: HTTP on port 80
  bool dns_refused = false;
};

struct Delivery {
  std::string host;
  mta::DeliveryRecord record;
};

struct SubmissionRecord {
  io::Time time = 0;
  std::string client, server;
  std::string subject;
  std::string content;  // as the MUA composed it
  bool accepted = false;
  std::string detail;
};

struct FetchRecord {
  io::Time time = 0;
  std::string user, server, client;
  mua::FetchResult result;
};

// Extra settings for building a world beyond what the scenario says (maillab serve).
struct WorldOptions {
  // MtaConfig::transport for every MTA host: domain (lowercase) -> next hop
  // ("[addr]:port", mta/next_hop.hpp).
  std::map<std::string, std::string> transport;
  // Called once per host when the world is built; a non-null result is the disk the
  // host's services use (it must keep `memory`, which the World reads, in step).
  std::function<std::unique_ptr<io::Disk>(const Host& host, io::MemoryDisk& memory)> service_disk;
  // TLS (docs/tls.md): the system's randomness instead of the seed's (`maillab serve`:
  // keys nobody can recompute), and where every context reports its secrets (NSS key
  // log lines, `--keylog FILE`; empty: nowhere).
  bool system_random = false;
  std::function<void(std::string_view line)> key_log;
  // Where browsers reach a TLS webmail's HTTPS (host name -> real port, serve --listen
  // HOST:https): its port 80 redirects there. Absent: 443.
  std::map<std::string, std::uint16_t> https_port;
};

class World {
 public:
  // Builds the world; a zone that does not parse is reported as a LoadError pointing into
  // the scenario file.
  static std::variant<std::unique_ptr<World>, LoadError> build(const Scenario& s,
                                                               std::uint64_t seed);
  static std::variant<std::unique_ptr<World>, LoadError> build(const Scenario& s,
                                                               std::uint64_t seed,
                                                               WorldOptions options);
  ~World();

  void run_until(io::Time end);

  // Apply an action now, as if a scenario event said so (the visualiser's fault buttons,
  // maillab chaos).
  void inject(const Action& action);
  // Called when a host crashes, after its services are gone and before the network marks
  // it down (tests plant bugs here, e.g. a queue that forgets its files).
  std::function<void(HostNode&)> on_crash;

  const Scenario& scenario() const { return scenario_; }
  sim::Simulator& simulator() { return sim_; }
  sim::Network& network() { return *net_; }
  sim::TraceRecorder& trace() { return trace_; }
  const sim::TraceRecorder& trace() const { return trace_; }
  const std::vector<Delivery>& deliveries() const { return deliveries_; }
  // Every delivery so far, kept or not.
  std::size_t delivery_count() const { return delivery_count_; }
  // false: deliveries are counted, not kept (a long `serve` would otherwise hold every
  // delivered message's bytes; the mailboxes keep theirs).
  void set_keep_deliveries(bool keep) { keep_deliveries_ = keep; }
  const std::vector<SubmissionRecord>& submissions() const { return submissions_; }
  const std::vector<FetchRecord>& fetches() const { return fetches_; }
  // The lab CA's certificate (PEM) that every client of the lab trusts; "" without TLS.
  std::string tls_ca_pem() const;
  const std::map<std::string, std::unique_ptr<HostNode>>& hosts() const { return hosts_; }
  HostNode* host(const std::string& name);

  // The queue of a host's MTA as on its disk (works while the host is down, too).
  std::vector<mta::QueueFile> queue_of(const std::string& host) const;
  // The bytes of a message in a host's queue, as on its disk (the visualiser's "as
  // queued"); nullopt when it is not queued there.
  std::optional<std::string> queued_content(const std::string& host, const std::string& queue_id) const;
  std::string mailbox_kind(const std::string& host) const;
  // `folder` of `user` on `host` as its Maildir++ files hold it now: messages and how many
  // are \Seen; nullopt when there is no such folder. (The `stored` check.)
  struct FolderCount {
    std::uint64_t messages = 0, seen = 0;
  };
  std::optional<FolderCount> stored(const std::string& host, const std::string& user, const std::string& folder) const;

 private:
  World(const Scenario& s, std::uint64_t seed);
  void boot(HostNode& h);
  void crash(HostNode& h);
  void apply(const Action& a);
  void do_send(const Send& s);
  // The on-path attacker of `strip_starttls` masked STARTTLS in bytes leaving `from`
  // (in the server's EHLO reply when `reply`, else in the client's command): traced.
  void report_stripped(sim::Address from, sim::Address to, bool reply);
  void do_fetch(const Fetch& f);
  void do_idle(const Idle& d);
  void do_dns_set(const DnsSet& d);
  std::optional<LoadError> check_dns_sets() const;
  // world_webmail.cpp: the webmail service of a host, `send ... via` and `fetch ...
  // protocol: webmail` (the user's browser on `client`).
  void boot_webmail(HostNode& h);
  void send_via_webmail(const Send& s);
  void fetch_via_webmail(const Fetch& f);
  void browse_https(webmail::BrowserJob& job, const HostNode& web, const HostNode& client);
  void save_sent(HostNode& client, HostNode& server, const Send& s, const std::string& content);
  // How a retrieving MUA on `client` is set up for `server` (1.1 `fetch.tls`, also what
  // `idle` and `save_sent` use): `mode` starttls | implicit | none, absent = starttls when
  // the server's host has `tls`, else none; with TLS it verifies and sends nothing in clear.
  mua::MuaTls mua_tls(const HostNode& client, const HostNode& server,
                      const std::optional<std::string>& mode) const;
  // An IMAP MUA on `client` for a `fetch` or `idle` (a FetchRecord) or a `save_sent`.
  mua::ImapClient& start_imap(HostNode& client, const HostNode& server, mua::ImapJob job, bool record);
  std::string password_of(const HostNode& server, const std::string& user,
                          const std::optional<std::string>& given) const;
  mta::MtaConfig mta_config(const Host& h) const;

  Scenario scenario_;
  WorldOptions options_;
  sim::Simulator sim_;
  sim::TraceRecorder trace_;
  std::unique_ptr<WorldTls> tls_;  // before hosts_: outlives every service
  std::unique_ptr<sim::Network> net_;
  std::map<std::string, std::unique_ptr<HostNode>> hosts_;
  // By DNS host; mutable for `dns_set` (the host's DnsServer reads the same object).
  std::map<std::string, std::shared_ptr<dns::Authority>> zones_;
  DkimKeys dkim_keys_;  // made from the seed, published in zones_
  std::vector<Delivery> deliveries_;
  std::size_t delivery_count_ = 0;
  bool keep_deliveries_ = true;
  std::vector<SubmissionRecord> submissions_;
  std::vector<FetchRecord> fetches_;
  std::vector<std::unique_ptr<mua::Submitter>> submitters_;
  std::vector<std::unique_ptr<mua::Fetcher>> fetchers_;
  std::vector<std::unique_ptr<mua::ImapClient>> imap_clients_;
  std::vector<std::unique_ptr<webmail::Browser>> browsers_;
  std::uint64_t mua_unique_ = 0;
};

}  // namespace maillab::scenario
