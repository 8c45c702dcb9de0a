#include "protocols/mta/sender_checks.hpp"

#include <utility>

#include "protocols/auth/authentication_results.hpp"
#include "protocols/message/date.hpp"
#include "protocols/message/message.hpp"
#include "protocols/message/peer_text.hpp"
#include "protocols/mta/mta.hpp"
#include "protocols/mta/resolver_dns.hpp"
#include "protocols/smtp/server_handler.hpp"

namespace maillab::mta {

namespace agent = io::trace::agent;
namespace ev = io::trace::ev;
namespace key = io::trace::key;

namespace {

std::int64_t unix_now(Mta& mta) { return message::unix_seconds(mta.runtime().now()); }

// Why a result is what it is, for the trace: the problem for errors, else the term
// that matched.
std::string spf_reason(const auth::SpfOutcome& o) {
  if (!o.problem.empty()) return o.problem;
  if (o.result == auth::SpfResult::None) return "no SPF record";
  return "mechanism " + o.mechanism;
}

}  // namespace

auth::DnsClient& Mta::checks_dns() {
  // The checks' own resolver, caching per TTL (a resolver beside the MX lookups', which
  // keep the scenario's default of no cache): made on first use.
  if (!checks_dns_) {
    checks_resolver_ = std::make_unique<services::Resolver>(rt_, cfg_->resolver);
    if (cfg_->auth_cache) checks_resolver_->enable_cache(cfg_->auth_cache);
    checks_dns_ = std::make_unique<ResolverDns>(*checks_resolver_);
  }
  return *checks_dns_;
}

auth::DkimKeyCache* Mta::dkim_keys() {
  if (!dkim_keys_ && cfg_->auth_cache) dkim_keys_ = std::make_unique<auth::DkimKeyCache>(cfg_->auth_cache);
  return dkim_keys_.get();
}

SenderChecks::SenderChecks(Mta& mta, std::string peer) : mta_(mta), peer_(std::move(peer)) {}

SenderChecks::~SenderChecks() = default;

void SenderChecks::cancel() {
  spf_.reset();
  dkim_.reset();
  dmarc_.reset();
  decide_ = nullptr;
  done_ = nullptr;
}

smtp::Reply SenderChecks::at_mail(const std::string& helo, const smtp::Path& from,
                                  std::function<void(smtp::Reply)> decide) {
  cancel();
  spf_outcome_.reset();
  if (!mta_.config().smtpd_checks.run_spf()) return smtp::Reply::make(250, "2.1.0", "Ok");
  spf_request_ = auth::SpfRequest{};
  spf_request_.client_ip = peer_;
  spf_request_.mail_from = from.address();
  spf_request_.helo = helo;
  spf_request_.receiver = mta_.hostname();
  spf_request_.now = unix_now(mta_);
  spf_ = std::make_unique<auth::SpfCheck>(mta_.checks_dns(), spf_request_);
  decide_ = std::move(decide);
  mail_reply_.reset();
  in_call_ = true;
  spf_->start([this](const auth::SpfOutcome& o) { spf_done(o); });
  in_call_ = false;
  if (!mail_reply_) return smtp::pending();
  decide_ = nullptr;
  return *std::exchange(mail_reply_, std::nullopt);
}

void SenderChecks::spf_done(const auth::SpfOutcome& o) {
  spf_outcome_ = o;
  if (mta_.runtime().tracing()) {
    mta_.runtime().trace(agent::kMta, ev::kSpfChecked,
                         {{key::kPeer, peer_},
                          {key::kIdentity, o.identity == auth::SpfIdentity::Helo || o.null_path ? "helo" : "mailfrom"},
                          {key::kSender, o.sender},
                          {key::kHelo, spf_request_.helo},
                          {key::kResult, std::string(auth::to_string(o.result))},
                          {key::kReason, spf_reason(o)}});
  }
  smtp::Reply r = smtp::Reply::make(250, "2.1.0", "Ok");
  if (o.result == auth::SpfResult::Fail && mta_.config().smtpd_checks.spf == CheckMode::Reject) {
    // RFC 7372 3.2: 5.7.23 "SPF validation failed"; the domain's own words (exp=) when it
    // gave some, else the usual sentence (policyd-spf's).
    std::string text = "<" + message::header_safe(o.sender) + ">: Sender address rejected: SPF fail: ";
    text += o.explanation.empty() ? o.domain + " does not designate " + peer_ + " as permitted sender"
                                  : message::header_safe(o.explanation, message::PeerText::Text, 400);
    r = smtp::Reply::make(550, "5.7.23", text);
  }
  if (in_call_) {
    mail_reply_ = std::move(r);
    return;
  }
  auto decide = std::move(decide_);
  decide_ = nullptr;
  if (decide) decide(std::move(r));
}

std::optional<SenderChecks::Verdict> SenderChecks::at_message(std::string_view content,
                                                             std::function<void(Verdict)> done) {
  dkim_.reset();
  dmarc_.reset();
  dkim_result_.reset();
  dmarc_result_.reset();
  verdict_.reset();
  done_ = std::move(done);
  const auto msg = message::Message::parse(content);
  msgid_ = msg.header("Message-ID").value_or("");
  author_problem_.clear();
  author_domain_ = auth::author_domain(msg, &author_problem_);
  in_call_ = true;
  if (mta_.config().smtpd_checks.run_dkim()) {
    dkim_ = std::make_unique<auth::DkimVerifier>(mta_.checks_dns(), content, unix_now(mta_));
    dkim_->use_key_cache(mta_.dkim_keys());
    dkim_->start([this](const auth::DkimVerification& v) { dkim_done(v); });
  } else {
    dkim_done(auth::DkimVerification{});
  }
  in_call_ = false;
  if (!verdict_) return std::nullopt;
  done_ = nullptr;
  return std::exchange(verdict_, std::nullopt);
}

void SenderChecks::dkim_done(const auth::DkimVerification& v) {
  const bool run = mta_.config().smtpd_checks.run_dkim();
  if (run) {
    dkim_result_ = v;
    if (mta_.runtime().tracing()) {
      auto trace = [&](const auth::DkimSignatureResult& s) {
        mta_.runtime().trace(agent::kMta, ev::kDkimChecked,
                             {{key::kPeer, peer_},
                              {key::kMsgid, msgid_},
                              {key::kResult, std::string(auth::to_string(s.result))},
                              {key::kDomain, s.domain},
                              {key::kSelector, s.selector},
                              {key::kAlgorithm, s.algorithm},
                              {key::kReason, s.reason}});
      };
      if (v.signatures.empty()) trace(auth::DkimSignatureResult{});
      for (const auto& s : v.signatures) trace(s);
    }
  }
  if (mta_.config().smtpd_checks.dmarc == CheckMode::Off) return finish_message(verdict());
  auth::DmarcRequest request;
  request.from_domain = author_domain_.value_or("");
  if (spf_outcome_) {
    request.spf_pass = spf_outcome_->result == auth::SpfResult::Pass;
    request.spf_domain = spf_outcome_->domain;
  }
  for (const auto& s : v.signatures)
    if (s.result == auth::DkimResult::Pass) request.dkim_pass_domains.push_back(s.domain);
  request.sample = static_cast<int>(mta_.runtime().rng("dmarc")() % 100);
  dmarc_ = std::make_unique<auth::DmarcCheck>(mta_.checks_dns(), std::move(request));
  dmarc_->start([this](const auth::DmarcOutcome& o) { dmarc_done(o); });
}

void SenderChecks::dmarc_done(const auth::DmarcOutcome& o) {
  dmarc_result_ = o;
  if (dmarc_result_->from_domain.empty() && !author_problem_.empty()) dmarc_result_->reason = author_problem_;
  if (mta_.runtime().tracing()) {
    const bool policy = o.record.has_value();
    mta_.runtime().trace(agent::kMta, ev::kDmarcChecked,
                         {{key::kPeer, peer_},
                          {key::kMsgid, msgid_},
                          {key::kDomain, o.from_domain},
                          {key::kResult, std::string(auth::to_string(o.result))},
                          {key::kPolicy, policy ? std::string(auth::to_string(o.policy)) : ""},
                          {key::kDisposition, policy ? std::string(auth::to_string(o.disposition)) : ""},
                          {key::kReason, dmarc_result_->reason}});
  }
  Verdict v = verdict();
  if (mta_.config().smtpd_checks.dmarc == CheckMode::Enforce && o.result == auth::DmarcResult::Fail) {
    if (o.disposition == auth::DmarcPolicy::Reject) {
      // OpenDMARC's RejectFailures wording.
      v.refusal = smtp::Reply::make(550, "5.7.1", "rejected by DMARC policy for " + o.from_domain);
    } else if (o.disposition == auth::DmarcPolicy::Quarantine) {
      v.folder = "Junk";
    }
  }
  finish_message(std::move(v));
}

SenderChecks::Verdict SenderChecks::verdict() const {
  auth::AuthResultsInput in;
  in.authserv_id = mta_.hostname();
  in.helo = spf_request_.helo;
  in.spf = spf_outcome_;
  in.dkim = dkim_result_;
  in.dmarc = dmarc_result_;
  Verdict v;
  v.authentication_results = auth::authentication_results_value(in);
  return v;
}

void SenderChecks::finish_message(Verdict verdict) {
  if (in_call_) {
    verdict_ = std::move(verdict);
    return;
  }
  auto done = std::move(done_);
  done_ = nullptr;
  if (done) done(std::move(verdict));
}

}  // namespace maillab::mta
