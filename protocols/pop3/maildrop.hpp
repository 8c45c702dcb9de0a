// Maildrop: one user's maildrop as the POP3 server sees it, opened (and locked) by the
// host through ServerHandler::open_maildrop (server_handler.hpp).
//
// Invariants the host promises:
// - messages() is a snapshot taken once, at login; message numbers (1-based, RFC 1939 5)
//   are positions in it and never change during the session.
// - uid is stable across sessions and unique within the maildrop: 1-70 characters in
//   0x21-0x7E (RFC 1939 7, UIDL). A uid outside that syntax is replaced by the server with
//   the MD5 hex of the uid, which is stable too, so a host bug cannot break the wire syntax.
// - content has CRLF line endings and ends with CRLF (or is empty). The server normalizes
//   anything else (bare LF or CR -> CRLF, a final CRLF added) before counting octets, so
//   LIST sizes and byte-stuffing stay exact.
// - remove() is called only in the UPDATE state (RFC 1939 6), after a QUIT in TRANSACTION,
//   once per message marked deleted; returning false makes QUIT answer -ERR.
// - the lock is held for the Maildrop's lifetime: destroying it releases the lock.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace maillab::pop3 {

struct MaildropMessage {
  std::string uid;                               // RFC 1939 7: 1-70 chars 0x21-0x7E
  std::shared_ptr<const std::string> content;   // CRLF lines, shared, never copied per session
};

class Maildrop {
 public:
  virtual ~Maildrop() = default;  // releases the lock
  virtual std::vector<MaildropMessage> messages() = 0;
  virtual bool remove(const std::string& uid) = 0;
};

}  // namespace maillab::pop3
