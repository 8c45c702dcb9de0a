// mta::SenderChecks: what the SMTP server on port 25 verifies about who sent a message
// (scenario `mta.smtpd_checks`, docs/sender-auth.md), one object per inbound session:
// - at MAIL FROM, SPF (RFC 7208) of the MAIL FROM domain, or of the HELO name for the
//   null reverse-path (2.4); `spf: reject` refuses a fail with 550 5.7.23 (RFC 7372);
// - at the end of DATA, DKIM (RFC 6376) on every signature, then DMARC (RFC 7489) from
//   both; `dmarc: enforce` refuses p=reject with 550 5.7.1 and files p=quarantine into
//   the recipient's Junk folder, after the record's pct (the host's "dmarc" random stream);
// - the Authentication-Results value (RFC 8601) naming this host, for the MTA to prepend.
// DMARC needs SPF and DKIM results, so with `dmarc` on both run even when their own key is
// off (OpenDMARC's SPFSelfValidate), and their results are in the field.
//
// Every lookup goes through the MTA's checks resolver (cached per TTL). Both entry points
// return the answer when it is known at once and otherwise call back later, from a DNS
// answer's event. The results are traced (spf.checked, dkim.checked, dmarc.checked).
// cancel() drops the checks in flight (their late answers are ignored: auth::AliveToken);
// the object may be destroyed at any time.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "protocols/auth/dkim_verifier.hpp"
#include "protocols/auth/dmarc_check.hpp"
#include "protocols/auth/spf_check.hpp"
#include "protocols/smtp/path.hpp"
#include "protocols/smtp/reply.hpp"

namespace maillab::mta {

class Mta;

class SenderChecks {
 public:
  // What the end of DATA decided.
  struct Verdict {
    std::optional<smtp::Reply> refusal;  // 550 5.7.1: DMARC p=reject under enforce
    std::string authentication_results;  // the field's value (RFC 8601)
    std::string folder;                  // "Junk": p=quarantine under enforce; else ""
  };

  SenderChecks(Mta& mta, std::string peer);
  ~SenderChecks();
  SenderChecks(const SenderChecks&) = delete;
  SenderChecks& operator=(const SenderChecks&) = delete;

  // MAIL FROM: the reply (250, or 550 5.7.23 under `spf: reject`) when SPF is off or
  // answered at once; else smtp::pending() and `decide` runs later with the reply.
  smtp::Reply at_mail(const std::string& helo, const smtp::Path& from, std::function<void(smtp::Reply)> decide);
  // The end of DATA: the verdict when known at once, else nullopt and `done` runs later.
  // `content` (the message as received) must stay unchanged until then.
  std::optional<Verdict> at_message(std::string_view content, std::function<void(Verdict)> done);
  // Forget the checks in flight (the session stopped waiting, or a new transaction).
  void cancel();

 private:
  void spf_done(const auth::SpfOutcome& outcome);
  void dkim_done(const auth::DkimVerification& verification);
  void dmarc_done(const auth::DmarcOutcome& outcome);
  void finish_message(Verdict verdict);
  Verdict verdict() const;

  Mta& mta_;
  std::string peer_;
  // The transaction's SPF check (kept for the DMARC alignment and the field).
  auth::SpfRequest spf_request_;
  std::unique_ptr<auth::SpfCheck> spf_;
  std::optional<auth::SpfOutcome> spf_outcome_;
  std::function<void(smtp::Reply)> decide_;
  bool in_call_ = false;                    // inside at_mail/at_message: answer by return
  std::optional<smtp::Reply> mail_reply_;   // an SPF decision made during the call
  // The message's checks.
  std::string msgid_;
  std::optional<std::string> author_domain_;
  std::string author_problem_;
  std::unique_ptr<auth::DkimVerifier> dkim_;
  std::optional<auth::DkimVerification> dkim_result_;
  std::unique_ptr<auth::DmarcCheck> dmarc_;
  std::optional<auth::DmarcOutcome> dmarc_result_;
  std::function<void(Verdict)> done_;
  std::optional<Verdict> verdict_;          // a verdict made during the call
};

}  // namespace maillab::mta
