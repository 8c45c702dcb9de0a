// mta::Mta: a mail transfer agent as one service on one host: the SMTP server on port 25
// (and the submission server on 587), the queue manager (Postfix qmgr: incoming, active,
// deferred, hold), the SMTP client that hands mail on hop by hop, and local delivery into
// mailboxes through the MDA. Written against io::Runtime only, so the same object runs in
// the simulator and behind real sockets.
//
// Invariants:
// - A message answered with 250 is on the host's disk (queue/msg + queue/<state>) first.
// - Everything volatile (sessions, timers, the in-memory index) dies with the object; a
//   host crash is "destroy the Mta", a boot is "construct one and start()": the queue is
//   reloaded from the disk and the schedule resumes.
// - Retry delay = time in queue clamped to [minimal_backoff_time, maximal_backoff_time];
//   deferred mail is picked up by the scan every queue_run_delay; mail older than
//   maximal_queue_lifetime (bounce_queue_lifetime for <>) is returned after its next
//   failed attempt (Postfix qmgr_active_done).
// - Never a bounce to <>.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "protocols/auth/dkim_key_cache.hpp"
#include "protocols/auth/dns_client.hpp"
#include "protocols/io/runtime.hpp"
#include "protocols/mda/mail_store.hpp"
#include "protocols/mta/bounce.hpp"
#include "protocols/mta/mta_config.hpp"
#include "protocols/message/message.hpp"
#include "protocols/mta/queue_file.hpp"
#include "protocols/services/anvil.hpp"
#include "protocols/services/resolver.hpp"
#include "protocols/smtp/reply.hpp"
#include "protocols/smtp/server_config.hpp"

namespace maillab::mta {

class Greylist;
class SmtpAttempt;
class SmtpdSession;

// One message put into a mailbox on this host (for expectations and the inspector).
struct DeliveryRecord {
  io::Time time;
  std::string user;
  std::string recipient;
  std::string queue_id;
  io::Bytes content;  // as stored (with Return-Path / Delivered-To); null for a "count" store
  std::string message_id;  // the message's Message-ID header
  std::string folder;      // "" the inbox; "Junk" for DMARC quarantine
};

// What a message handed to the MTA looks like before it is queued.
struct Submission {
  std::string sender;                 // "" = <>
  std::vector<std::string> rcpts;
  // RFC 3461 per recipient, beside rcpts (empty: none given): NOTIFY bits and ORCPT
  // ("type;address").
  struct RcptDsn {
    unsigned notify = 0;
    std::string orcpt;
  };
  std::vector<RcptDsn> rcpt_dsn;
  std::string content;                // CRLF, without our Received header
  std::string envid;
  bool ret_headers = false;
  std::string client;                 // "helo (unknown [addr])" or "local"
  std::string protocol = "ESMTP";     // for Received: SMTP, ESMTP(S)(A), local
  std::string tls;                    // for Received: "using TLSv1.3 with cipher ..."; "" = clear
  std::string helo, client_address;
  std::string client_name;            // forward-confirmed reverse DNS name; "" = unknown
  bool submitted = false;             // came through the MSA: add Message-ID/Date if missing
  std::string folder;                 // where local delivery files it ("" = the inbox)
  bool smtputf8 = false;              // MAIL ... SMTPUTF8 (RFC 6531): passed on to the next hop
};

class Mta {
 public:
  Mta(io::Runtime& rt, MtaConfig config);
  // Several MTAs may share one configuration (an empty hostname: each its runtime's).
  Mta(io::Runtime& rt, std::shared_ptr<const MtaConfig> config);
  ~Mta();
  Mta(const Mta&) = delete;
  Mta& operator=(const Mta&) = delete;

  // Boot: listen on 25 (and 587), reload the queue from disk, start the scans.
  void start();
  // Deliver into this store instead of the one `mailbox` names (a host with IMAP: the
  // MailboxMailStore over the store IMAP and POP3 share). Call before start().
  void use_store(std::unique_ptr<mda::MailStore> store) { store_ = std::move(store); }

  // Accept a message into the queue. The reply is what an SMTP server answers after
  // DATA: 250 only once the message is on disk.
  smtp::Reply enqueue(const Submission& s);
  // The same, with the content already parsed (smtpd parses it for the hop count): one
  // parse per hop. s.content is not read; `msg` views bytes that outlive the call.
  smtp::Reply enqueue(const Submission& s, const message::MessageView& msg);
  // The same, moving the envelope's strings out of `s` (its content is left alone).
  smtp::Reply enqueue(Submission&& s, const message::MessageView& msg);

  // postqueue -f: every deferred message is tried now, whatever its due time (trace
  // queue.flush). Mail on hold stays there.
  void flush();

  // The recipient check an SMTP server makes at RCPT TO (Postfix smtpd restrictions).
  smtp::Reply check_recipient(const std::string& address, const std::string& client_address,
                              bool authenticated) const;
  // The greylisting policy (postgrey) at RCPT on port 25, for a client that is neither in
  // mynetworks nor logged in: nullopt passes, else the 450 4.2.0 (greylist.hpp).
  std::optional<smtp::Reply> greylisted(const std::string& client_address, const std::string& sender,
                                        const std::string& recipient);
  // A local part with a mailbox or an alias here (any case; postmaster included).
  bool local_user_exists(std::string_view local) const;
  // A domain this host delivers to (mydestination, or its own name when it has none).
  bool is_local(std::string_view domain) const;

  const MtaConfig& config() const { return *cfg_; }
  // myhostname: the configured one, else the host's name (Postfix's default).
  const std::string& hostname() const;
  io::Runtime& runtime() { return rt_; }
  // Failed AUTHs per client address, across sessions (anvil_rate_time_unit).
  services::Anvil& auth_failures() { return auth_failures_; }
  services::Resolver* resolver();  // null when no resolver is configured
  // The sender-authentication checks' DNS (sender_checks.cpp): a resolver of their own
  // with a cache per TTL (auth_cache). Only with a configured resolver.
  auth::DnsClient& checks_dns();
  // Their DKIM key records already parsed, by text (auth_cache entries; null when 0).
  auth::DkimKeyCache* dkim_keys();

  // Read-only views (expectations, visualiser).
  std::size_t queued() const { return index_.size(); }  // messages in the queue
  std::vector<QueueFile> queue() const;
  std::function<void(const DeliveryRecord&)> on_delivered;

 private:
  friend class SmtpdSession;
  friend class SmtpAttempt;

  // Both enqueue() overloads: S is const Submission& (copies) or Submission (moves).
  template <class S>
  smtp::Reply enqueue_impl(S&& s, const message::MessageView& msg);
  std::string new_queue_id();
  // DKIM-Signature fields on top of `content` for each key of its From domain
  // (dkim_signing.cpp): the message as it is queued is the message as it leaves.
  void dkim_sign(const QueueFile& q, std::string& content);
  void reload_queue();
  void quarantine(const std::string& path);  // to queue/corrupt/, for an operator
  static constexpr const char* kCorruptDir = "queue/corrupt/";
  void schedule_scan();
  void scan();
  void activate(const std::string& id);
  void deliver_local(QueueFile& q, QueueRecipient& r, const io::Bytes& content);
  // The user's quota would be exceeded by `d` (quota.cpp): `r` is deferred (4.2.2) or
  // failed (5.2.2) and traced; false when it fits or the user has no quota.
  bool over_quota(const QueueFile& q, QueueRecipient& r, const mda::Delivery& d);
  void attempt_done(SmtpAttempt* attempt);
  void job_done(const SmtpAttempt& attempt, std::size_t job);  // one message's outcomes
  void active_done(const std::string& id);
  void send_dsn(const QueueFile& q, const std::vector<const QueueRecipient*>& rcpts, DsnKind kind);
  void suppress_dsn(const QueueFile& q, const std::vector<const QueueRecipient*>& rcpts, std::string_view why);
  bool save(QueueFile& q, QueueState next);
  void remove(QueueFile& q);
  void accept_connection(io::ConnectionPtr c, std::uint16_t port);
  // The SMTP server configuration of the listener on `port` (25 or 587), with the replies
  // its sessions share (smtp::ServerReplies): made for its first connection.
  const smtp::ServerConfig& smtpd_config(std::uint16_t port);
  std::vector<std::string> expand_aliases(const std::string& rcpt) const;
  // The declared user whose mailbox gets mail for `local` (postmaster included), or null.
  const std::string* mailbox_owner(std::string_view local) const;
  // "local@<first local domain>" (or @myhostname): where a domain-less recipient goes.
  std::string local_address(std::string_view local) const;
  // One recipient: the same domain and local part (a local one in any case).
  bool same_recipient(std::string_view a, std::string_view b) const;
  mda::MailStore& store();

  io::Runtime& rt_;
  std::shared_ptr<const MtaConfig> cfg_;
  // The resolver and the mailbox store are made on first use (an idle host pays two
  // pointers for them).
  std::unique_ptr<services::Resolver> resolver_;
  std::unique_ptr<mda::MailStore> store_;
  std::unique_ptr<services::Resolver> checks_resolver_;
  std::unique_ptr<auth::DnsClient> checks_dns_;
  std::unique_ptr<auth::DkimKeyCache> dkim_keys_;  // parsed key records (auth_cache entries)
  std::unique_ptr<Greylist> greylist_;  // made on first use, with cfg_->greylist
  // The configurations of the SMTP listeners, made on the first connection (an idle host
  // pays one pointer).
  struct Listeners;
  std::unique_ptr<Listeners> listeners_;
  std::map<std::string, QueueFile> index_;
  std::map<std::string, int> in_flight_;  // queue id -> SMTP attempts still running
  std::set<std::shared_ptr<void>> sessions_;
  std::vector<std::unique_ptr<SmtpAttempt>> attempts_;
  std::string path_;  // scratch for queue paths: built in place, not allocated per call
  std::uint64_t id_counter_ = 0;
  std::uint64_t unique_ = 0;
  io::Time boot_time_ = 0;
  io::TimerHandle scan_timer_ = 0;
  services::Anvil auth_failures_;
  std::shared_ptr<bool> token_ = std::make_shared<bool>(true);  // expires with the object
};

}  // namespace maillab::mta
