// compose(): the bytes a MUA hands to its MSA (RFC 5322 message, RFC 2045 MIME headers),
// from a Draft. Deterministic: the Date comes from simulated time, the Message-ID is
// given (make_message_id() builds one from a host name and a counter).
//
// Output: From, To, Cc (when any), Subject, Date, Message-ID, MIME-Version: 1.0,
// Content-Type: text/plain; charset=utf-8, Content-Transfer-Encoding: 7bit (ASCII body)
// or 8bit (RFC 6152), then Draft::extra_headers in order; an extra header with the name
// of one of those replaces it in place. Bcc never appears (RFC 5322 3.6.3: the MUA gives
// Bcc addresses to the MSA in the envelope only); a Bcc in extra_headers is dropped too.
// No To and no Cc gives "To: undisclosed-recipients:;" (an empty group, 3.4).
// Every line ends in CRLF and the body ends with CRLF; a non-ASCII Subject is written as
// RFC 2047 encoded-words. Body lines longer than 998 octets are not wrapped.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace maillab::message {

struct Draft {
  std::string from;  // "Alice <alice@a.example>" or "alice@a.example"
  std::vector<std::string> to, cc, bcc;
  std::string subject;  // UTF-8
  std::string body;     // any line endings
  std::vector<std::pair<std::string, std::string>> extra_headers;
};

std::string compose(const Draft& draft, int64_t sim_ns, std::string_view message_id);

// "<20260302090000.<unique>@host>": the date part is the simulated time (the epoch when
// not given), so ids are unique per (host, unique) and reproducible.
std::string make_message_id(std::string_view host, uint64_t unique, int64_t sim_ns = 0);

// The addr-spec of a mailbox: "Bob <bob@b.example>" -> "bob@b.example" (what is inside
// the last <...>, else the trimmed text). For MAIL FROM / RCPT TO.
std::string addr_spec(std::string_view mailbox);
// Every recipient a Draft addresses (To, Cc, Bcc) as addr-specs: the RCPT TO list.
std::vector<std::string> envelope_recipients(const Draft& draft);

}  // namespace maillab::message
