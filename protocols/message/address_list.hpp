// Address lists of header fields (RFC 5322 3.4: From, To, Cc, Reply-To, ...) parsed into
// the parts an IMAP ENVELOPE shows (RFC 9051 7.5.2: name, route, mailbox, host) and a
// group's start and end (RFC 5322 3.4 group syntax).
//
// Lenient, as readers of real mail must be: comments are skipped (a comment after a bare
// addr-spec becomes its display name, "a@b (Alice)", as Dovecot does), obsolete forms are
// read (RFC 5322 4.4: a route "@a,@b:" in angle brackets, words separated by CFWS in a
// local part or domain, empty list elements), and anything unreadable still yields an
// entry: a mailbox with no "@" gets host kMissingDomain, an empty local part
// kMissingMailbox (Dovecot's placeholders), so a header never makes the parse fail.
// Encoded words (RFC 2047) are kept as written: IMAP clients decode them.
// Linear in the input; never throws.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace maillab::message {

inline constexpr std::string_view kMissingMailbox = "MISSING_MAILBOX";
inline constexpr std::string_view kMissingDomain = "MISSING_DOMAIN";

struct AddressEntry {
  enum class Kind { Mailbox, GroupStart, GroupEnd };
  Kind kind = Kind::Mailbox;
  std::string name;     // display name (phrase, quotes removed), or the group's name
  std::string route;    // obsolete source route "@a,@b" (without the colon)
  std::string mailbox;  // local part (quotes removed)
  std::string host;     // domain
};

std::vector<AddressEntry> parse_address_list(std::string_view value);

}  // namespace maillab::message
