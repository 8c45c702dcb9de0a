// DkimVerifier: verifies every DKIM-Signature of a message (RFC 6376 6), fetching each key
// (selector._domainkey.domain TXT) through the DnsClient; callback-driven, never blocking.
// All key lookups are asked at start(); `done` runs once when the last answer is in (from
// inside start() when the DNS answers synchronously). At most kMaxSignatures signatures are
// looked at (the rest are ignored: bounded work per message).
//
// Results per signature, in RFC 8601 2.7.1 terms:
//   pass       the body hash and the signature verify with the published key
//   fail       body hash or signature wrong, l= longer than the body, x= in the past
//   neutral    the signature cannot be processed: syntax, unknown version or algorithm,
//              rsa-sha1 (RFC 8301: not to be considered valid; see accept_rsa_sha1)
//   temperror  the key lookup failed for now (SERVFAIL, timeout)
//   permerror  no key record (NXDOMAIN / NODATA / no DKIM1 record), a key record that is
//              malformed, revoked (p= empty), of another type than a=, for other hashes
//              (h=) or services (s=), t=s with i= in a subdomain, an RSA key under 1024 bits
// The message is taken in wire form (CRLF); bare LF line ends are read as CRLF.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/auth/dkim_key_cache.hpp"
#include "protocols/auth/dkim_signature.hpp"
#include "protocols/auth/dns_client.hpp"
#include "protocols/message/message.hpp"

namespace maillab::auth {

enum class DkimResult { None, Pass, Fail, Neutral, TempError, PermError };
std::string_view to_string(DkimResult result);

struct DkimSignatureResult {
  DkimResult result = DkimResult::None;
  std::string domain;     // d= ("" when the field did not parse)
  std::string selector;   // s=
  std::string identity;   // i= (or @d)
  std::string algorithm;  // a=
  std::string header_b;   // the first 8 characters of b= (RFC 6008)
  std::string reason;     // why not pass
  bool testing = false;   // the key says t=y
};

struct DkimVerification {
  std::vector<DkimSignatureResult> signatures;
  // none without signatures, pass when one passes, else the first signature's result.
  DkimResult summary() const;
};

class DkimVerifier {
 public:
  using Done = std::function<void(const DkimVerification&)>;
  static constexpr std::size_t kMaxSignatures = 8;

  // `now`: seconds since the Unix epoch, for x=.
  DkimVerifier(DnsClient& dns, std::string_view message, std::int64_t now);
  DkimVerifier(const DkimVerifier&) = delete;
  DkimVerifier& operator=(const DkimVerifier&) = delete;

  void start(Done done);
  bool finished() const { return finished_; }
  const DkimVerification& verification() const { return verification_; }
  // Verify rsa-sha1 signatures too instead of calling them neutral: for comparing with
  // signers that still use it (opendkim-testmsg); never for a receiving MTA (RFC 8301).
  void accept_rsa_sha1(bool accept) { accept_rsa_sha1_ = accept; }
  // Parse key records through `cache` (which outlives the verifier) instead of each time.
  void use_key_cache(DkimKeyCache* cache) { key_cache_ = cache; }

 private:
  struct Pending {
    std::optional<DkimSignature> signature;
    const message::HeaderField* field = nullptr;
    std::string key_name;  // selector._domainkey.domain
  };
  void on_key(std::size_t index, const DnsAnswer& answer);
  void check(std::size_t index, const DkimPublicKey& key);
  const std::string& body_hash(const DkimSignature& sig, bool& too_short);
  void maybe_finish();

  DnsClient& dns_;
  message::Message message_;
  std::int64_t now_;
  Done done_;
  DkimVerification verification_;
  std::vector<Pending> pending_;
  std::size_t outstanding_ = 0;
  bool asking_ = false;
  bool accept_rsa_sha1_ = false;
  DkimKeyCache* key_cache_ = nullptr;
  bool finished_ = false;
  AliveToken alive_;
  std::optional<std::string> canonical_bodies_[2];  // simple, relaxed
  std::string hash_scratch_;
};

}  // namespace maillab::auth
