// smtp::StarttlsStripper: what an on-path attacker (or a "helpful" middlebox) does to one
// SMTP connection to keep it in clear, as documented in the wild: it overwrites the word in
// place, keeping the length, so the TCP sequence numbers stay right and nothing else has
// to change. The server's EHLO line `250-STARTTLS` becomes `250-XXXXXXXA` (the rewrite
// the EFF reported of ISPs in 2014), an unknown keyword a client ignores; a client's
// `STARTTLS` command becomes `XXXXXXXX` (Cisco ASA "ESMTP inspection" masks commands so),
// which the server answers as an unknown command (500 5.5.2 here, as Postfix).
//
// Like such an inspection engine it follows the conversation, so it rewrites nothing but
// those two: the server's reply to EHLO, and a client command line. Message content - the
// lines after the server's 354 up to the client's lone ".", and the octets of each BDAT
// chunk (RFC 3030) - passes untouched, whatever it says; so does everything once TLS is on
// (the server's 220 to a STARTTLS that got through).
//
// Invariants: only whole lines inside one send are rewritten (a line split across two
// sends passes unchanged, but is still read to follow the conversation); the length never
// changes; memory is bounded (a few bytes of an unfinished line). RFC 3207 6 (security
// considerations: an attacker can delete the STARTTLS response) and RFC 8461 / RFC 7672
// (the defences).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace maillab::smtp {

struct StripCount {
  std::size_t replies = 0;   // EHLO reply lines masked
  std::size_t commands = 0;  // STARTTLS commands masked
  bool any() const { return replies + commands != 0; }
};

// One connection, seen from its greeting on. Feed each send of either side in order.
class StarttlsStripper {
 public:
  StripCount from_server(std::span<char> bytes);
  StripCount from_client(std::span<char> bytes);
  // TLS is on, or the server said 221: nothing more will be rewritten.
  bool done() const { return tls_ || closed_; }
  // A STARTTLS went through unmasked: the server's next 220 starts TLS (not a greeting).
  bool awaiting_tls() const { return starttls_sent_; }

 private:
  // The start of the line being read in one direction (enough to classify it).
  struct Partial {
    std::string head;      // its first bytes, at most kHead
    bool pending = false;  // a line begun in an earlier send is being read
  };
  static constexpr std::size_t kHead = 24;

  void server_line(std::span<char> line, bool whole, StripCount& n);
  void client_line(std::span<char> line, bool whole, StripCount& n);

  Partial server_, client_;
  bool ehlo_reply_ = false;     // the client sent EHLO: the server's next reply is its answer
  bool data_ = false;           // after the server's 354: client lines are content up to "."
  std::uint64_t bdat_left_ = 0;  // octets of a BDAT chunk still to pass
  bool starttls_sent_ = false;
  bool tls_ = false;
  bool closed_ = false;
};

}  // namespace maillab::smtp
