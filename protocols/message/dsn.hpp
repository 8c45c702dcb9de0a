// Delivery Status Notifications: RFC 3464 (message/delivery-status) inside RFC 6522
// (ex-3462) multipart/report, status codes from RFC 3463, laid out as Postfix bounce(8)
// writes them. build_dsn() writes one; parse_dsn() reads the delivery-status part back.
//
// build_dsn() output: From "Mail Delivery System <MAILER-DAEMON@host>", To the original
// sender, Subject by kind (any failed -> "Undelivered Mail Returned to Sender"; else any
// delayed -> "Delayed Mail (still being retried)"; else "Successful Mail Delivery
// Report"), Auto-Submitted: auto-replied (RFC 3834), Date, Message-ID, MIME-Version and
// a multipart/report; report-type=delivery-status body of exactly three parts:
//   1. text/plain: the human explanation ("This is the mail system at host ...");
//   2. message/delivery-status: the per-message block, then one block per recipient;
//   3. message/rfc822 with the original (CRLF-normalised), or text/rfc822-headers with
//      its header section when headers_only.
// Invariants: all lines end in CRLF; the boundary is derived from message_id (FNV-1a) and
// never occurs in any part; a recipient address or host given without a type gets
// "rfc822; " / "dns; ", a Diagnostic-Code without one gets "smtp; ".
// parse_dsn() finds the delivery-status part (also nested in multipart/*), tolerates LF,
// folding (a line break plus its indentation reads as one space) and field-name case, and
// strips the address/MTA type ("rfc822; a@b" -> "a@b"); Diagnostic-Code keeps its type.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace maillab::message {

class Message;

struct DsnRecipient {
  std::string final_recipient;
  std::string original_recipient;  // "" when not known
  std::string action;              // failed | delayed | delivered | relayed | expanded
  std::string status;              // "5.1.1"
  std::string remote_mta;          // "" when no remote MTA was involved
  std::string diagnostic_code;     // "smtp; 550 5.1.1 <bob@b.example>: Recipient address rejected"
  int64_t last_attempt_ns = 0;
  std::optional<int64_t> will_retry_until_ns;
};

struct DsnRequest {
  std::string reporting_mta;
  std::string postmaster_from;  // "MAILER-DAEMON@host" ("" -> MAILER-DAEMON@reporting_mta)
  std::string to;               // the original envelope sender
  std::string original_envelope_id;
  int64_t arrival_ns = 0;
  int64_t now_ns = 0;
  std::vector<DsnRecipient> recipients;
  std::string original_message;
  bool headers_only = false;
  std::string message_id;  // with or without <>
};

std::string build_dsn(const DsnRequest& request);

struct ParsedDsn {
  std::string reporting_mta;
  std::string original_envelope_id;
  std::optional<int64_t> arrival_ns;
  std::vector<DsnRecipient> recipients;
};

std::optional<ParsedDsn> parse_dsn(const Message& message);

// A short English text for an RFC 3463 code ("5.1.1" -> "Bad destination mailbox
// address"), by subject.detail; "" when unknown.
std::string_view status_text(std::string_view status);

}  // namespace maillab::message
