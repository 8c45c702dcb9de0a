// SpfCheck: check_host() of RFC 7208 as a resumable state machine over a DnsClient. One
// object per check; start() asks the first question and returns; each answer moves the
// machine on until the result is known, then `done` runs once. Nothing blocks; answers may
// also come synchronously from inside lookup() (the machine trampolines, so the stack does
// not grow per lookup). Destroying the object with a lookup out is safe (AliveToken).
//
// Rules and where they are written:
// - identities (2.3, 2.4, 4.3): MAIL FROM, or postmaster@HELO when the reverse-path is
//   empty (or when the HELO identity is asked for); a domain that is not a multi-label
//   name with labels of 1..63 octets gives "none" at once.
// - record selection (4.4, 4.5): TXT only; no record "none"; two "v=spf1" records or a
//   syntax error anywhere "permerror"; a DNS error other than NXDOMAIN "temperror".
// - evaluation (4.6, 5): mechanisms left to right, first match wins with its qualifier;
//   include maps pass->match, fail/softfail/neutral->no match, temperror->temperror,
//   permerror/none->permerror; redirect (6.1) only when nothing matched and there is no
//   "all", its target without a record is permerror; no match and no redirect: neutral.
// - limits (4.6.4): at most 10 terms that cause DNS lookups (include, a, mx, ptr, exists,
//   redirect), at most 10 MX names per mx (more is permerror), at most 10 PTR names per ptr
//   (the rest ignored), at most 2 void lookups (NOERROR-empty or NXDOMAIN) in all.
// - exp (6.2): looked up only for a final "fail" from the record that produced it (not an
//   included one; a redirect's own exp replaces the first), one TXT record, macro-expanded
//   with c/r/t; any problem means no explanation. It counts against no limit.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "protocols/auth/dns_client.hpp"
#include "protocols/auth/ip_address.hpp"
#include "protocols/auth/spf_macro.hpp"
#include "protocols/auth/spf_record.hpp"

namespace maillab::auth {

enum class SpfIdentity { MailFrom, Helo };

struct SpfRequest {
  std::string client_ip;  // "192.0.2.1" or "2001:db8::1"
  std::string mail_from;  // the reverse-path without <>; "" for the null path
  std::string helo;       // HELO/EHLO argument
  std::string receiver = "unknown";  // the checking host (%{r}, Received-SPF receiver=)
  std::int64_t now = 0;   // seconds since the Unix epoch (%{t})
  SpfIdentity identity = SpfIdentity::MailFrom;
};

struct SpfOutcome {
  SpfResult result = SpfResult::None;
  SpfIdentity identity = SpfIdentity::MailFrom;
  std::string sender;       // <sender> as checked: postmaster@HELO for the null path
  std::string domain;       // <domain> as checked at the top
  bool null_path = false;   // MAIL FROM was <>: the check was on postmaster@HELO
  std::string mechanism;    // the term that matched; "default" when none did
  std::string explanation;  // for fail: the exp= text when the domain gave one
  std::string problem;      // for permerror/temperror: why
  int dns_terms = 0;        // terms counted against the limit of 10
  int void_lookups = 0;
};

class SpfCheck {
 public:
  using Done = std::function<void(const SpfOutcome&)>;
  static constexpr int kMaxDnsTerms = 10;
  static constexpr int kMaxVoidLookups = 2;
  static constexpr std::size_t kMaxMxNames = 10;
  static constexpr std::size_t kMaxPtrNames = 10;

  SpfCheck(DnsClient& dns, SpfRequest request);
  SpfCheck(const SpfCheck&) = delete;
  SpfCheck& operator=(const SpfCheck&) = delete;

  void start(Done done);
  bool finished() const { return finished_; }
  const SpfOutcome& outcome() const { return outcome_; }

 private:
  enum class Wait { None, Record, Address, MxList, MxHost, PtrList, PtrHost, Exists, Explanation };
  struct Frame {
    std::string domain;
    std::optional<SpfRecord> record;
    std::size_t next = 0;  // the mechanism being evaluated
    bool redirected = false;
  };

  void run();
  void step();
  void handle(Wait wait, DnsAnswer answer);
  void ask(const std::string& name, dns::Type type, Wait wait);
  void start_mechanism(Frame& f);
  void on_record(DnsAnswer& a);
  void on_hosts(Wait wait, DnsAnswer& a);
  void next_host();
  void start_p_resolution();
  bool count_void(const DnsAnswer& a);
  void matched(const Frame& f);
  void frame_done(SpfResult result, const std::string& mechanism);
  void finish(SpfResult result, const std::string& mechanism, std::string problem = "");
  void complete();
  std::optional<std::string> expand_target(const std::string& spec, const std::string& domain);
  bool address_matches(const dns::ResourceRecord& rr) const;
  dns::Type address_type() const { return ip_.v6 ? dns::Type::AAAA : dns::Type::A; }
  void choose_validated_name(const std::string& domain);

  DnsClient& dns_;
  SpfRequest request_;
  IpAddress ip_;
  MacroContext macros_;
  Done done_;
  SpfOutcome outcome_;
  AliveToken alive_;
  std::vector<Frame> frames_;

  bool running_ = false;
  bool finished_ = false;
  bool completed_ = false;  // done_ has run
  Wait waiting_ = Wait::None;
  std::optional<std::pair<Wait, DnsAnswer>> answer_;

  // The mechanism in progress (mx, ptr): names to try and where we are.
  std::vector<std::string> hosts_;
  std::size_t host_index_ = 0;
  std::vector<std::string> validated_;  // ptr: names that resolve back to the client
  // The p macro: validated names, looked up once (nullopt: not yet).
  std::optional<std::vector<std::string>> p_names_;
  bool resolving_p_ = false;
  Wait hosts_wait_ = Wait::None;  // MxHost or PtrHost
  std::string ptr_target_;
  int cidr4_ = 32;
  int cidr6_ = 128;
  // exp= (6.2), once the result is fail.
  bool explaining_ = false;
  std::string explain_spec_;
  std::string explain_domain_;
  std::optional<std::string> pending_explanation_;  // the TXT, waiting for the p macro
};

// The value of a Received-SPF header field (RFC 7208 9.1) for `outcome`: result, comment,
// and the key-value pairs receiver, client-ip, envelope-from, helo, identity, mechanism or
// problem. Values the peer chose are quoted and stripped of control and 8-bit bytes.
std::string received_spf_value(const SpfOutcome& outcome, const SpfRequest& request);

}  // namespace maillab::auth
