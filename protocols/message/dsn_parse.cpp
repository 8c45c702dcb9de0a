// parse_dsn(): reads the message/delivery-status part of a DSN back (RFC 3464 2.2, 2.3).

#include "protocols/message/ascii.hpp"
#include "protocols/message/date.hpp"
#include "protocols/message/dsn.hpp"
#include "protocols/message/message.hpp"
#include "protocols/message/mime.hpp"

namespace maillab::message {
namespace {

constexpr int kMaxDepth = 4;

// A DSN field's value: the text after the colon, each line break with the indentation
// after it read as one space (so Postfix's 4-space folding and ours read the same).
std::string dsn_value(std::string_view raw) {
  std::size_t colon = raw.find(':');
  if (colon == std::string_view::npos) return {};
  std::string out;
  for (std::size_t i = colon + 1; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '\r' && i + 1 < raw.size() && raw[i + 1] == '\n') continue;
    if (c == '\n') {
      std::size_t j = i + 1;
      while (j < raw.size() && (raw[j] == ' ' || raw[j] == '\t')) ++j;
      if (j < raw.size() && !out.empty() && out.back() != ' ') out += ' ';
      i = j - 1;
      continue;
    }
    out += c;
  }
  std::size_t b = 0, e = out.size();
  while (b < e && (out[b] == ' ' || out[b] == '\t')) ++b;
  while (e > b && (out[e - 1] == ' ' || out[e - 1] == '\t')) --e;
  return out.substr(b, e - b);
}

std::string strip_type(std::string_view v) {
  std::size_t semi = v.find(';');
  if (semi != std::string_view::npos) v.remove_prefix(semi + 1);
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  if (v.size() >= 2 && v.front() == '<' && v.back() == '>') v = v.substr(1, v.size() - 2);
  return std::string(v);
}

std::string first_word(std::string_view v) {
  std::size_t end = v.find_first_of(" \t(");
  return std::string(v.substr(0, end));
}

bool blank_line(std::string_view line) {
  for (char c : line)
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return false;
  return true;
}

// Splits the delivery-status body into its blocks of fields.
std::vector<std::string_view> blocks_of(std::string_view body) {
  std::vector<std::string_view> out;
  std::size_t pos = 0, start = 0;
  bool in_block = false;
  while (pos < body.size()) {
    std::size_t nl = body.find('\n', pos);
    std::size_t end = nl == std::string_view::npos ? body.size() : nl + 1;
    bool blank = blank_line(body.substr(pos, end - pos));
    if (blank && in_block) {
      out.push_back(body.substr(start, pos - start));
      in_block = false;
    } else if (!blank && !in_block) {
      start = pos;
      in_block = true;
    }
    pos = end;
  }
  if (in_block) out.push_back(body.substr(start));
  return out;
}

ParsedDsn read_status(std::string_view body) {
  ParsedDsn dsn;
  for (std::string_view block : blocks_of(body)) {
    Message fields = Message::parse(block);
    bool per_recipient = fields.count("Final-Recipient") > 0 || fields.count("Action") > 0;
    if (!per_recipient) {
      for (const auto& f : fields.fields()) {
        std::string v = dsn_value(f.raw);
        if (iequals(f.name, "Reporting-MTA")) dsn.reporting_mta = strip_type(v);
        else if (iequals(f.name, "Original-Envelope-Id")) dsn.original_envelope_id = v;
        else if (iequals(f.name, "Arrival-Date")) dsn.arrival_ns = parse_rfc5322_date(v);
      }
      continue;
    }
    DsnRecipient r;
    for (const auto& f : fields.fields()) {
      std::string v = dsn_value(f.raw);
      if (iequals(f.name, "Final-Recipient")) r.final_recipient = strip_type(v);
      else if (iequals(f.name, "Original-Recipient")) r.original_recipient = strip_type(v);
      else if (iequals(f.name, "Action")) r.action = ascii_lower(first_word(v));
      else if (iequals(f.name, "Status")) r.status = first_word(v);
      else if (iequals(f.name, "Remote-MTA")) r.remote_mta = strip_type(v);
      else if (iequals(f.name, "Diagnostic-Code")) r.diagnostic_code = v;
      else if (iequals(f.name, "Last-Attempt-Date")) r.last_attempt_ns = parse_rfc5322_date(v).value_or(0);
      else if (iequals(f.name, "Will-Retry-Until")) r.will_retry_until_ns = parse_rfc5322_date(v);
    }
    dsn.recipients.push_back(std::move(r));
  }
  return dsn;
}

std::optional<ParsedDsn> find_status(const Message& m, int depth) {
  ContentType ct = parse_content_type(m.header("Content-Type").value_or("text/plain"));
  if (ct.type == "message/delivery-status") return read_status(m.body());
  if (!ct.is_multipart() || depth >= kMaxDepth) return std::nullopt;
  auto boundary = ct.param("boundary");
  if (!boundary) return std::nullopt;
  for (std::string_view part : split_multipart(m.body(), *boundary))
    if (auto found = find_status(Message::parse(part), depth + 1)) return found;
  return std::nullopt;
}

}  // namespace

std::optional<ParsedDsn> parse_dsn(const Message& message) { return find_status(message, 0); }

}  // namespace maillab::message
