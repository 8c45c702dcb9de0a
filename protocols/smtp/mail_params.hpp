// smtp::MailParams: the ESMTP parameters of MAIL FROM (RFC 5321 4.1.1.2, 4.1.2):
//   SIZE=n          RFC 1870 (declared size, checked against the server's limit)
//   BODY=7BIT|8BITMIME   RFC 6152
//   RET=FULL|HDRS, ENVID=xtext   RFC 3461 4.3, 4.4 (DSN)
//   AUTH=xtext|<>   RFC 4954 5
//   SMTPUTF8        RFC 6531 3.4 (no value): the transaction may carry UTF-8 addresses
// Values are stored decoded (ENVID, AUTH); wire() encodes them again. parse() answers
// a peer's mistake with the server's reply: 555 5.5.4 for a parameter not supported
// (4.1.1.11), 501 5.5.4 for a bad value or a repeated parameter.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "protocols/smtp/esmtp_param.hpp"
#include "protocols/smtp/reply.hpp"

namespace maillab::smtp {

enum class Body { Unspecified, SevenBit, EightBitMime };
enum class DsnRet { Unspecified, Full, Hdrs };

struct MailParams {
  std::optional<std::uint64_t> size;
  Body body = Body::Unspecified;
  DsnRet ret = DsnRet::Unspecified;
  std::string envid;               // decoded; "" when absent (RFC 3461: max 100 octets)
  std::optional<std::string> auth;  // decoded AUTH= mailbox; "<>" when the client said so
  bool smtputf8 = false;

  // " SIZE=123 BODY=8BITMIME ..." (leading space per parameter; "" when none), limited
  // to what `support` allows, so a client never sends a parameter the server did not
  // announce.
  std::string wire(const ParamSupport& support) const;
  // The same, appended to `out`.
  void append_wire(std::string& out, const ParamSupport& support) const;

  // Parses the text after the Reverse-path into `out`; nullopt on success, else the
  // reply to send.
  static std::optional<Reply> parse(std::string_view text, const ParamSupport& support, MailParams& out);

  bool operator==(const MailParams&) const = default;
};

}  // namespace maillab::smtp
