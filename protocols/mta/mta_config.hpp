// mta::MtaConfig: one MTA's settings, with Postfix's parameter names and defaults
// (postconf(5)), as a scenario's `mta:` block gives them (scenario-format.md).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <string_view>
#include <vector>

#include "base/ascii.hpp"
#include "base/ipv4.hpp"
#include "protocols/io/runtime.hpp"
#include "protocols/services/accounts.hpp"
#include "protocols/tls/context.hpp"

namespace maillab::auth {
class DkimPrivateKey;
}

namespace maillab::mta {

inline constexpr io::Time kSec = 1'000'000'000LL;

struct QueueParams {
  io::Time queue_run_delay = 300 * kSec;
  io::Time minimal_backoff_time = 300 * kSec;
  io::Time maximal_backoff_time = 4000 * kSec;
  io::Time maximal_queue_lifetime = 5 * 86400 * kSec;
  io::Time bounce_queue_lifetime = 5 * 86400 * kSec;
  io::Time delay_warning_time = 0;  // 0 = no delay warnings
  io::Time smtp_connect_timeout = 30 * kSec;
};

// IPv4 addresses and networks (Postfix mynetworks) as every layer reads them (base/ipv4.hpp).
using base::Cidr;
using base::parse_ipv4;

// Mail address helpers shared by the MTA's parts: ASCII lowercase (domains compare
// case-insensitively, RFC 5321 2.4), and "local@domain" split at the last '@' with the
// domain lowercased (no '@': all local part).
std::string lowercase(std::string s);
std::pair<std::string, std::string> split_address(const std::string& address);
// The same split as views into `address`, the domain as given (not lowercased): for
// case-insensitive checks that need no copy.
std::pair<std::string_view, std::string_view> split_address_view(std::string_view address);
using base::ascii_lower;

// A DKIM key this MTA signs with (scenario `mta.dkim`): mail from `domain` leaves signed.
struct DkimKey {
  std::string domain;    // d=, lowercase
  std::string selector;  // s=
  std::shared_ptr<const auth::DkimPrivateKey> key;
};

// What the SMTP server on port 25 verifies (scenario `mta.smtpd_checks`,
// docs/sender-auth.md).
enum class CheckMode { Off, Tag, Reject /* spf */, Enforce /* dmarc */ };
struct SmtpdChecks {
  CheckMode spf = CheckMode::Off;
  CheckMode dkim = CheckMode::Off;
  CheckMode dmarc = CheckMode::Off;
  bool any() const { return spf != CheckMode::Off || dkim != CheckMode::Off || dmarc != CheckMode::Off; }
  // DMARC needs both results, so it runs SPF and DKIM itself (as OpenDMARC does).
  bool run_spf() const { return spf != CheckMode::Off || dmarc != CheckMode::Off; }
  bool run_dkim() const { return dkim != CheckMode::Off || dmarc != CheckMode::Off; }
};

struct MtaConfig {
  std::string hostname;                        // myhostname ("" = the host's name)
  std::vector<std::string> domains;            // mydestination
  std::vector<std::string> relay_domains;      // relay_domains (backup MX)
  std::vector<Cidr> mynetworks;
  bool submission = false;                     // port 587 with AUTH
  std::string mailbox = "maildir";             // maildir | mbox
  QueueParams queue;
  std::uint64_t message_size_limit = 10240000;
  int hopcount_limit = 50;
  // Slowing down clients that make errors and guess passwords (docs/security.md).
  int smtpd_soft_error_limit = 10;
  int smtpd_hard_error_limit = 20;
  io::Time smtpd_error_sleep_time = 1 * kSec;
  io::Time anvil_rate_time_unit = 60 * kSec;
  int smtpd_client_auth_failure_limit = 30;  // per client address and time unit; 0: none
  // Local part (any case) -> targets.
  std::map<std::string, std::vector<std::string>, services::CaselessLess> aliases;
  services::Accounts users;  // who has a mailbox here, who may log in (and with what)
  std::string resolver;                        // DNS server address ("" = none)
  std::size_t resolver_cache = 0;              // answers the resolver caches (0 = none)
  // Where mail for a domain (lowercase) goes instead of its MX records: Postfix
  // transport_maps, the next hop in relayhost's syntax (next_hop.hpp), e.g. "[mx2.b.example]",
  // "[192.0.2.7]:2525" (serve --route).
  std::map<std::string, std::string> transport;
  std::string relayhost;  // every non-local domain goes there ("" = none); next_hop.hpp
  // Postfix smtp_sasl_auth_enable with smtp_sasl_password_maps for the relayhost: the user
  // and password the SMTP client logs in with (AUTH PLAIN, LOGIN if only that is offered)
  // on sessions to the relayhost, never in clear (ClientConfig::auth_needs_tls). Transport
  // entries do not use it.
  std::optional<std::pair<std::string, std::string>> relayhost_auth;
  // Mailbox size limits in bytes per user (any case), as Dovecot's quota plugin: a
  // delivery that would go over is deferred with 4.2.2 (quota_full_tempfail = yes) or
  // bounced with 5.2.2 (no). Users without an entry have no limit.
  std::map<std::string, std::uint64_t, services::CaselessLess> quotas;
  bool quota_full_tempfail = true;
  io::Time greylist = 0;  // postgrey's --delay on port 25 (greylist.hpp); 0 = no greylisting
  // Postfix discard(8) as every transport: accepted mail is queued as usual, then each
  // recipient is marked done without delivery (trace `discarded`). A sink for benchmarks.
  bool discard = false;
  std::vector<DkimKey> dkim;  // signing keys (mail_in_dkim_domain)
  SmtpdChecks smtpd_checks;
  // Answers the checks' own resolver keeps, each for its TTL (a receiving MTA sits behind a
  // caching resolver; SPF, DKIM keys and DMARC records repeat from message to message),
  // and as many DKIM key records kept parsed, by text (auth::DkimKeyCache).
  std::size_t auth_cache = 4096;
  // TLS (docs/tls.md), Postfix's names. The contexts belong to the world (or the bridge)
  // and outlive the MTA; no tls_server: no STARTTLS, no 465.
  tls::ServerContext* tls_server = nullptr;
  tls::ClientContext* tls_client = nullptr;
  bool smtps = false;                             // port 465, implicit TLS (RFC 8314)
  std::string smtpd_tls_security_level = "none";  // none | may | encrypt
  bool smtpd_tls_auth_only = false;
  std::string smtp_tls_security_level = "none";   // none | may | encrypt | verify | secure
  // The SMTP client sends BDAT (RFC 3030) to a next hop that offers CHUNKING. A lab
  // extension: Postfix's SMTP client always sends DATA, and so does this one by default.
  bool smtp_chunking = false;
  // Postfix smtp_connection_cache_on_demand: messages for one next-hop domain that are
  // ready at once (a queue run, a flush, a burst) share one SMTP session, one transaction
  // after another (smtp_attempt.hpp); false: one connection per message.
  bool smtp_connection_cache_on_demand = true;
  // Postfix smtp_line_length_limit: the SMTP client breaks content lines longer than this
  // (CRLF not counted) by inserting CRLF SP, so a next hop that enforces RFC 5321
  // 4.5.3.1.6's 1000 octets gets the whole message; 0: lines go as they are.
  std::size_t smtp_line_length_limit = 998;
  // Postfix smtputf8_enable: the SMTP server offers SMTPUTF8 (RFC 6531) and takes UTF-8
  // addresses in transactions that declare it.
  bool smtputf8_enable = true;
  // The SMTP server announces DSN (RFC 3461); false as Postfix with
  // smtpd_discard_ehlo_keywords = dsn (the lab's "hop without DSN").
  bool smtpd_dsn_enable = true;

  bool is_local_domain(std::string_view domain) const;
  bool is_relay_domain(std::string_view domain) const;
  bool in_mynetworks(std::string_view address) const;
};

}  // namespace maillab::mta
