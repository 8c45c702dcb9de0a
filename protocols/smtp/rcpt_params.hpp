// smtp::RcptParams: the ESMTP parameters of RCPT TO (RFC 5321 4.1.1.3, 4.1.2), i.e. the
// DSN ones (RFC 3461 4.1, 4.2):
//   NOTIFY=NEVER | NOTIFY=SUCCESS,FAILURE,DELAY (any non-empty subset)
//   ORCPT=addr-type;xtext   (original recipient, e.g. "rfc822;bob@example.org")
// Same error conventions as MailParams: 555 5.5.4 not supported, 501 5.5.4 bad value.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "protocols/smtp/esmtp_param.hpp"
#include "protocols/smtp/reply.hpp"

namespace maillab::smtp {

struct RcptParams {
  // NOTIFY flags; 0 means NOTIFY was not given (RFC 3461 4.1: then FAILURE,DELAY apply).
  static constexpr unsigned notify_never = 1, notify_success = 2, notify_failure = 4,
                            notify_delay = 8;
  unsigned notify = 0;
  std::string orcpt_type;  // "rfc822"; "" when ORCPT is absent
  std::string orcpt;       // decoded address

  std::string wire(const ParamSupport& support) const;
  // The same, appended to `out`.
  void append_wire(std::string& out, const ParamSupport& support) const;
  static std::optional<Reply> parse(std::string_view text, const ParamSupport& support, RcptParams& out);

  bool operator==(const RcptParams&) const = default;
};

}  // namespace maillab::smtp
