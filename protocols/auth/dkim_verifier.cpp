#include "protocols/auth/dkim_verifier.hpp"

#include <algorithm>

#include "protocols/message/line_endings.hpp"

namespace maillab::auth {

std::string_view to_string(DkimResult result) {
  switch (result) {
    case DkimResult::None: return "none";
    case DkimResult::Pass: return "pass";
    case DkimResult::Fail: return "fail";
    case DkimResult::Neutral: return "neutral";
    case DkimResult::TempError: return "temperror";
    case DkimResult::PermError: return "permerror";
  }
  return "?";
}

DkimResult DkimVerification::summary() const {
  if (signatures.empty()) return DkimResult::None;
  for (const auto& s : signatures) {
    if (s.result == DkimResult::Pass) return DkimResult::Pass;
  }
  return signatures.front().result;
}

DkimVerifier::DkimVerifier(DnsClient& dns, std::string_view message, std::int64_t now)
    : dns_(dns), message_(message::Message::parse(message::lf_to_crlf(message))), now_(now) {}

void DkimVerifier::start(Done done) {
  done_ = std::move(done);
  for (const auto& field : message_.fields()) {
    if (field.name.empty() || !message::iequals(field.name, "DKIM-Signature")) continue;
    if (pending_.size() == kMaxSignatures) break;
    auto colon = field.raw.find(':');
    auto parsed = parse_dkim_signature(std::string_view(field.raw).substr(colon + 1));
    DkimSignatureResult r;
    if (parsed.signature) {
      const auto& s = *parsed.signature;
      r.domain = s.domain;
      r.selector = s.selector;
      r.identity = s.identity;
      r.algorithm = std::string(to_string(s.algorithm));
      r.header_b = s.b_base64.substr(0, 8);
    } else {
      r.result = DkimResult::Neutral;
      r.reason = "bad signature field: " + parsed.error;
    }
    if (parsed.signature && parsed.signature->algorithm == DkimAlgorithm::RsaSha1 && !accept_rsa_sha1_) {
      r.result = DkimResult::Neutral;
      r.reason = "rsa-sha1 is not accepted (RFC 8301)";
      parsed.signature.reset();
    }
    verification_.signatures.push_back(std::move(r));
    pending_.push_back(Pending{std::move(parsed.signature), &field, {}});
  }
  asking_ = true;
  for (std::size_t i = 0; i < pending_.size(); ++i) {
    if (!pending_[i].signature) continue;
    ++outstanding_;
    const auto& s = *pending_[i].signature;
    auto watch = alive_.watch();
    pending_[i].key_name = s.selector + "._domainkey." + s.domain;
    dns_.lookup(pending_[i].key_name, dns::Type::TXT, [this, watch, i](DnsAnswer a) {
      if (watch.expired()) return;
      on_key(i, a);
    });
  }
  asking_ = false;
  maybe_finish();
}

void DkimVerifier::maybe_finish() {
  if (finished_ || asking_ || outstanding_ > 0) return;
  finished_ = true;
  auto done = std::move(done_);
  if (done) done(verification_);  // may destroy *this
}

void DkimVerifier::on_key(std::size_t index, const DnsAnswer& answer) {
  auto& r = verification_.signatures[index];
  if (answer.temporary()) {
    r.result = DkimResult::TempError;
    r.reason = "key lookup: " + std::string(to_string(answer.status));
  } else {
    std::shared_ptr<const DkimKeyParse> key;
    std::string why = "no key record";
    for (const auto& text : answer.texts()) {
      auto parsed = key_cache_ ? key_cache_->parse(pending_[index].key_name, text)
                               : std::make_shared<const DkimKeyParse>(parse_dkim_key_record(text));
      if (parsed->key) {
        key = std::move(parsed);
        break;
      }
      why = parsed->error;
    }
    if (key) {
      check(index, *key->key);
    } else {
      r.result = DkimResult::PermError;
      r.reason = why;
    }
  }
  --outstanding_;
  maybe_finish();
}

const std::string& DkimVerifier::body_hash(const DkimSignature& sig, bool& too_short) {
  auto& canonical = canonical_bodies_[sig.body_canon == DkimCanon::Simple ? 0 : 1];
  if (!canonical) canonical = canonical_body(message_.body(), sig.body_canon);
  too_short = sig.body_length && *sig.body_length > canonical->size();
  std::string_view part = *canonical;
  if (sig.body_length && !too_short) part = part.substr(0, *sig.body_length);
  hash_scratch_ = sig.algorithm == DkimAlgorithm::RsaSha1 ? sha1(part) : sha256(part);
  return hash_scratch_;
}

void DkimVerifier::check(std::size_t index, const DkimPublicKey& key) {
  auto& r = verification_.signatures[index];
  const DkimSignature& sig = *pending_[index].signature;
  r.testing = key.testing;
  auto fail = [&](DkimResult result, std::string why) {
    r.result = result;
    r.reason = std::move(why);
  };
  if (key.revoked) return fail(DkimResult::PermError, "key revoked (empty p=)");
  const bool ed = sig.algorithm == DkimAlgorithm::Ed25519Sha256;
  if ((ed && key.key_type != "ed25519") || (!ed && key.key_type != "rsa")) {
    return fail(DkimResult::PermError, "key type k=" + key.key_type + " does not match a=" + r.algorithm);
  }
  if (!key.hashes.empty() && std::find(key.hashes.begin(), key.hashes.end(), "sha256") == key.hashes.end()) {
    return fail(DkimResult::PermError, "key h= does not allow sha256");
  }
  if (key.strict) {
    auto idom = sig.identity.substr(sig.identity.rfind('@') + 1);
    if (!message::iequals(idom, sig.domain)) return fail(DkimResult::PermError, "key t=s and i= is in a subdomain");
  }
  if (sig.expiration && *sig.expiration < now_) return fail(DkimResult::Fail, "signature expired (x=)");
  bool too_short = false;
  const auto& bh = body_hash(sig, too_short);
  if (too_short) return fail(DkimResult::Fail, "l= is longer than the body");
  if (bh != sig.body_hash) return fail(DkimResult::Fail, "body hash did not verify");
  auto data = dkim_signed_data(message_, sig.headers, sig.header_canon, pending_[index].field->raw);
  if (!dkim_verify(key, sig.algorithm, data, sig.signature)) {
    return fail(DkimResult::Fail, "signature did not verify");
  }
  r.result = DkimResult::Pass;
  r.reason.clear();
}

}  // namespace maillab::auth
