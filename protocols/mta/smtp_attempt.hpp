// mta::SmtpAttempt: one delivery attempt of one queued message to the recipients of one
// next-hop domain, as Postfix's smtp(8) makes it:
//  0. a configured next hop (next_hop.hpp: transport, then relayhost) replaces the domain:
//     [host] is looked up as an address, host as a domain, an IPv4 literal not at all.
//  1. route (RFC 5321 5.1): the MX records in order_mx()'s order (mx_order.hpp: by
//     preference, ties in seeded random order, a null MX fails at once with 5.1.10, this
//     host and worse dropped, none left -> "mail loops back to myself", 5.4.6); no MX ->
//     the domain's own A record (implicit MX); NXDOMAIN fails (5.4.4); SERVFAIL or timeout
//     defers (4.4.3).
//  2. try every address of every MX in order: refused or timed out -> the next one; a
//     4xx/5xx greeting or a session lost before any recipient was answered -> the next one.
//  3. per recipient: 2xx delivered, 5xx failed, 4xx (or nothing) deferred.
// Connection cache on demand (Postfix smtp_connection_cache_on_demand): other messages for
// the same domain that become ready before the session opens join() the attempt; the
// session then carries one transaction per message (MAIL/RCPT/DATA, RSET after a failed
// one). Each message is a job with its own queue id (the trace's id of its transaction's
// lines) and its own outcomes: one message's 5xx or 4xx never settles another's. A job
// whose transaction got no usable answer (4xx to MAIL, the session lost before it) goes on
// to the next target with the other unsettled jobs.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "protocols/dns/lookup.hpp"
#include "protocols/io/runtime.hpp"
#include "protocols/mta/mx_order.hpp"
#include "protocols/smtp/client_session.hpp"

namespace maillab::mta {

class MtaHost;

// smtp_tls_security_level (Postfix's names) as the client engine's level; unknown: none.
smtp::TlsLevel tls_level(std::string_view smtp_tls_security_level);

struct AttemptOutcome {
  enum class Kind { Delivered, Failed, Deferred };
  Kind kind = Kind::Deferred;
  std::string status;      // RFC 3463, e.g. 4.4.1
  std::string diagnostic;  // "smtp; 550 5.1.1 ..." or a description
  std::string remote_mta;  // host name that answered, if any
  bool unconfirmed = false;  // the end of DATA was sent but never answered
  // Delivered only: the address that took it and the queue id its reply named ("queued
  // as"; empty when it named none): the link to the next hop in the trace.
  std::string remote_address;
  std::string next_id;
  bool next_hop_dsn = false;  // the next hop announced DSN (RFC 3461): NOTIFY went with it
};

class SmtpAttempt {
 public:
  using Done = std::function<void(SmtpAttempt&)>;

  SmtpAttempt(MtaHost& mta, std::string queue_id, std::string domain,
              std::vector<std::size_t> rcpt_indices, smtp::OutgoingMessage message, Done done);
  ~SmtpAttempt();

  void start();
  // Another message for the same next-hop domain, while joinable(): no session is open yet.
  void join(std::string queue_id, std::vector<std::size_t> rcpt_indices, smtp::OutgoingMessage message);
  bool joinable() const;
  const std::string& domain() const { return domain_; }

  std::size_t jobs() const { return jobs_.size(); }
  const std::string& queue_id(std::size_t job) const { return jobs_[job].queue_id; }
  const std::vector<std::size_t>& rcpt_indices(std::size_t job) const { return jobs_[job].rcpt_indices; }
  // Parallel to rcpt_indices(job).
  const std::vector<AttemptOutcome>& outcomes(std::size_t job) const { return jobs_[job].outcomes; }
  bool finished() const { return finished_; }

 private:
  struct Target {
    std::string host;     // MX name (or the domain, for an implicit MX)
    std::string address;  // dotted IPv4
    std::uint16_t port = 25;
  };
  using Mx = MxHost;
  class Connection;
  // One message of the attempt.
  struct Job {
    std::string queue_id;
    std::vector<std::size_t> rcpt_indices;
    smtp::OutgoingMessage message;
    std::vector<AttemptOutcome> outcomes;
    std::vector<bool> settled;
    bool unconfirmed = false;
    bool done() const;
  };

  void on_mx(const dns::LookupResult& r);
  void on_implicit_a(const dns::LookupResult& r);
  void resolve_next_mx();
  void try_next_target();
  void on_session_end(Connection& c);
  void fail_all(AttemptOutcome::Kind kind, std::string status, std::string diagnostic);
  void fail_job(Job& job, AttemptOutcome::Kind kind, const std::string& status, const std::string& diagnostic,
                const std::string& remote);
  // The session's answers for one job: settled, or false when it goes to the next target.
  bool settle_job(Job& job, const smtp::TransactionOutcome* o, Connection& c);
  // The queue id of the first job not yet settled (the session's lines before any MAIL).
  const std::string& lead_id() const;
  void finish();

  MtaHost& mta_;
  std::string domain_;
  std::string lookup_name_;  // what DNS is asked: the domain, or the configured next hop's host
  std::uint16_t port_ = 25;  // the next hop's port
  Done done_;
  std::vector<Job> jobs_;
  std::vector<Mx> mxs_;
  std::size_t mx_resolving_ = 0;
  std::vector<Target> targets_;
  std::size_t next_target_ = 0;
  std::string last_error_status_ = "4.4.1";
  std::string last_error_ = "no route to host";
  std::shared_ptr<Connection> connection_;
  io::TimerHandle done_timer_ = 0;
  std::string last_remote_;  // the last host that answered at all
  bool finished_ = false;
};

}  // namespace maillab::mta
