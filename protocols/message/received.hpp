// Received: trace fields (RFC 5321 4.4, RFC 5322 3.6.7) in Postfix's layout:
//
//   from helo (host [192.0.2.1])
//   <TAB>by by_host (maillab) with ESMTP id ABC123
//   <TAB>for <bob@b.example>; Mon, 02 Mar 2026 09:00:00 +0000
//
// Empty parts are left out (no "from" clause for local submission, no "for" with several
// recipients); an unknown client host reads "unknown", an IPv6 literal gets the "IPv6:"
// tag (RFC 5321 4.1.3). `with` is a protocol from the IANA "WITH" registry (SMTP, ESMTP,
// ESMTPA, ESMTPS, ESMTPSA, LMTP) or "local". received_hosts() reads the "by" host back
// from each Received field (comments skipped), the basis of hop counting and the timeline.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace maillab::message {

class Message;

struct ReceivedInfo {
  std::string from_helo;
  std::string from_host;     // reverse DNS name, "" when unknown
  std::string from_address;  // "192.0.2.1", "2001:db8::1"
  std::string by_host;
  std::string with;  // SMTP, ESMTP, ESMTPA, ESMTPS, ESMTPSA, LMTP, local
  std::string tls;   // Postfix's "using TLSv1.3 with cipher ..." (its own line); "" = clear
  std::string id;    // queue id
  std::string for_rcpt;
  int64_t sim_ns = 0;
};

// The field value (no "Received: ", no final CRLF), with CRLF TAB folds.
std::string received_value(const ReceivedInfo& info);
// The "by" host of every Received field, top (newest) to bottom; "" for a field without one.
std::vector<std::string> received_hosts(const Message& message);

// The "by" host and the "with" protocol of every Received field, newest first ("" where
// a field has none).
struct ReceivedHop {
  std::string by;
  std::string with;
  // RFC 3848: ESMTPS, ESMTPSA, LMTPS, UTF8SMTPS...: the hop ran over TLS.
  bool encrypted() const;
};
std::vector<ReceivedHop> received_hops(const Message& message);

}  // namespace maillab::message
