#include "protocols/message/dsn.hpp"
#include "protocols/message/hash.hpp"

#include <cstdio>

#include "protocols/message/date.hpp"
#include "protocols/message/line_endings.hpp"
#include "protocols/message/message.hpp"
#include "protocols/message/peer_text.hpp"

namespace maillab::message {
namespace {

enum class Kind { Failed, Delayed, Success };

Kind kind_of(const std::vector<DsnRecipient>& rcpts) {
  bool delayed = false;
  for (const auto& r : rcpts) {
    if (iequals(r.action, "failed")) return Kind::Failed;
    if (iequals(r.action, "delayed")) delayed = true;
  }
  return delayed ? Kind::Delayed : Kind::Success;
}

// A typed DSN field value ("rfc822; bob@b.example"): the parts that came from peers (an
// address, the next hop's name or reply, an ENVID) pass header_safe, so that an xtext
// "+0D+0A" or a reply line cannot add a field of its own.
std::string with_type(std::string_view value, std::string_view type) {
  std::string out;
  std::size_t semi = value.find(';');
  if (semi != std::string_view::npos && semi > 0 && is_header_safe(value.substr(0, semi))) {
    out.assign(value.substr(0, semi + 1));
    value.remove_prefix(semi + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  } else {
    out.assign(type).append(";");
  }
  out += ' ';
  append_header_safe(out, value, PeerText::Text, kPeerTextMax);
  return out;
}

std::string angle(std::string_view s) {
  if (!s.empty() && s.front() == '<') return std::string(s);
  return "<" + std::string(s) + ">";
}

std::string_view after_type(std::string_view v) {
  std::size_t semi = v.find(';');
  if (semi != std::string_view::npos) v.remove_prefix(semi + 1);
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  return v;
}

// Word-wraps one paragraph at 76 columns, continuation lines indented by four spaces
// (Postfix's bounce templates do the same).
void wrap(std::string_view text, std::string& out) {
  constexpr std::size_t kWidth = 76;
  std::string line;
  std::size_t pos = 0;
  while (pos < text.size()) {
    while (pos < text.size() && text[pos] == ' ') ++pos;
    std::size_t end = text.find(' ', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view word = text.substr(pos, end - pos);
    pos = end;
    if (word.empty()) continue;
    if (!line.empty() && line.size() + 1 + word.size() > kWidth) {
      out += line + "\r\n";
      line = "   ";
    }
    if (!line.empty()) line += ' ';
    line += word;
  }
  if (!line.empty()) out += line + "\r\n";
}

std::string one_decimal(int64_t ns, int64_t unit_ns) {
  int64_t tenths = ns <= 0 ? 0 : (ns * 10 + unit_ns / 2) / unit_ns;
  char buf[48];
  std::snprintf(buf, sizeof buf, "%lld.%lld", static_cast<long long>(tenths / 10), static_cast<long long>(tenths % 10));
  return buf;
}

std::string human_text(const DsnRequest& r, Kind kind) {
  std::string t = "This is the mail system at host " + r.reporting_mta + ".\r\n\r\n";
  if (kind == Kind::Failed) {
    t += "I'm sorry to have to inform you that your message could not\r\n"
         "be delivered to one or more recipients. It's attached below.\r\n\r\n";
  } else if (kind == Kind::Delayed) {
    t += "####################################################################\r\n"
         "# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #\r\n"
         "####################################################################\r\n\r\n";
    constexpr int64_t kHour = int64_t(3600) * kNanosPerSecond;
    t += "Your message could not be delivered for " + one_decimal(r.now_ns - r.arrival_ns, kHour) + " hours.\r\n";
    for (const auto& rc : r.recipients) {
      if (iequals(rc.action, "delayed") && rc.will_retry_until_ns) {
        t += "It will be retried until it is " + one_decimal(*rc.will_retry_until_ns - r.arrival_ns, 24 * kHour) +
             " days old.\r\n";
        break;
      }
    }
    t += "\r\n";
  } else {
    t += "Your message was successfully delivered to the destination(s)\r\n"
         "listed below. If the message was delivered to mailbox you will\r\n"
         "receive no further notifications. Otherwise you may still receive\r\n"
         "notifications of mail delivery errors from other systems.\r\n\r\n";
  }
  if (kind != Kind::Success) {
    t += "For further assistance, please send mail to postmaster.\r\n\r\n"
         "If you do so, please include this problem report. You can\r\n"
         "delete your own text from the attached returned message.\r\n\r\n";
  }
  t += "                   The mail system\r\n";
  for (const auto& rc : r.recipients) {
    std::string line = angle(after_type(rc.final_recipient)) + ": ";
    std::string_view diag = after_type(rc.diagnostic_code);
    bool smtp = iequals(rc.diagnostic_code.substr(0, 4), "smtp");
    if (!rc.remote_mta.empty() && smtp && !diag.empty()) {
      line += "host " + std::string(after_type(rc.remote_mta)) + " said: " + std::string(diag);
    } else if (!diag.empty()) {
      line += std::string(diag);
    } else {
      std::string_view what = status_text(rc.status);
      line += rc.action + (what.empty() ? std::string() : ": " + std::string(what)) + " (status " + rc.status + ")";
    }
    t += "\r\n";
    // The next hop's reply and the addresses are peers' text: one line, printable.
    wrap(header_safe(line, PeerText::Text, 4 * kPeerTextMax), t);
  }
  return t;
}

std::string status_part(const DsnRequest& r) {
  std::string s = fold_field("Reporting-MTA", with_type(r.reporting_mta, "dns"));
  if (!r.original_envelope_id.empty())
    s += fold_field("Original-Envelope-Id", header_safe(r.original_envelope_id, PeerText::Text, 100));
  s += fold_field("Arrival-Date", rfc5322_date(r.arrival_ns));
  for (const auto& rc : r.recipients) {
    s += "\r\n";
    s += fold_field("Final-Recipient", with_type(rc.final_recipient, "rfc822"));
    if (!rc.original_recipient.empty())
      s += fold_field("Original-Recipient", with_type(rc.original_recipient, "rfc822"));
    s += fold_field("Action", header_safe(rc.action));
    s += fold_field("Status", header_safe(rc.status));
    if (!rc.remote_mta.empty()) s += fold_field("Remote-MTA", with_type(rc.remote_mta, "dns"));
    if (!rc.diagnostic_code.empty()) s += fold_field("Diagnostic-Code", with_type(rc.diagnostic_code, "smtp"));
    s += fold_field("Last-Attempt-Date", rfc5322_date(rc.last_attempt_ns));
    if (rc.will_retry_until_ns) s += fold_field("Will-Retry-Until", rfc5322_date(*rc.will_retry_until_ns));
  }
  return s;
}

std::string ensure_crlf_end(std::string s) {
  s = lf_to_crlf(s);
  if (!s.empty() && s.back() != '\n') s += "\r\n";
  return s;
}

}  // namespace

std::string build_dsn(const DsnRequest& r) {
  const Kind kind = kind_of(r.recipients);
  const std::string text = human_text(r, kind);
  const std::string status = status_part(r);
  const std::string original = ensure_crlf_end(
      r.headers_only ? Message::parse(r.original_message).header_section() : r.original_message);

  // "=_" cannot start a base64 or quoted-printable line, so it is a safe boundary prefix.
  std::string boundary = "=_maillab_" + hex64(fnv1a(r.message_id));
  for (unsigned n = 1; text.find(boundary) != std::string::npos || status.find(boundary) != std::string::npos ||
                       original.find(boundary) != std::string::npos;
       ++n)
    boundary = "=_maillab_" + hex64(fnv1a(r.message_id + "/" + std::to_string(n)));

  const bool eight_bit = !is_ascii(original) || !is_ascii(text);
  const char* cte = eight_bit ? "8bit" : "7bit";
  const char* subject = kind == Kind::Failed    ? "Undelivered Mail Returned to Sender"
                        : kind == Kind::Delayed ? "Delayed Mail (still being retried)"
                                                : "Successful Mail Delivery Report";
  const std::string from = r.postmaster_from.empty() ? "MAILER-DAEMON@" + r.reporting_mta : r.postmaster_from;

  std::string out;
  out += fold_field("From", "Mail Delivery System <" + from + ">");
  out += fold_field("To", r.to.empty() ? std::string("undisclosed-recipients:;") : r.to);
  out += fold_field("Subject", subject);
  out += fold_field("Auto-Submitted", "auto-replied");
  out += fold_field("Date", rfc5322_date(r.now_ns));
  out += fold_field("Message-ID", angle(r.message_id));
  out += fold_field("MIME-Version", "1.0");
  out += fold_field("Content-Type", "multipart/report; report-type=delivery-status;\r\n\tboundary=\"" + boundary + "\"");
  out += fold_field("Content-Transfer-Encoding", cte);
  out += "\r\n";
  out += "This is a MIME-encapsulated message.\r\n\r\n";

  out += "--" + boundary + "\r\n";
  out += "Content-Description: Notification\r\n";
  out += std::string("Content-Type: text/plain; charset=") + (is_ascii(text) ? "us-ascii" : "utf-8") + "\r\n\r\n";
  out += text;

  out += "\r\n--" + boundary + "\r\n";
  out += "Content-Description: Delivery report\r\n";
  out += "Content-Type: message/delivery-status\r\n\r\n";
  out += status;

  const char* what = kind == Kind::Failed ? "Undelivered" : kind == Kind::Delayed ? "Delayed" : "Delivered";
  out += "\r\n--" + boundary + "\r\n";
  out += std::string("Content-Description: ") + what + (r.headers_only ? " Message Headers" : " Message") + "\r\n";
  out += r.headers_only ? "Content-Type: text/rfc822-headers\r\n" : "Content-Type: message/rfc822\r\n";
  out += std::string("Content-Transfer-Encoding: ") + (is_ascii(original) ? "7bit" : "8bit") + "\r\n\r\n";
  out += original;
  out += "\r\n--" + boundary + "--\r\n";
  return out;
}

std::string_view status_text(std::string_view status) {
  std::size_t dot = status.find('.');
  if (dot == std::string_view::npos) return {};
  std::string_view sd = status.substr(dot + 1);
  std::size_t end = sd.find_first_of(" \t");
  if (end != std::string_view::npos) sd = sd.substr(0, end);
  struct Entry { const char* code; const char* text; };
  static constexpr Entry kTable[] = {
      {"0.0", "Other undefined status"},
      {"1.0", "Other address status"},
      {"1.1", "Bad destination mailbox address"},
      {"1.2", "Bad destination system address"},
      {"1.3", "Bad destination mailbox address syntax"},
      {"1.6", "Destination mailbox has moved"},
      {"1.8", "Bad sender's system address"},
      {"1.10", "Recipient address has null MX"},
      {"2.0", "Other or undefined mailbox status"},
      {"2.1", "Mailbox disabled, not accepting messages"},
      {"2.2", "Mailbox full"},
      {"2.3", "Message length exceeds administrative limit"},
      {"3.0", "Other or undefined mail system status"},
      {"3.1", "Mail system full"},
      {"3.4", "Message too big for system"},
      {"4.0", "Other or undefined network or routing status"},
      {"4.1", "No answer from host"},
      {"4.2", "Bad connection"},
      {"4.3", "Directory server failure"},
      {"4.4", "Unable to route"},
      {"4.6", "Routing loop detected"},
      {"4.7", "Delivery time expired"},
      {"5.0", "Other or undefined protocol status"},
      {"5.1", "Invalid command"},
      {"5.2", "Syntax error"},
      {"5.3", "Too many recipients"},
      {"6.0", "Other or undefined media error"},
      {"7.0", "Other or undefined security status"},
      {"7.1", "Delivery not authorized, message refused"},
  };
  for (const auto& e : kTable)
    if (sd == e.code) return e.text;
  return {};
}

}  // namespace maillab::message
