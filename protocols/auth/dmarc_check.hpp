// DmarcCheck: DMARC evaluation (RFC 7489 6.6) over a DnsClient, callback-driven.
// - the author domain (6.6.1): the domain of the one address in the one From field; a
//   message with no From, several From fields or several addresses gets permerror (it
//   cannot be evaluated, and must not slip through as "none").
// - policy discovery (6.6.3): TXT at _dmarc.<author domain>; the records starting
//   "v=DMARC1"; exactly one is used, none or several means no policy. When the author
//   domain has none, _dmarc.<organizational domain> (public_suffix.hpp) is asked, and its
//   sp= (else p=) applies. A DNS failure other than NXDOMAIN/NODATA is temperror.
// - identifier alignment (3.1): the SPF domain (MAIL FROM domain, or HELO for the null
//   path) when SPF passed, and the d= of each passing DKIM signature, against the author
//   domain: strict = equal, relaxed = same organizational domain (aspf/adkim).
// - result: pass when either aligns, else fail; disposition (6.6.4, 6.3 pct): fail applies
//   the policy to pct% of messages, chosen by the caller's sample (0-99: applied when
//   sample < pct); the others get the next policy down (reject -> quarantine -> none).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "protocols/auth/dmarc_record.hpp"
#include "protocols/auth/dns_client.hpp"
#include "protocols/message/message.hpp"

namespace maillab::auth {

enum class DmarcResult { None, Pass, Fail, TempError, PermError };
std::string_view to_string(DmarcResult result);

// The RFC5322.From domain, lowercased; nullopt (with `why`) when there is not exactly one.
std::optional<std::string> author_domain(const message::Message& msg, std::string* why = nullptr);

struct DmarcRequest {
  std::string from_domain;            // author_domain()
  bool spf_pass = false;
  std::string spf_domain;             // the domain SPF checked (MAIL FROM's, or HELO)
  std::vector<std::string> dkim_pass_domains;  // d= of every passing signature
  int sample = 0;                     // 0-99, drawn by the caller for pct
};

struct DmarcOutcome {
  DmarcResult result = DmarcResult::None;
  std::string from_domain;
  std::string org_domain;
  std::string record_domain;  // where the record was found
  std::optional<DmarcRecord> record;
  DmarcPolicy policy = DmarcPolicy::None;       // what the domain asks for this message
  DmarcPolicy disposition = DmarcPolicy::None;  // what to do, after pct
  bool spf_aligned = false;
  bool dkim_aligned = false;
  std::string reason;
};

class DmarcCheck {
 public:
  using Done = std::function<void(const DmarcOutcome&)>;
  DmarcCheck(DnsClient& dns, DmarcRequest request);
  DmarcCheck(const DmarcCheck&) = delete;
  DmarcCheck& operator=(const DmarcCheck&) = delete;

  void start(Done done);
  bool finished() const { return finished_; }
  const DmarcOutcome& outcome() const { return outcome_; }

 private:
  void ask(const std::string& domain);
  void on_answer(const std::string& domain, const DnsAnswer& answer);
  void evaluate(bool subdomain_policy);
  void finish();

  DnsClient& dns_;
  DmarcRequest request_;
  DmarcOutcome outcome_;
  Done done_;
  bool finished_ = false;
  bool asked_org_ = false;
  AliveToken alive_;
};

// Alignment of two domains (3.1.1, 3.1.2).
bool dmarc_aligned(const std::string& a, const std::string& b, bool strict);

}  // namespace maillab::auth
