#include "protocols/mta/smtp_attempt.hpp"

#include <algorithm>
#include <charconv>

#include "protocols/dns/address.hpp"
#include "protocols/mta/mta_host.hpp"
#include "protocols/mta/mx_order.hpp"
#include "protocols/mta/next_hop.hpp"
#include "protocols/services/session_driver.hpp"

namespace maillab::mta {

namespace agent = io::trace::agent;
namespace ev = io::trace::ev;
namespace key = io::trace::key;

using Driver = services::SessionDriver<smtp::ClientSession>;

namespace {

std::string status_of(const smtp::Reply& r) {
  if (!r.enhanced.empty()) return r.enhanced;
  if (r.code >= 500) return "5.0.0";
  if (r.code >= 400) return "4.0.0";
  return "2.0.0";
}

// "<prefix>550 5.1.1 text" with the text's line ends as spaces, built in one string.
std::string one_line(const smtp::Reply& r, std::string_view prefix = {}) {
  const std::string text = r.text();
  std::string out;
  out.reserve(prefix.size() + 12 + r.enhanced.size() + text.size());
  out.append(prefix);
  char code[16];
  out.append(code, std::to_chars(code, code + sizeof code, r.code).ptr);
  if (!r.enhanced.empty()) out.append(1, ' ').append(r.enhanced);
  if (!text.empty()) {
    out += ' ';
    for (char c : text) out += c == '\r' || c == '\n' ? ' ' : c;
  }
  return out;
}

// "host[address]:port", for diagnostics.
std::string where_of(const std::string& host, const std::string& address, std::uint16_t port) {
  return host + "[" + address + "]:" + std::to_string(port);
}

// lowercase(text) == lower, without the copy (`lower` is lowercase already).
bool equals_lower(std::string_view text, std::string_view lower) {
  return text.size() == lower.size() &&
         std::equal(text.begin(), text.end(), lower.begin(),
                    [](char a, char b) { return ascii_lower(a) == b; });
}

// The host name a greeting starts with (RFC 5321 4.2: "220 " Domain), lowercased, or ""
// when the first word is no LDH host name (letters, digits, hyphens, dots; a letter in
// it, so an address is no name). A peer's text: checked before it goes into a DSN.
std::string greeting_host(const smtp::Reply& greeting) {
  if (greeting.code != 220 || greeting.lines.empty()) return {};
  const std::string_view line = greeting.lines.front();
  const std::string_view word = line.substr(0, line.find(' '));
  bool letter = false;
  for (char c : word) {
    const char l = ascii_lower(c);
    letter = letter || (l >= 'a' && l <= 'z');
    if (!((l >= 'a' && l <= 'z') || (l >= '0' && l <= '9') || l == '-' || l == '.')) return {};
  }
  if (!letter || word.size() > 253 || word.front() == '.' || word.front() == '-') return {};
  return lowercase(std::string(word));
}

}  // namespace

smtp::TlsLevel tls_level(std::string_view smtp_tls_security_level) {
  if (smtp_tls_security_level == "may") return smtp::TlsLevel::May;
  if (smtp_tls_security_level == "encrypt") return smtp::TlsLevel::Encrypt;
  if (smtp_tls_security_level == "verify" || smtp_tls_security_level == "secure") return smtp::TlsLevel::Verify;
  return smtp::TlsLevel::None;
}

// One SMTP connection to one target; owned by the attempt.
class SmtpAttempt::Connection {
 public:
  Connection(SmtpAttempt& owner, Target target) : owner_(owner), target_(std::move(target)) {}
  ~Connection() {
    alive_.reset();  // the aborted session's callback must not reach a dying attempt
    if (driver_) driver_->abort();
  }

  void start() {
    auto& rt = owner_.mta_.runtime();
    std::weak_ptr<bool> alive = alive_;
    if (rt.tracing()) {
      rt.trace(agent::kMta, ev::kSmtpConnect,
               {{key::kId, owner_.lead_id()},
                {key::kPeer, target_.address},
                {key::kMx, target_.host},
                {key::kPort, std::to_string(target_.port)}});
    }
    rt.connect(target_.address, target_.port, owner_.mta_.config().queue.smtp_connect_timeout,
               [this, alive](io::ConnectStatus st, io::ConnectionPtr c) {
                 if (alive.expired()) return;
                 on_connect(st, std::move(c));
               });
  }

  const Target& target() const { return target_; }
  // The name DSNs give the next hop (Remote-MTA): the MX or domain it was found by; for
  // a next hop written as an address ("[10.0.0.2]:25", serve --route), the name its
  // greeting gave, else its address.
  std::string remote_name() const {
    if (target_.host != target_.address && target_.host.find(':') == std::string::npos) return target_.host;
    return greeting_host_.empty() ? target_.address : greeting_host_;
  }
  bool connected() const { return connected_; }
  bool next_hop_dsn() const { return dsn_; }
  io::ConnectStatus connect_status() const { return status_; }
  const std::vector<smtp::TransactionOutcome>& outcomes() const { return outcomes_; }
  // The jobs this session carries, in transaction order.
  const std::vector<std::size_t>& jobs() const { return jobs_; }

 private:
  void on_connect(io::ConnectStatus st, io::ConnectionPtr c) {
    status_ = st;
    auto& rt = owner_.mta_.runtime();
    if (st != io::ConnectStatus::Connected) {
      rt.trace(agent::kMta, ev::kSmtpConnectFailed,
               {{key::kId, owner_.lead_id()},
                {key::kPeer, target_.address},
                {key::kReason, st == io::ConnectStatus::Refused ? "refused" : "timed out"}});
      owner_.on_session_end(*this);
      return;
    }
    connected_ = true;
    smtp::ClientConfig cfg;
    cfg.helo_name = owner_.mta_.hostname();
    const MtaConfig& m = owner_.mta_.config();
    cfg.tls = tls_level(m.smtp_tls_security_level);
    if (!m.tls_client && cfg.tls == smtp::TlsLevel::May) cfg.tls = smtp::TlsLevel::None;
    cfg.chunking = owner_.mta_.config().smtp_chunking;
    cfg.line_length_limit = owner_.mta_.config().smtp_line_length_limit;
    cfg.peer_name = target_.host + "[" + target_.address + "]";  // Postfix's "name[addr]"
    if (m.relayhost_auth && !m.relayhost.empty() && !m.transport.count(owner_.domain())) {
      cfg.auth = m.relayhost_auth;
      cfg.auth_needs_tls = true;
      cfg.auth_soft_bounce = true;
    }
    driver_ = std::make_shared<Driver>(rt, std::move(c), std::move(cfg));
    if (m.tls_client) {
      // The MX's name as SNI and as the name a verify/secure level checks (RFC 7672 does
      // not apply: no DANE); sessions resumed per MX and port, as Postfix's cache.
      // `secure` checks the next hop instead (Postfix smtp_tls_secure_cert_match = nexthop,
      // dot-nexthop): the domain or a name under it, whatever the unsigned MX record said.
      std::vector<std::string> names{target_.host};
      if (m.smtp_tls_security_level == "secure") names = {owner_.lookup_name_, "." + owner_.lookup_name_};
      driver_->use_tls(*m.tls_client,
                       tls::ClientParams{target_.host, std::move(names), target_.host + ":" + std::to_string(target_.port)},
                       false);
    }
    auto& engine = driver_->engine();
    // Captures of one pointer: std::function keeps them without an allocation. The engine
    // dies with driver_, which this connection owns and aborts in its destructor.
    engine.on_exchange = [this](std::string_view sent, const smtp::Reply& reply) {
      if (sent.empty() && greeting_host_.empty()) greeting_host_ = greeting_host(reply);
      auto& runtime = owner_.mta_.runtime();
      if (!runtime.tracing()) return;
      // The reply belongs to the transaction after the finished ones (the greeting and
      // EHLO to the first; QUIT to the last): each message's lines carry its own id.
      const std::size_t done = std::min(driver_->engine().outcomes().size(), jobs_.size() - 1);
      runtime.trace(agent::kMta, ev::kSmtpOut,
                    {{key::kId, owner_.jobs_[jobs_[done]].queue_id},
                     {key::kPeer, target_.address},
                     {key::kCommand, std::string(sent)},
                     {key::kCode, std::to_string(reply.code)},
                     {key::kReply, one_line(reply)}});
    };
    // One transaction per unsettled job, in order. The last target is the last use of a
    // message: it moves into the engine.
    const bool last_target = owner_.next_target_ >= owner_.targets_.size();
    for (std::size_t j = 0; j < owner_.jobs_.size(); ++j) {
      Job& job = owner_.jobs_[j];
      if (job.done()) continue;
      jobs_.push_back(j);
      engine.add(last_target ? std::move(job.message) : job.message);
    }
    engine.finish();
    driver_->start([this](io::CloseKind) {
      if (!alive_) return;  // reset by the destructor, which aborts the session
      outcomes_ = driver_->engine().take_outcomes();
      dsn_ = driver_->engine().extensions().count("DSN") != 0;
      driver_.reset();
      owner_.on_session_end(*this);
    });
  }

  SmtpAttempt& owner_;
  Target target_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  std::shared_ptr<Driver> driver_;
  bool connected_ = false;
  bool dsn_ = false;  // the server announced DSN (RFC 3461)
  std::string greeting_host_;
  io::ConnectStatus status_ = io::ConnectStatus::TimedOut;
  std::vector<smtp::TransactionOutcome> outcomes_;
  std::vector<std::size_t> jobs_;
};

SmtpAttempt::SmtpAttempt(MtaHost& mta, std::string queue_id, std::string domain,
                         std::vector<std::size_t> rcpt_indices, smtp::OutgoingMessage message,
                         Done done)
    : mta_(mta), domain_(lowercase(std::move(domain))), done_(std::move(done)) {
  join(std::move(queue_id), std::move(rcpt_indices), std::move(message));
}

SmtpAttempt::~SmtpAttempt() { mta_.runtime().cancel_timer(done_timer_); }

bool SmtpAttempt::Job::done() const {
  return std::all_of(settled.begin(), settled.end(), [](bool s) { return s; });
}

void SmtpAttempt::join(std::string queue_id, std::vector<std::size_t> rcpt_indices, smtp::OutgoingMessage message) {
  Job job;
  job.queue_id = std::move(queue_id);
  job.outcomes.resize(rcpt_indices.size());
  job.settled.assign(rcpt_indices.size(), false);
  job.rcpt_indices = std::move(rcpt_indices);
  job.message = std::move(message);
  jobs_.push_back(std::move(job));
}

bool SmtpAttempt::joinable() const { return !finished_ && !(connection_ && connection_->connected()); }

const std::string& SmtpAttempt::lead_id() const {
  for (const Job& job : jobs_) {
    if (!job.done()) return job.queue_id;
  }
  return jobs_.front().queue_id;
}

void SmtpAttempt::start() {
  std::optional<NextHop> hop = configured_next_hop(mta_.config(), domain_);
  if (hop) {
    // relayhost or transport: the configured next hop instead of the domain's MX records.
    auto& rt = mta_.runtime();
    if (rt.tracing()) {
      rt.trace(agent::kMta, ev::kRouteNexthop, {{key::kId, lead_id()}, {key::kDomain, domain_}, {key::kMx, hop->text()}});
    }
    port_ = hop->port;
    lookup_name_ = hop->host;
    if (hop->literal) {
      targets_.push_back(Target{hop->host, hop->host, port_});
      try_next_target();
      return;
    }
  } else {
    lookup_name_ = domain_;
  }
  auto* resolver = mta_.resolver();
  if (!resolver) {
    fail_all(AttemptOutcome::Kind::Deferred, "4.3.5",
             "X-maillab; no DNS resolver configured for " + mta_.hostname());
    return;
  }
  if (hop && !hop->mx_lookup) {
    // [host]: its address records only (Postfix: no MX lookup).
    resolver->lookup(lookup_name_, dns::Type::A, [this](const dns::LookupResult& a) { on_implicit_a(a); });
    return;
  }
  resolver->lookup(lookup_name_, dns::Type::MX, [this](const dns::LookupResult& r) { on_mx(r); });
}

void SmtpAttempt::on_mx(const dns::LookupResult& r) {
  using O = dns::Outcome;
  auto& rt = mta_.runtime();
  switch (r.outcome) {
    case O::NxDomain:
      fail_all(AttemptOutcome::Kind::Failed, "5.4.4",
               "X-maillab; Host or domain name not found. Name service error for name=" +
                   lookup_name_ + " type=MX: Host not found");
      return;
    case O::NoData:
      // RFC 5321 5.1: no MX -> the domain itself is the implicit MX.
      rt.trace(agent::kMta, ev::kRouteImplicitMx, {{key::kId, lead_id()}, {key::kDomain, lookup_name_}});
      mta_.resolver()->lookup(lookup_name_, dns::Type::A,
                              [this](const dns::LookupResult& a) { on_implicit_a(a); });
      return;
    case O::Answer:
      break;
    default:
      fail_all(AttemptOutcome::Kind::Deferred, "4.4.3",
               "X-maillab; Host or domain name not found. Name service error for name=" +
                   lookup_name_ + " type=MX: Host not found, try again");
      return;
  }
  std::vector<Mx> records;
  records.reserve(r.answers.size());
  for (const auto& rr : r.answers) {
    if (const auto* mx = std::get_if<dns::MxData>(&rr.data))
      records.push_back(Mx{mx->preference, lowercase(mx->exchange), {}});
  }
  MxRoute route = order_mx(std::move(records), mta_.hostname(), [&rt]() -> std::mt19937_64& { return rt.rng("mx"); });
  switch (route.verdict) {
    case MxRoute::Verdict::NullMx:
      fail_all(AttemptOutcome::Kind::Failed, "5.1.10",
               "X-maillab; Domain " + lookup_name_ + " does not accept mail (nullMX)");
      return;
    case MxRoute::Verdict::LoopsToSelf:
      fail_all(AttemptOutcome::Kind::Failed, "5.4.6", "X-maillab; mail for " + lookup_name_ + " loops back to myself");
      return;
    case MxRoute::Verdict::Route:
      break;
  }
  std::vector<Mx>& mxs = route.hosts;
  // Addresses from the additional section when the server gave them.
  for (auto& mx : mxs) {
    for (const auto& rr : r.additional) {
      const auto* a = std::get_if<dns::AData>(&rr.data);
      if (a && equals_lower(rr.name, mx.host)) mx.addresses.push_back(dns::ipv4_to_string(a->address));
    }
  }
  if (rt.tracing()) {
    std::string list;
    for (const auto& mx : mxs) list += (list.empty() ? "" : " ") + std::to_string(mx.preference) + ":" + mx.host;
    rt.trace(agent::kMta, ev::kRouteMx, {{key::kId, lead_id()}, {key::kDomain, lookup_name_}, {key::kMx, list}});
  }
  mxs_ = std::move(mxs);
  mx_resolving_ = 0;
  resolve_next_mx();
}

void SmtpAttempt::resolve_next_mx() {
  while (mx_resolving_ < mxs_.size() && !mxs_[mx_resolving_].addresses.empty()) {
    for (const auto& a : mxs_[mx_resolving_].addresses) {
      targets_.push_back(Target{mxs_[mx_resolving_].host, a, port_});
    }
    ++mx_resolving_;
  }
  if (mx_resolving_ == mxs_.size()) {
    if (targets_.empty()) {
      fail_all(AttemptOutcome::Kind::Deferred, "4.4.3",
               "X-maillab; Host or domain name not found for every MX of " + lookup_name_);
      return;
    }
    try_next_target();
    return;
  }
  const std::string host = mxs_[mx_resolving_].host;
  mta_.resolver()->lookup(host, dns::Type::A, [this](const dns::LookupResult& a) {
    auto& mx = mxs_[mx_resolving_];
    if (a.outcome == dns::Outcome::Answer) {
      for (const auto& rr : a.answers) {
        if (const auto* ad = std::get_if<dns::AData>(&rr.data)) {
          mx.addresses.push_back(dns::ipv4_to_string(ad->address));
        }
      }
    }
    // An MX without an address is skipped (Postfix logs it and goes on).
    for (const auto& addr : mx.addresses) targets_.push_back(Target{mx.host, addr, port_});
    ++mx_resolving_;
    resolve_next_mx();
  });
}

void SmtpAttempt::on_implicit_a(const dns::LookupResult& r) {
  if (r.outcome == dns::Outcome::Answer) {
    for (const auto& rr : r.answers) {
      if (const auto* a = std::get_if<dns::AData>(&rr.data)) {
        targets_.push_back(Target{lookup_name_, dns::ipv4_to_string(a->address), port_});
      }
    }
  }
  if (!targets_.empty()) {
    try_next_target();
    return;
  }
  if (r.outcome == dns::Outcome::NxDomain || r.outcome == dns::Outcome::NoData ||
      r.outcome == dns::Outcome::Answer) {
    fail_all(AttemptOutcome::Kind::Failed, "5.4.4",
             "X-maillab; Host or domain name not found. Name service error for name=" + lookup_name_ +
                 " type=A: Host not found");
  } else {
    fail_all(AttemptOutcome::Kind::Deferred, "4.4.3",
             "X-maillab; Host or domain name not found. Name service error for name=" + lookup_name_ +
                 " type=A: Host not found, try again");
  }
}

void SmtpAttempt::try_next_target() {
  if (next_target_ >= targets_.size()) {
    fail_all(AttemptOutcome::Kind::Deferred, last_error_status_, last_error_);
    return;
  }
  connection_ = std::make_shared<Connection>(*this, targets_[next_target_++]);
  connection_->start();
}

void SmtpAttempt::on_session_end(Connection& c) {
  const Target& t = c.target();
  if (!c.connected()) {
    last_error_status_ = "4.4.1";
    last_remote_.clear();  // nobody answered
    last_error_ = "X-maillab; connect to " + where_of(t.host, t.address, t.port) +
                  (c.connect_status() == io::ConnectStatus::Refused ? ": Connection refused"
                                                                     : ": Connection timed out");
    auto keep = connection_;
    mta_.runtime().start_timer(0, [this, keep] { try_next_target(); });
    return;
  }
  const auto& outs = c.outcomes();
  last_remote_ = c.remote_name();  // it answered: DSNs name it as Remote-MTA
  bool all_settled = true;
  bool error_taken = false;  // last_error_ is the first unsettled job's
  for (std::size_t k = 0; k < c.jobs().size(); ++k) {
    Job& job = jobs_[c.jobs()[k]];
    const smtp::TransactionOutcome* o = k < outs.size() ? &outs[k] : nullptr;
    if (settle_job(job, o, c)) continue;
    all_settled = false;
    if (error_taken) continue;
    error_taken = true;
    if (o && !o->rcpts.empty()) {
      const auto& rep = o->rcpts.front().reply;
      // Even a 5xx greeting only sends us to the next MX (Postfix smtp_skip_5xx_greeting).
      last_error_status_ = rep.transient() ? status_of(rep) : "4.0.0";
      last_error_ = one_line(rep, "smtp; ");
    } else if (o && o->mail_reply.code != 0) {
      last_error_status_ = status_of(o->mail_reply);
      last_error_ = one_line(o->mail_reply, "smtp; ");
    } else {
      last_error_status_ = "4.4.2";
      last_error_ = "X-maillab; lost connection with " + where_of(t.host, t.address, t.port);
    }
  }
  if (all_settled) return finish();
  auto keep = connection_;
  mta_.runtime().start_timer(0, [this, keep] { try_next_target(); });
}

bool SmtpAttempt::settle_job(Job& job, const smtp::TransactionOutcome* o, Connection& c) {
  const Target& t = c.target();
  if (o && o->not_sent && o->mail_reply.permanent()) {
    // This client's own verdict (SMTPUTF8 not offered, a SIZE over the server's limit):
    // reported by the local MTA, as Postfix's DSN_BY_LOCAL_MTA, and final for the
    // message: another MX of the domain is no better placed to take it.
    fail_job(job, AttemptOutcome::Kind::Failed, status_of(o->mail_reply), "X-maillab; " + o->mail_reply.text(), {});
    return true;
  }
  if (o && o->data_sent && !o->data_acknowledged) job.unconfirmed = true;
  if (!o || o->mail_reply.code == 0 || o->mail_reply.transient()) return false;  // the next target
  // Final per recipient for this attempt.
  for (std::size_t i = 0; i < job.rcpt_indices.size(); ++i) {
    if (job.settled[i]) continue;
    AttemptOutcome out;
    out.remote_mta = last_remote_;
    out.next_hop_dsn = c.next_hop_dsn();
    const smtp::Reply* rep = nullptr;
    if (o->mail_reply.permanent()) {
      rep = &o->mail_reply;
    } else if (i < o->rcpts.size()) {
      rep = &o->rcpts[i].reply;
    }
    if (!rep || rep->code == 0) {
      out.kind = AttemptOutcome::Kind::Deferred;
      out.status = "4.4.2";
      out.diagnostic = "X-maillab; lost connection with " + where_of(t.host, t.address, t.port);
    } else {
      out.kind = rep->positive_completion() ? AttemptOutcome::Kind::Delivered
                 : rep->permanent()         ? AttemptOutcome::Kind::Failed
                                            : AttemptOutcome::Kind::Deferred;
      out.status = status_of(*rep);
      out.diagnostic = one_line(*rep, "smtp; ");
      if (out.kind == AttemptOutcome::Kind::Delivered) {
        out.remote_address = t.address;
        out.next_id = smtp::queued_as(*rep);
      }
    }
    out.unconfirmed = job.unconfirmed;
    job.outcomes[i] = out;
    job.settled[i] = true;
  }
  return true;
}

void SmtpAttempt::fail_all(AttemptOutcome::Kind kind, std::string status, std::string diagnostic) {
  for (Job& job : jobs_) fail_job(job, kind, status, diagnostic, last_remote_);
  finish();
}

void SmtpAttempt::fail_job(Job& job, AttemptOutcome::Kind kind, const std::string& status,
                           const std::string& diagnostic, const std::string& remote) {
  for (std::size_t i = 0; i < job.rcpt_indices.size(); ++i) {
    if (job.settled[i]) continue;
    AttemptOutcome& out = job.outcomes[i];
    out.kind = kind;
    out.status = status;
    out.diagnostic = diagnostic;
    out.remote_mta = remote;
    out.unconfirmed = job.unconfirmed;
    job.settled[i] = true;
  }
}

void SmtpAttempt::finish() {
  if (finished_) return;
  finished_ = true;
  // Report from a fresh event: the caller may destroy this attempt.
  done_timer_ = mta_.runtime().start_timer(0, [this] {
    done_timer_ = 0;
    done_(*this);
  });
}

}  // namespace maillab::mta
