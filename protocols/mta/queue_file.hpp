// mta::QueueFile: one queued message's envelope, as it lives on the host's disk (Postfix
// keeps envelope and content in one queue file; here the envelope is a small text file at
// `queue/<state>/<id>` and the content sits beside it at `queue/msg/<id>`, so a retry
// rewrites a few hundred bytes, not the message).
//
// Per-recipient state (Postfix qmgr): pending until delivered or failed; a message leaves
// the queue when no recipient is pending. The file is rewritten atomically (io::Disk::write)
// after every change, so a crash at any moment leaves either the old or the new state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/io/runtime.hpp"

namespace maillab::mta {

enum class QueueState { Incoming, Active, Deferred, Hold };
std::string_view queue_state_name(QueueState s);

enum class RcptState { Pending, Delivered, Failed };

struct QueueRecipient {
  std::string address;       // where it goes now (after alias expansion)
  std::string original;      // as the client gave it (DSN Original-Recipient)
  RcptState state = RcptState::Pending;
  std::string status;        // RFC 3463 code of the last outcome, e.g. 4.4.1
  std::string diagnostic;    // e.g. "smtp; 550 5.1.1 <bob@b.example>: User unknown"
  std::string remote_mta;    // the host that answered, if any
  bool reported = false;     // a DSN for this recipient's failure (or success) was sent
  // RFC 3461 4.1 NOTIFY as smtp::RcptParams keeps it (0: not given, FAILURE,DELAY apply)
  // and 4.2 ORCPT as "type;address" ("" when not given): honoured here, passed on to a
  // next hop that announces DSN.
  unsigned notify = 0;
  std::string orcpt;
};

struct QueueFile {
  std::string id;
  QueueState state = QueueState::Incoming;
  io::Time arrival = 0;
  std::string sender;        // "" is the null sender <>
  std::string envid;         // DSN ENVID
  bool ret_headers = false;  // DSN RET=HDRS
  bool smtputf8 = false;     // received with SMTPUTF8 (RFC 6531): relayed with it
  std::string subject;       // cached for the trace and the inspector
  std::string message_id;    // the Message-ID header, cached likewise
  std::string client;        // who handed it to us: "helo [addr]" or "local"
  std::string folder;        // where local delivery files it: "" the inbox, "Junk"
  int attempts = 0;
  io::Time next_attempt = 0;
  bool warned = false;       // delay warning sent
  std::vector<QueueRecipient> rcpts;
  // Not on disk: the states whose directory may hold this envelope (bit 1 << state), so
  // that moving it removes one old path, not every state's. All bits when unknown.
  std::uint8_t stored = 0x0F;

  bool done() const;  // no recipient pending
  std::string serialize() const;
  static std::optional<QueueFile> parse(std::string_view text);

  std::string envelope_path() const;
  static std::string content_path(std::string_view id);
  static std::string envelope_path(QueueState s, std::string_view id);
  // The same paths written into `buf`, which the queue manager reuses (no allocation).
  static const std::string& content_path(std::string_view id, std::string& buf);
  static const std::string& envelope_path(QueueState s, std::string_view id, std::string& buf);
};

}  // namespace maillab::mta
