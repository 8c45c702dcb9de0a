// SASL PLAIN (RFC 4616 2), as SMTP AUTH (RFC 4954), POP3 AUTH (RFC 5034) and IMAP
// AUTHENTICATE (RFC 9051 6.2.2) carry it once base64 is decoded:
//   message = [authzid] NUL authcid NUL passwd
// Invariants: a message without exactly two NULs does not parse; the views point into
// the decoded text. The lab does no proxy authorization: proxy() is true when the client
// asks to act as an identity other than the one it authenticates as, and callers refuse
// that as a failed login. Empty user names and passwords parse; callers refuse them too.
#pragma once

#include <optional>
#include <string_view>

namespace maillab::message {

struct SaslPlain {
  std::string_view authzid;
  std::string_view user;  // authcid
  std::string_view password;

  bool proxy() const { return !authzid.empty() && authzid != user; }
};

inline std::optional<SaslPlain> parse_sasl_plain(std::string_view decoded) {
  const std::size_t first = decoded.find('\0');
  const std::size_t second = first == std::string_view::npos ? first : decoded.find('\0', first + 1);
  if (second == std::string_view::npos || decoded.find('\0', second + 1) != std::string_view::npos)
    return std::nullopt;
  return SaslPlain{decoded.substr(0, first), decoded.substr(first + 1, second - first - 1),
                   decoded.substr(second + 1)};
}

}  // namespace maillab::message
