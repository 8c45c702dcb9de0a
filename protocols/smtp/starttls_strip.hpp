// smtp::strip_starttls: what an on-path attacker (or a "helpful" middlebox) does to an
// SMTP session to keep it in clear, as documented in the wild: it overwrites the word in
// place, keeping the length, so the TCP sequence numbers stay right and nothing else has
// to change. The server's EHLO line `250-STARTTLS` becomes `250-XXXXXXXA` (the rewrite
// the EFF reported of ISPs in 2014), an unknown keyword a client ignores; a client's
// `STARTTLS` command becomes `XXXXXXXX` (Cisco ASA "ESMTP inspection" masks commands so),
// which the server answers as an unknown command (500 5.5.2 here, as Postfix).
//
// Invariants: only whole lines inside `bytes` are looked at (a line split across two
// sends passes unchanged); the length never changes; bytes after TLS starts are records,
// not lines, and are left alone in practice. RFC 3207 6 (security considerations: an
// attacker can delete the STARTTLS response) and RFC 8461 / RFC 7672 (the defences).
#pragma once

#include <cstddef>
#include <span>

namespace maillab::smtp {

struct StripCount {
  std::size_t replies = 0;   // EHLO reply lines masked
  std::size_t commands = 0;  // STARTTLS commands masked
  bool any() const { return replies + commands != 0; }
};

// Rewrites in place; says how many STARTTLS words it masked.
StripCount strip_starttls(std::span<char> bytes);

}  // namespace maillab::smtp
