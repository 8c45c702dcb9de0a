// Mta::dkim_sign: DKIM signing as mail leaves (scenario `mta.dkim`, docs/sender-auth.md),
// OpenDKIM's place in a Postfix MSA: once, as the message is queued, for mail whose From
// domain has keys here; the queue keeps the signed message, so every retry sends the same
// bytes. Each key of the domain adds one field (an RSA and an Ed25519 selector: two, as
// RFC 8463 suggests), the last one added on top.
#include "protocols/auth/dkim_signer.hpp"
#include "protocols/auth/dmarc_check.hpp"
#include "protocols/message/date.hpp"
#include "protocols/message/message.hpp"
#include "protocols/mta/mta.hpp"

namespace maillab::mta {

namespace agent = io::trace::agent;
namespace ev = io::trace::ev;
namespace key = io::trace::key;

void Mta::dkim_sign(const QueueFile& q, std::string& content) {
  const auto from = auth::author_domain(message::Message::parse(content));
  if (!from) return;  // no single From: nothing to sign for (OpenDKIM signs nothing either)
  std::string fields;
  for (const DkimKey& k : cfg_->dkim) {
    if (k.domain != *from || !k.key) continue;
    auth::DkimSignOptions o;
    o.domain = k.domain;
    o.selector = k.selector;
    o.now = message::unix_seconds(rt_.now());
    std::string field = auth::dkim_sign(content, *k.key, o);
    if (field.empty()) continue;  // libcrypto refused: the message leaves unsigned
    fields.insert(0, field);
    if (rt_.tracing()) {
      rt_.trace(agent::kMta, ev::kDkimSigned,
                {{key::kId, q.id},
                 {key::kMsgid, q.message_id},
                 {key::kDomain, k.domain},
                 {key::kSelector, k.selector},
                 {key::kAlgorithm, std::string(auth::to_string(k.key->algorithm()))}});
    }
  }
  if (!fields.empty()) content.insert(0, fields);
}

}  // namespace maillab::mta
