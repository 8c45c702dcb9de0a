// scenario::Scenario: the plain data of one scenario file (shared/spec/scenario-format.md,
// version 1, plus the extensions in docs/scenario-format.md). The loader (loader.hpp)
// produces it; the world builder, the runner and the expectation checker read it.
//
// Invariants of a Scenario returned by the loader:
// - every duration and time point is >= 0 nanoseconds; `duration_ns` > 0;
// - host names are unique lowercase DNS names, host addresses unique;
// - every host name an event or an expectation mentions names a declared host (or, for
//   `cut`/`loss`, a router of `network.links`); a send's server has an mta, a fetch's
//   server runs pop3; rates are within 0..1;
// - lists keep file order (hosts, events, expectations); the runner stable-sorts events
//   by time, so equal times run in file order.
// Defaults below are the format's (and Postfix's, for the queue). Everything that a later
// error may point at carries a Mark.
#pragma once

#include <cstdint>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/ipv4.hpp"
#include "scenarios/duration.hpp"

namespace maillab::scenario {

// A position in the scenario file, 1-based; line 0 means "not from a file".
struct Mark {
  int line = 0;
  int column = 0;
  friend bool operator==(const Mark&, const Mark&) = default;
};

// An IPv4 address: `value` in host byte order (as sim::Address), `text` in dotted form.
struct Ipv4 {
  std::uint32_t value = 0;
  std::string text;
};

// An IPv4 network (Postfix mynetworks); a bare address in the file is a /32. The loader
// refuses host bits, so `network` has none.
struct Cidr : base::Cidr {
  std::string text;  // as written
};

// ---- network ----------------------------------------------------------------------------

struct Link {
  std::string a, b;                      // host names, or routers (names that are no host)
  std::int64_t latency_ns = 0;           // one way; defaults to Network::latency_ns
  double loss = 0;                       // 0..1; defaults to Network::loss
  std::uint64_t bandwidth_bps = 0;       // 0 = unlimited
  Mark mark;
};

struct Network {
  std::int64_t latency_ns = 10 * kMillisecond;  // between any two hosts when no links
  double loss = 0;
  std::vector<Link> links;             // empty: full mesh at `latency_ns`
  std::vector<std::string> routers;    // link ends that are no host, first appearance first
};

// ---- hosts ------------------------------------------------------------------------------

// One zone file (BIND master-file syntax, RFC 1035 5.). For a block scalar (`- |`),
// `mark` is the first line of the text and the column its indentation starts at, so
// line k, column c of the text is line mark.line + k - 1, column mark.column + c - 1 of
// the scenario file.
struct ZoneText {
  std::string text;
  Mark mark;
};

struct DnsServer {
  std::vector<ZoneText> zones;
  Mark mark;
};

// Postfix names and defaults (postconf(5)).
struct QueueConfig {
  std::int64_t queue_run_delay_ns = 300 * kSecond;
  std::int64_t minimal_backoff_time_ns = 300 * kSecond;
  std::int64_t maximal_backoff_time_ns = 4000 * kSecond;
  std::int64_t maximal_queue_lifetime_ns = 5 * kDay;
  std::int64_t bounce_queue_lifetime_ns = 5 * kDay;
  std::int64_t delay_warning_time_ns = 0;  // 0 = no delay warnings
  std::int64_t smtp_connect_timeout_ns = 30 * kSecond;
};

// Sender authentication (scenario-format.md 1.1, docs/sender-auth.md).
// One DKIM signing domain of an MTA (`mta.dkim[]`): mail whose From is in `domain` is
// signed as it leaves; the key pair comes from the run seed.
struct DkimSigning {
  std::string domain;                    // d=
  std::string selector;                  // s=
  std::string algorithm = "rsa-sha256";  // or "ed25519-sha256"
  Mark mark;
};

// What the SMTP server on port 25 verifies (`mta.smtpd_checks`).
enum class CheckMode { Off, Tag, Reject /* spf */, Enforce /* dmarc */ };
struct SmtpdChecks {
  CheckMode spf = CheckMode::Off;    // off | tag | reject
  CheckMode dkim = CheckMode::Off;   // off | tag
  CheckMode dmarc = CheckMode::Off;  // off | tag | enforce
  bool any() const { return spf != CheckMode::Off || dkim != CheckMode::Off || dmarc != CheckMode::Off; }
};

struct MtaConfig {
  std::vector<std::string> domains;        // final destination (mydestination)
  std::vector<std::string> relay_domains;  // accepted from anyone and forwarded
  std::vector<Cidr> mynetworks;            // may relay anywhere without AUTH
  bool submission = false;                 // also port 587 with AUTH PLAIN/LOGIN
  std::string mailbox = "maildir";         // "maildir" | "mbox"
  QueueConfig queue;
  std::uint64_t message_size_limit = 10240000;  // bytes; 0 = no limit (as Postfix)
  std::map<std::string, std::vector<std::string>> aliases;  // local part -> targets
  bool discard = false;  // accept, queue, then discard instead of delivering (discard(8))
  // Postfix staples (loader_staples.cpp): next hops as Postfix writes them (next_hop.hpp).
  std::string relayhost;                        // "" = none
  std::optional<std::pair<std::string, std::string>> relayhost_auth;  // user, password
  std::map<std::string, std::string> transport;  // domain -> next hop
  bool quota_full_tempfail = true;
  std::int64_t greylist_ns = 0;  // postgrey's delay on port 25; 0 = off  // Dovecot: over quota is 4.2.2 (else 5.2.2, a bounce)
  bool loopback_only = false;  // inet_interfaces = loopback-only: SMTP ports refuse other hosts
  bool smtp_chunking = false;  // the SMTP client sends BDAT where CHUNKING is offered
  bool smtp_connection_cache_on_demand = true;  // one session for several messages
  bool smtputf8_enable = true;  // the SMTP server offers SMTPUTF8 (Postfix smtputf8_enable)
  // Slowing down clients that err and guess passwords (docs/security.md): Postfix's
  // names and defaults, a lab limit on failed AUTHs per client address, Dovecot's delay.
  int smtpd_soft_error_limit = 10;
  int smtpd_hard_error_limit = 20;
  std::int64_t smtpd_error_sleep_time_ns = 1 * kSecond;
  std::int64_t anvil_rate_time_unit_ns = 60 * kSecond;
  int smtpd_client_auth_failure_limit = 30;
  std::int64_t auth_failure_delay_ns = 2 * kSecond;
  std::vector<DkimSigning> dkim;  // file order
  SmtpdChecks smtpd_checks;
  // TLS (1.1, docs/tls.md), Postfix's names: "" = the default (may with a host `tls`, else
  // none; auth_only true with `tls`).
  bool smtps = false;                        // port 465, implicit TLS (RFC 8314)
  std::string smtpd_tls_security_level;      // none | may | encrypt
  std::optional<bool> smtpd_tls_auth_only;
  std::string smtp_tls_security_level = "may";  // none | may | encrypt | verify | secure
  Mark mark;
};

struct User {
  std::string name;                     // local part
  std::optional<std::string> password;  // absent: the user cannot log in
  std::optional<std::uint64_t> quota;   // mailbox size limit in bytes (Dovecot quota)
  Mark mark;
};

// A host's certificate from the lab's CA (`tls:`).
struct TlsSpec {
  std::vector<std::string> names;    // subject alternative names (default: the host name)
  std::string certificate = "valid";  // valid | expired | self-signed | wrong-name
  Mark mark;
};

// A webmail (`webmail:`, scenario-format.md 1.1 "Webmail"): HTTP on port 80, reading over
// IMAP at `imap` and sending on port 587 of `submission` with AUTH as the user.
struct WebmailSpec {
  std::string imap;
  std::string submission;
  Mark mark;
};

struct Host {
  std::string name;
  Ipv4 address;
  std::optional<TlsSpec> tls;
  std::optional<Ipv4> resolver;  // the DNS server this host asks
  std::optional<DnsServer> dns;
  std::optional<MtaConfig> mta;
  bool pop3 = false;   // port 110 (STLS when the host has tls)
  bool pop3s = false;  // port 995, implicit TLS (needs tls and pop3)
  bool imap = false;  // port 143 (scenario-format 1.1 "IMAP"); needs an mta with Maildir
  bool imaps = false;  // port 993, implicit TLS (needs tls)
  std::optional<WebmailSpec> webmail;
  std::map<std::string, User> users;
  Mark mark;  // the host's name in `hosts`
};

// ---- events -----------------------------------------------------------------------------

// A MUA composes one message and submits it.
struct Send {
  std::string from;
  std::vector<std::string> to, cc, bcc;  // at least one recipient in all
  std::string subject;
  std::string body;
  std::optional<std::string> client;     // where the MUA runs; absent: on `server`
  std::string server;                    // the MSA (587 with submission, else 25); with
                                         // `via`: the webmail's submission host if absent
  std::optional<std::string> auth;       // absent: local part of `from`; "none": no AUTH
  std::optional<std::string> password;   // absent: the user's own
  std::optional<std::string> tls;        // starttls | implicit | none; absent: starttls
                                         // when the server's host has tls, else none
  bool save_sent = false;                // then APPEND it to Sent over IMAP at `server`
  std::optional<std::string> via;        // a webmail host: the browser on `client` sends there
};

// A MUA retrieves mail.
struct Fetch {
  std::string user;
  std::string server;
  std::optional<std::string> client;     // absent: on `server`
  std::string protocol = "pop3";         // "pop3" | "imap" | "webmail" (1.1)
  bool delete_messages = false;          // `delete`: DELE each message, then QUIT (IMAP:
                                         // \Deleted and EXPUNGE)
  bool to_trash = false;                 // `delete: trash` (IMAP): MOVE them to Trash instead
  std::optional<std::string> password;
  std::optional<std::string> tls;        // starttls | implicit | none; absent: starttls
                                         // when the server's host has tls, else none
};

// A MUA stays logged in over IMAP with IDLE (RFC 2177) and fetches each new message as
// soon as the server reports it, until `until_ns` (absolute simulated time).
struct Idle {
  std::string user;
  std::string server;
  std::optional<std::string> client;     // absent: on `server`
  std::int64_t until_ns = 0;             // > the event's `at`
  std::optional<std::string> password;
};

struct HostState {  // `down: HOST` / `up: HOST`
  std::string host;
  bool up = false;
};

// kSmtps, kPop3s, kImaps and kHttps are implicit TLS (RFC 8314, RFC 9110 4.2.2): ports of
// their own for `serve --listen` and `refuse`/`accept`.
enum class Service { Smtp, Submission, Pop3, Dns, Imap, Smtps, Pop3s, Imaps, Http, Https };
constexpr std::string_view service_name(Service s) {
  switch (s) {
    case Service::Smtp: return "smtp";
    case Service::Submission: return "submission";
    case Service::Pop3: return "pop3";
    case Service::Imap: return "imap";
    case Service::Http: return "http";
    case Service::Https: return "https";
    case Service::Dns: return "dns";
    case Service::Smtps: return "smtps";
    case Service::Pop3s: return "pop3s";
    case Service::Imaps: return "imaps";
  }
  return "?";
}

struct PortState {  // `refuse: {host, service}` / `accept: {...}`
  std::string host;
  Service service = Service::Smtp;
  bool accept = false;
};

struct Cut {  // `cut: [A, B]` / `heal: [A, B]`; hosts or routers
  std::string a, b;
  bool heal = false;
};

struct Strip {  // `strip_starttls: [A, B]` / `unstrip_starttls: [A, B]`; hosts or routers
  std::string a, b;
  bool unstrip = false;
};

struct Loss {  // `loss: {between: [A, B], rate}`
  std::string a, b;
  double rate = 0;
};

struct DiskState {  // `disk_full: HOST` / `disk_ok: HOST`
  std::string host;
  bool full = true;
};

struct Flush {  // `flush: HOST`: postqueue -f on that MTA
  std::string host;
};

// `dns_set: {server, record}`: the operator edits a zone on a DNS host (nsupdate, RFC
// 2136): every record of each given record's name and type is replaced. The record lines
// are parsed when the world is built (errors point into the file, as for zones).
struct DnsSet {
  std::string server;
  std::vector<ZoneText> records;  // one record line each, in BIND master-file syntax
};

using Action = std::variant<Send, Fetch, HostState, PortState, Cut, Loss, DiskState, Flush, Idle, DnsSet, Strip>;

// The key the action was written with: send, fetch, down, up, refuse, accept, cut, heal,
// loss, disk_full, disk_ok, flush, idle, dns_set, strip_starttls,
// unstrip_starttls.
inline std::string_view action_name(const Action& action) {
  if (auto* h = std::get_if<HostState>(&action)) return h->up ? "up" : "down";
  if (auto* p = std::get_if<PortState>(&action)) return p->accept ? "accept" : "refuse";
  if (auto* c = std::get_if<Cut>(&action)) return c->heal ? "heal" : "cut";
  if (auto* d = std::get_if<DiskState>(&action)) return d->full ? "disk_full" : "disk_ok";
  if (std::holds_alternative<Flush>(action)) return "flush";
  if (std::holds_alternative<Idle>(action)) return "idle";
  if (std::holds_alternative<DnsSet>(action)) return "dns_set";
  if (auto* t = std::get_if<Strip>(&action)) return t->unstrip ? "unstrip_starttls" : "strip_starttls";
  return std::holds_alternative<Send>(action) ? "send"
         : std::holds_alternative<Fetch>(action) ? "fetch"
                                                 : "loss";
}

struct Event {
  std::int64_t at_ns = 0;
  Action action;
  Mark mark;  // the event's item in `events`
};

// ---- expectations -----------------------------------------------------------------------

struct Delivered {
  std::string to;
  std::optional<std::string> subject;
  std::optional<std::string> host;
  std::optional<std::int64_t> after_ns, before_ns;
};

struct NotDelivered {
  std::string to;
  std::optional<std::string> subject;
};

struct Relayed {  // at least one of subject and via is given
  std::optional<std::string> subject;
  std::optional<std::string> via;
  std::optional<bool> tls;  // the hop into `via` (else the last hop) was encrypted
};

struct Bounced {
  std::string to;
  std::optional<std::string> original_to;
  std::optional<std::string> status;  // a prefix: "5", "5.1", "5.1.1"
};

struct ReplyCheck {  // `reply:`
  std::string host;
  std::optional<int> code;             // absent: any reply
  std::optional<std::uint64_t> count;  // absent: at least once
};

struct Attempts {  // at least one of subject and host is given
  std::optional<std::string> subject;
  std::optional<std::string> host;
  std::optional<std::uint64_t> min, max;
};

struct QueueEmpty {
  std::string host;  // "all": every queue
  bool all() const { return host == "all"; }
};

struct Fetched {
  std::string user;
  std::optional<std::uint64_t> count;  // absent: at least one
  std::optional<bool> tls;             // count only retrievals that were (not) encrypted
};

// `authenticated:` the delivered message carries an Authentication-Results field with
// these results (each a result name of RFC 8601: pass, fail, softfail, ...).
struct Authenticated {
  std::string to;
  std::optional<std::string> subject;
  std::optional<std::string> spf, dkim, dmarc;
};

// At the end, `folder` of `user`'s mailbox on `host` holds `count` messages, `seen` of
// them \Seen (at least one of the two is given).
struct Stored {
  std::string user;
  std::string host;
  std::string folder = "INBOX";
  std::optional<std::uint64_t> count, seen;
};

using Check = std::variant<Delivered, NotDelivered, Relayed, Bounced, ReplyCheck, Attempts,
                           QueueEmpty, Fetched, Authenticated, Stored>;

// The key the check was written with (in the order of the variant).
inline constexpr std::string_view kCheckNames[] = {"delivered", "not_delivered", "relayed",
                                                   "bounced",   "reply",         "attempts",
                                                   "queue_empty", "fetched", "authenticated", "stored"};
static_assert(std::size(kCheckNames) == std::variant_size_v<Check>);
inline std::string_view check_name(const Check& check) { return kCheckNames[check.index()]; }

struct Expectation {
  Check check;
  Mark mark;
};

// ---- the scenario -----------------------------------------------------------------------

struct Scenario {
  std::string file;  // the label errors use: a path, or a built-in scenario's name
  std::string id;    // [a-z0-9-]+
  std::string title;
  std::string description;
  std::uint64_t seed = 1;
  std::int64_t duration_ns = 0;
  Network network;
  std::vector<Host> hosts;          // file order
  std::vector<Event> events;        // file order
  std::vector<Expectation> expect;  // file order

  const Host* find_host(std::string_view name) const {
    for (const Host& h : hosts)
      if (h.name == name) return &h;
    return nullptr;
  }
};

}  // namespace maillab::scenario
