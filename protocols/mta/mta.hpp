// mta::Mta: a mail transfer agent as one service on one host, wired from parts cut along
// Postfix's daemons (docs/architecture.md "The MTA"): the SMTP server on port 25 (and
// submission on 587, smtps on 465) with SmtpdSession as its policy (smtpd), putting
// accepted mail into the queue here (cleanup: Received, aliases, DKIM, the queue id), the
// queue manager (Qmgr, qmgr.hpp: qmgr), SMTP attempts (smtp_attempt.hpp: smtp), local
// delivery through the MDA (local_delivery.hpp: local) and DSNs (bounce.hpp: bounce).
// Written against io::Runtime only, so the same object runs in the simulator and behind
// real sockets.
//
// Invariants:
// - A message answered with 250 is in the queue store (by default the host's disk:
//   queue/msg + queue/<state>, queue_store.hpp) first.
// - Everything volatile (sessions, timers, the in-memory index) dies with the object; a
//   host crash is "destroy the Mta", a boot is "construct one and start()": the queue is
//   reloaded from the store and the schedule resumes (retry times: qmgr.hpp).
// - Never a bounce to <>.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "protocols/auth/dkim_key_cache.hpp"
#include "protocols/auth/dns_client.hpp"
#include "protocols/io/runtime.hpp"
#include "protocols/message/message.hpp"
#include "protocols/mta/local_delivery.hpp"
#include "protocols/mta/mta_config.hpp"
#include "protocols/mta/mta_host.hpp"
#include "protocols/mta/qmgr.hpp"
#include "protocols/mta/queue_file.hpp"
#include "protocols/mta/submission.hpp"
#include "protocols/services/anvil.hpp"
#include "protocols/services/resolver.hpp"
#include "protocols/smtp/reply.hpp"
#include "protocols/smtp/server_config.hpp"

namespace maillab::mta {

class Greylist;

class Mta final : public MtaHost {
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
  void use_store(std::unique_ptr<mda::MailStore> store) { local_.use_store(std::move(store)); }
  // Keep the queue in `store` instead of the host's disk (it outlives this object, so a
  // queue in memory survives a "crash"). Call before start().
  void use_queue_store(QueueStore& store) { qmgr_.use_store(store); }

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
  void flush() { qmgr_.flush(); }

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
  bool is_local(std::string_view domain) const { return local_.is_local(domain); }

  const MtaConfig& config() const override { return *cfg_; }
  // myhostname: the configured one, else the host's name (Postfix's default).
  const std::string& hostname() const override;
  io::Runtime& runtime() override { return rt_; }
  // Failed AUTHs per client address, across sessions (anvil_rate_time_unit).
  services::Anvil& auth_failures() { return auth_failures_; }
  services::Resolver* resolver() override;  // null when no resolver is configured
  void enqueue_report(Submission&& report) override { enqueue(report); }
  // The sender-authentication checks' DNS (sender_checks.cpp): a resolver of their own
  // with a cache per TTL (auth_cache). Only with a configured resolver.
  auth::DnsClient& checks_dns();
  // Their DKIM key records already parsed, by text (auth_cache entries; null when 0).
  auth::DkimKeyCache* dkim_keys();

  // Read-only views (expectations, visualiser).
  std::size_t queued() const { return qmgr_.queued(); }  // messages in the queue
  std::vector<QueueFile> queue() const { return qmgr_.queue(); }
  std::function<void(const DeliveryRecord&)> on_delivered;

 private:
  // Both enqueue() overloads: S is const Submission& (copies) or Submission (moves).
  template <class S>
  smtp::Reply enqueue_impl(S&& s, const message::MessageView& msg);
  std::string new_queue_id();
  // DKIM-Signature fields on top of `content` for each key of its From domain
  // (dkim_signing.cpp): the message as it is queued is the message as it leaves.
  void dkim_sign(const QueueFile& q, std::string& content);
  void accept_connection(io::ConnectionPtr c, std::uint16_t port);
  // The SMTP server configuration of the listener on `port` (25 or 587), with the replies
  // its sessions share (smtp::ServerReplies): made for its first connection.
  const smtp::ServerConfig& smtpd_config(std::uint16_t port);
  std::vector<std::string> expand_aliases(const std::string& rcpt) const;
  // "local@<first local domain>" (or @myhostname): where a domain-less recipient goes.
  std::string local_address(std::string_view local) const;
  // One recipient: the same domain and local part (a local one in any case).
  bool same_recipient(std::string_view a, std::string_view b) const;

  io::Runtime& rt_;
  std::shared_ptr<const MtaConfig> cfg_;
  // The resolvers are made on first use (an idle host pays a pointer for each).
  std::unique_ptr<services::Resolver> resolver_;
  std::unique_ptr<services::Resolver> checks_resolver_;
  std::unique_ptr<auth::DnsClient> checks_dns_;
  std::unique_ptr<auth::DkimKeyCache> dkim_keys_;  // parsed key records (auth_cache entries)
  std::unique_ptr<Greylist> greylist_;  // made on first use, with cfg_->greylist
  // The configurations of the SMTP listeners, made on the first connection (an idle host
  // pays one pointer).
  struct Listeners;
  std::unique_ptr<Listeners> listeners_;
  std::set<std::shared_ptr<void>> sessions_;
  std::uint64_t id_counter_ = 0;
  services::Anvil auth_failures_;
  LocalDelivery local_;
  Qmgr qmgr_;
  std::shared_ptr<bool> token_ = std::make_shared<bool>(true);  // expires with the object
};

}  // namespace maillab::mta
