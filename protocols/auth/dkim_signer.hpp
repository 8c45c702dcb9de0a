// Signing a message with DKIM (RFC 6376 5): one DKIM-Signature field to put on top.
// The lab's defaults are those of OpenDKIM as Debian ships it: relaxed/relaxed, the
// header fields RFC 6376 5.4.1 says SHOULD be signed (OpenDKIM's dkim_should_signhdrs:
// From, Reply-To, Subject, Date, To, Cc, Resent-Date, Resent-From, Resent-Sender,
// Resent-To, Resent-Cc, In-Reply-To, References, List-Id, List-Help, List-Unsubscribe,
// List-Subscribe, List-Post, List-Owner, List-Archive), each instance present listed in
// message order, From oversigned once more (Debian's opendkim.conf: "OversignHeaders From",
// so no From can be added above without breaking the signature), t= always, no l=.
// MIME-Version, Content-Type and Message-ID are not in that list; a caller can add them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/auth/dkim_canon.hpp"
#include "protocols/auth/dkim_key.hpp"

namespace maillab::auth {

const std::vector<std::string>& default_signed_headers();

struct DkimSignOptions {
  std::string domain;    // d=
  std::string selector;  // s=
  std::int64_t now = 0;  // t=, seconds since the Unix epoch
  std::optional<std::int64_t> valid_for;  // x = t + valid_for
  DkimCanon header_canon = DkimCanon::Relaxed;
  DkimCanon body_canon = DkimCanon::Relaxed;
  std::vector<std::string> headers = default_signed_headers();
  bool oversign_from = true;
  std::optional<std::string> identity;  // i=
  bool body_length = false;             // l= with the whole canonical body
};

// The whole "DKIM-Signature: ..." field, folded, ending in CRLF. `message` may use CRLF or
// bare LF line ends (signed as if CRLF, as it goes on the wire).
std::string dkim_sign(std::string_view message, const DkimPrivateKey& key, const DkimSignOptions& options);

}  // namespace maillab::auth
