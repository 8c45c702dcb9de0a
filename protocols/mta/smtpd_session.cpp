#include "protocols/mta/smtpd_session.hpp"

#include <algorithm>

#include "protocols/auth/authentication_results.hpp"
#include "protocols/message/base64.hpp"
#include "protocols/message/message.hpp"
#include "protocols/mta/mta.hpp"
#include "protocols/mta/sender_checks.hpp"
#include "protocols/services/tls_trace.hpp"

namespace maillab::mta {

namespace agent = io::trace::agent;
namespace ev = io::trace::ev;
namespace key = io::trace::key;

SmtpdSession::SmtpdSession(Mta& mta, std::string peer_address, std::uint16_t port)
    : mta_(mta), peer_(std::move(peer_address)), port_(port) {}

SmtpdSession::~SmtpdSession() = default;

SenderChecks* SmtpdSession::checks() {
  // Port 25 only: the submission port serves the domain's own logged-in users.
  if (submission() || !mta_.config().smtpd_checks.any() || mta_.config().resolver.empty()) return nullptr;
  if (!checks_) checks_ = std::make_unique<SenderChecks>(mta_, peer_);
  return checks_.get();
}

void SmtpdSession::decide_later(smtp::Reply r) {
  std::weak_ptr<char> alive = alive_;
  mta_.runtime().start_timer(0, [this, alive, r = std::move(r)] {
    if (!alive.expired() && decide_) decide_(r);
  });
}

void SmtpdSession::on_abandoned() {
  if (checks_) checks_->cancel();
  held_.reset();
  disk_wait_ = 0;
}

smtp::ServerConfig SmtpdSession::server_config(const Mta& mta, std::uint16_t port) {
  smtp::ServerConfig c;
  c.hostname = mta.hostname();
  c.size_limit = mta.config().message_size_limit;
  c.smtputf8 = mta.config().smtputf8_enable;
  c.dsn = mta.config().smtpd_dsn_enable;
  if (port == 587 || port == 465) {
    c.auth_mechanisms = {"PLAIN", "LOGIN", "SCRAM-SHA-256"};
    c.auth_required = true;
  }
  const MtaConfig& m = mta.config();
  // STARTTLS where the host has a certificate and smtpd_tls_security_level is not none;
  // encrypt: MAIL only inside TLS; smtpd_tls_auth_only: AUTH only inside TLS.
  c.starttls = m.tls_server && port != 465 && m.smtpd_tls_security_level != "none";
  // encrypt without a certificate: MAIL is refused all the same (Postfix).
  c.tls_required = port != 465 && m.smtpd_tls_security_level == "encrypt";
  c.tls_auth_only = c.starttls && m.smtpd_tls_auth_only;
  c.soft_error_limit = m.smtpd_soft_error_limit;
  c.hard_error_limit = m.smtpd_hard_error_limit;
  c.error_sleep_time = std::chrono::milliseconds(m.smtpd_error_sleep_time / 1'000'000);
  return c;
}

smtp::Reply SmtpdSession::on_helo(std::string_view, bool) {
  return smtp::Reply::make(250, "", mta_.hostname());
}

bool SmtpdSession::storage_short(const smtp::MailParams& params) const {
  const io::Disk& disk = mta_.runtime().disk();
  if (disk.full()) return true;
  const std::optional<std::uint64_t> room = disk.free_bytes();
  if (!room) return false;
  const std::uint64_t limit = mta_.config().message_size_limit;
  if (limit > 0 && *room < limit + limit / 2) return true;  // 1.5 x message_size_limit
  return params.size && *params.size > *room;
}

smtp::Reply SmtpdSession::on_mail(const smtp::Envelope& env, const smtp::Path& from,
                                  const smtp::MailParams& params) {
  if (storage_short(params)) {
    return smtp::Reply::make(452, "4.3.1", "Insufficient system storage");
  }
  if (submission() && !env.auth_user.empty() && !from.is_null()) {
    // reject_sender_login_mismatch: the sender must be the user at one of our domains.
    bool owned = message::iequals(from.local, env.auth_user) && mta_.is_local(from.domain);
    if (!owned) {
      return smtp::Reply::make(553, "5.7.1",
                               from.bracketed() + ": Sender address rejected: not owned by user " +
                                   env.auth_user);
    }
  }
  if (SenderChecks* c = checks())
    return c->at_mail(env.helo, from, [this](smtp::Reply r) { decide_later(std::move(r)); });
  return smtp::Reply::make(250, "2.1.0", "Ok");
}

smtp::Reply SmtpdSession::on_rcpt(const smtp::Envelope& env, const smtp::Recipient& rcpt) {
  smtp::Reply reply = mta_.check_recipient(rcpt.path.address(), peer_, !env.auth_user.empty());
  // Postfix: check_policy_service (postgrey) after permit_mynetworks and
  // permit_sasl_authenticated, for the MTAs on port 25 only.
  if (reply.positive_completion() && !submission() && env.auth_user.empty()) {
    if (auto grey = mta_.greylisted(peer_, env.mail_from.address(), rcpt.path.address())) return *grey;
  }
  return reply;
}

smtp::Reply SmtpdSession::on_message(const smtp::Envelope& env, std::string content) {
  // Loop detection (Postfix hopcount_limit): cleanup(8) counts the Received headers
  // including the one this hop adds, so a message arriving with limit-1 is refused.
  const auto parsed = message::MessageView::parse(content);  // views `content`, kept below
  if (static_cast<int>(parsed.count("Received")) + 1 >= mta_.config().hopcount_limit) {
    return smtp::Reply::make(554, "5.4.6", "Too many hops");
  }
  Submission s;
  s.sender = env.mail_from.address();
  s.rcpts.reserve(env.rcpts.size());
  for (const auto& r : env.rcpts) s.rcpts.push_back(r.path.address());
  if (std::any_of(env.rcpts.begin(), env.rcpts.end(),
                  [](const smtp::Recipient& r) { return r.params.notify != 0 || !r.params.orcpt_type.empty(); })) {
    s.rcpt_dsn.reserve(env.rcpts.size());
    for (const auto& r : env.rcpts) {
      const auto& p = r.params;
      s.rcpt_dsn.push_back({p.notify, p.orcpt_type.empty() ? std::string() : p.orcpt_type + ";" + p.orcpt});
    }
  }
  s.envid = env.mail_params.envid;
  s.ret_headers = env.mail_params.ret == smtp::DsnRet::Hdrs;
  s.smtputf8 = env.mail_params.smtputf8;
  s.helo = env.helo;
  s.client_address = peer_;
  s.client_name = client_name_;
  // Postfix: ESMTP, then S inside TLS, then A when authenticated (RFC 3848).
  s.protocol = env.esmtp ? "ESMTP" : "SMTP";
  if (!env.tls.empty() && env.esmtp) s.protocol += 'S';
  if (!env.auth_user.empty()) s.protocol = s.protocol == "SMTP" ? "ESMTPA" : s.protocol + 'A';
  s.tls = env.tls;
  s.submitted = submission();
  SenderChecks* c = checks();
  if (!c) return once_durable(mta_.enqueue(std::move(s), parsed));
  held_ = std::make_unique<Held>(Held{std::move(s), std::move(content)});
  auto verdict = c->at_message(held_->content, [this](SenderChecks::Verdict v) {
    auto held = std::move(held_);
    smtp::Reply r = v.refusal ? *v.refusal
                              : once_durable(deliver_checked(std::move(held->submission), std::move(held->content),
                                                             v.authentication_results, std::move(v.folder)));
    if (!smtp::is_pending(r)) decide_later(std::move(r));
  });
  if (!verdict) return smtp::pending();
  auto held = std::move(held_);
  if (verdict->refusal) return *verdict->refusal;
  return once_durable(deliver_checked(std::move(held->submission), std::move(held->content),
                                      verdict->authentication_results, std::move(verdict->folder)));
}

smtp::Reply SmtpdSession::once_durable(smtp::Reply queued) {
  if (!queued.positive_completion()) return queued;
  std::weak_ptr<char> alive = alive_;
  const std::uint64_t ticket = ++disk_tickets_;
  const bool later = mta_.runtime().disk().when_durable([this, alive, ticket, queued](bool ok) {
    // The disk's own later event: decided at once. Not if the session went, or stopped
    // waiting (a decision timeout: on_abandoned()).
    if (alive.expired() || disk_wait_ != ticket || !decide_) return;
    disk_wait_ = 0;
    decide_(ok ? queued : smtp::Reply::make(451, "4.3.0", "Error: queue file write error"));
  });
  if (!later) return queued;
  disk_wait_ = ticket;
  return smtp::pending();
}

smtp::Reply SmtpdSession::deliver_checked(Submission s, std::string content, const std::string& field,
                                          std::string folder) {
  s.folder = std::move(folder);
  std::string out;
  if (message::MessageView::parse(content).count("Authentication-Results") == 0) {
    out.reserve(field.size() + content.size() + 64);
    message::append_field(out, "Authentication-Results", field);
    out += content;
    return mta_.enqueue(std::move(s), message::MessageView::parse(out));
  }
  // RFC 8601 5: a field that claims this host's name came with the message, so it is not
  // ours: removed before ours goes on top.
  auto msg = message::Message::parse(content);
  message::append_field(out, "Authentication-Results", field, msg.eol());
  for (const auto& f : msg.fields()) {
    if (message::iequals(f.name, "Authentication-Results")) {
      auto parsed = auth::parse_authentication_results(message::unfold_value(f.raw));
      if (parsed && message::iequals(parsed->authserv_id, mta_.hostname())) continue;
    }
    out += f.raw;
  }
  out += std::string_view(content).substr(msg.header_section().size());
  return mta_.enqueue(std::move(s), message::MessageView::parse(out));
}

bool SmtpdSession::authenticate(std::string_view user, std::string_view password) {
  // Never true for a user without a password (services::Accounts).
  bool ok = mta_.config().users.authenticate(user, password);
  on_auth_result(user, ok);
  return ok;
}

std::optional<message::ScramVerifier> SmtpdSession::scram_verifier(std::string_view user) {
  // The password is the shared secret, as for APOP; none (or an empty one): no login.
  auto secret = mta_.config().users.apop_secret(user);
  if (!secret) return std::nullopt;
  return message::scram_sha256_verifier(*secret, message::scram_salt(mta_.hostname(), user), 4096);
}

std::string SmtpdSession::scram_nonce() {
  std::string raw(18, '\0');
  auto& rng = mta_.runtime().rng("scram");
  for (char& c : raw) c = static_cast<char>(rng() & 0xff);
  return message::base64_encode(raw);  // 24 characters, none of them ','
}

void SmtpdSession::on_auth_result(std::string_view user, bool ok) {
  if (!ok) mta_.auth_failures().failure(peer_, mta_.runtime().now());
  mta_.runtime().trace(submission() ? agent::kMsa : agent::kMta, ok ? ev::kAuthOk : ev::kAuthFailed,
                       {{key::kPeer, peer_}, {key::kUser, std::string(user)}});
}

smtp::Reply SmtpdSession::before_auth() {
  if (!mta_.auth_failures().blocked(peer_, mta_.runtime().now())) return smtp::Reply{250, "", {}};
  mta_.runtime().trace(submission() ? agent::kMsa : agent::kMta, ev::kAuthBlocked, {{key::kPeer, peer_}});
  // anvil(8)-style: this address failed smtpd_client_auth_failure_limit times within
  // anvil_rate_time_unit; cut off until the unit ends.
  return smtp::Reply::make(421, "4.7.0",
                           mta_.hostname() + " Error: too many failed AUTH attempts from " + peer_);
}

void SmtpdSession::on_tls_started(const tls::HandshakeInfo& info) {
  services::trace_tls_established(mta_.runtime(), submission() ? agent::kMsa : agent::kMta, peer_, info,
                                  mta_.config().tls_server);
}

void SmtpdSession::on_exchange(std::string_view client_line, const smtp::Reply& reply) {
  if (!mta_.runtime().tracing()) return;
  std::string text = reply.text();
  for (auto& c : text) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  mta_.runtime().trace(
      submission() ? agent::kMsa : agent::kMta, ev::kSmtpIn,
      {{key::kPeer, peer_},
       {key::kCommand, std::string(client_line)},
       {key::kCode, std::to_string(reply.code)},
       {key::kReply,
        std::to_string(reply.code) + (reply.enhanced.empty() ? "" : " " + reply.enhanced) + " " + text}});
}

}  // namespace maillab::mta
