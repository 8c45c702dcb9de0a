// smtp::Path: a Reverse-path or Forward-path of MAIL/RCPT (RFC 5321 4.1.2), parsed.
//
// Grammar followed (RFC 5321 4.1.2, 4.1.3):
//   Path = "<" [ A-d-l ":" ] Mailbox ">"      Reverse-path = Path / "<>"
//   Mailbox = Local-part "@" ( Domain / address-literal )
//   Local-part = Dot-string / Quoted-string
// - a source route (A-d-l, "@a.example,@b.example:") is accepted and ignored (4.1.1.3,
//   appendix C);
// - `local` holds the decoded local part (quotes and backslashes removed), case
//   preserved (4.1.2: only the receiving host may interpret it); address() quotes it
//   again when it is not a Dot-string;
// - `domain` is lowercased; an address literal keeps its brackets ("[192.0.2.1]",
//   "[ipv6:2001:db8::1]"); IPv4 literals are checked (4.1.3);
// - "<Postmaster>" (any case, no domain) is a valid Forward-path (4.1.1.3): local
//   "Postmaster", empty domain;
// - 8-bit octets are a syntax error, unless the caller allows SMTPUTF8 (RFC 6531 3.3):
//   then a local part and a domain may hold UTF-8 (atext, qtextSMTP and sub-domain
//   extended with UTF8-non-ascii; a U-label is taken as it is, not checked against
//   IDNA), and octets that are not valid UTF-8 are a syntax error; ascii() tells which
//   kind of address it is. Only ASCII letters are lowercased in the domain.
// Limits (4.5.3.1): local part 64 octets (4.5.3.1.1, counted as written, quotes
// included), domain 255 octets (4.5.3.1.2), whole path 256 octets (4.5.3.1.3). Each has
// its own PathError, and path_error_reply() turns it into the server's answer:
//   syntax         -> 501 5.1.7 Bad sender address syntax / 501 5.1.3 Bad recipient
//                     address syntax (Postfix's wording and codes);
//   over a limit   -> 553 (RFC 5321 4.2.3 "mailbox name not allowed"): the address is
//                     well formed but its name is not acceptable. Postfix itself does not
//                     check these limits; 553 keeps them apart from syntax errors.
#pragma once

#include <string>
#include <string_view>

#include "protocols/smtp/reply.hpp"

namespace maillab::smtp {

struct Path {
  std::string local;   // decoded, case preserved
  std::string domain;  // lowercase; "[...]" for an address literal

  bool is_null() const { return local.empty() && domain.empty(); }
  // No octet above 127: an address that needs no SMTPUTF8 (RFC 6531 3.3).
  bool ascii() const;
  // "local@domain" (local part quoted when needed), "Postmaster" without a domain, ""
  // for the null path.
  std::string address() const;
  // "<local@domain>", "<>" for the null path.
  std::string bracketed() const;
  // The same, appended to `out` (no temporary strings).
  void append_address(std::string& out) const;
  void append_bracketed(std::string& out) const;

  bool operator==(const Path&) const = default;
};

enum class PathError {
  None,
  Syntax,
  LocalPartTooLong,  // 4.5.3.1.1
  DomainTooLong,      // 4.5.3.1.2
  PathTooLong,        // 4.5.3.1.3
};

struct PathResult {
  Path path;
  PathError error = PathError::None;
  std::string_view rest;  // what follows the closing '>' (ESMTP parameters)
  bool ok() const { return error == PathError::None; }
};

inline constexpr std::size_t kMaxLocalPart = 64;   // 4.5.3.1.1
inline constexpr std::size_t kMaxDomain = 255;     // 4.5.3.1.2
inline constexpr std::size_t kMaxPath = 256;       // 4.5.3.1.3

// `text` starts at '<'. parse_reverse_path accepts "<>"; parse_forward_path accepts
// "<Postmaster>" and rejects "<>". `utf8`: UTF-8 addresses are well formed (the server
// offers SMTPUTF8; whether this transaction declared it is the caller's check).
PathResult parse_reverse_path(std::string_view text, bool utf8 = false);
PathResult parse_forward_path(std::string_view text, bool utf8 = false);
// A bare Mailbox "local@domain" (configuration, scenario files, tests); the whole text
// must be the mailbox.
PathResult parse_mailbox(std::string_view text, bool utf8 = false);

// The server's reply for a path error; `sender` selects the MAIL (5.1.7) or RCPT (5.1.3)
// flavour.
Reply path_error_reply(PathError error, bool sender);

}  // namespace maillab::smtp
