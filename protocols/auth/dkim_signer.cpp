#include "protocols/auth/dkim_signer.hpp"

#include "protocols/auth/dkim_signature.hpp"
#include "protocols/auth/text.hpp"
#include "protocols/message/base64.hpp"
#include "protocols/message/line_endings.hpp"
#include "protocols/message/message.hpp"

namespace maillab::auth {

const std::vector<std::string>& default_signed_headers() {
  static const std::vector<std::string> headers = {
      "From", "Reply-To", "Subject", "Date", "To", "Cc", "Resent-Date", "Resent-From",
      "Resent-Sender", "Resent-To", "Resent-Cc", "In-Reply-To", "References", "List-Id",
      "List-Help", "List-Unsubscribe", "List-Subscribe", "List-Post", "List-Owner", "List-Archive"};
  return headers;
}

namespace {

// Appends "tag=value;" folding before it (CRLF TAB) when the line would pass 76 columns;
// a long value is broken every `chunk` octets (base64) or after a ':' (h=).
// b= (`last`) always starts a line of its own, so the field hashed with b= empty is folded
// exactly as the field sent (simple canonicalization keeps folding).
void append_tag(std::string& out, std::size_t& column, const std::string& tag, const std::string& value,
                bool last = false) {
  std::string item = tag + "=" + value + (last ? "" : ";");
  if (last || (column + 1 + item.size() > 76 && column > 1)) {
    out += "\r\n\t";
    column = 1;
  } else if (column > 0) {
    out += ' ';
    ++column;
  }
  const bool base64 = tag == "b" || tag == "bh";
  std::size_t i = 0;
  while (i < item.size()) {
    std::size_t room = column < 76 ? 76 - column : 1;
    if (item.size() - i <= room) {
      out.append(item, i, std::string::npos);
      column += item.size() - i;
      break;
    }
    std::size_t cut = i + room;
    if (!base64) {  // break after a ':' (h= allows FWS there)
      auto colon = item.rfind(':', cut - 1);
      if (colon == std::string::npos || colon < i) colon = item.find(':', cut);
      cut = colon == std::string::npos ? item.size() : colon + 1;
    }
    out.append(item, i, cut - i);
    column += cut - i;
    i = cut;
    if (i < item.size()) {
      out += "\r\n\t";
      column = 1;
    }
  }
}

}  // namespace

std::string dkim_sign(std::string_view message_bytes, const DkimPrivateKey& key, const DkimSignOptions& o) {
  auto msg = message::Message::parse(message::lf_to_crlf(message_bytes));
  std::string h;
  for (const auto& field : msg.fields()) {
    if (field.name.empty()) continue;
    for (const auto& wanted : o.headers) {
      if (message::iequals(field.name, wanted)) {
        h += (h.empty() ? "" : ":") + field.name;
        break;
      }
    }
  }
  if (o.oversign_from) h += h.empty() ? "From" : ":From";
  if (h.empty()) h = "From";  // h= must name From (RFC 6376 5.4)

  auto body = canonical_body(msg.body(), o.body_canon);
  std::string field = "DKIM-Signature:";
  std::size_t column = field.size();
  append_tag(field, column, "v", "1");
  append_tag(field, column, "a", std::string(to_string(key.algorithm())));
  append_tag(field, column, "c", std::string(to_string(o.header_canon)) + "/" + std::string(to_string(o.body_canon)));
  append_tag(field, column, "d", o.domain);
  if (o.identity) append_tag(field, column, "i", *o.identity);
  append_tag(field, column, "s", o.selector);
  append_tag(field, column, "t", std::to_string(o.now));
  if (o.valid_for) append_tag(field, column, "x", std::to_string(o.now + *o.valid_for));
  if (o.body_length) append_tag(field, column, "l", std::to_string(body.size()));
  append_tag(field, column, "h", h);
  append_tag(field, column, "bh", message::base64_encode(sha256(body)));
  std::string unsigned_field = field;
  std::size_t unsigned_column = column;
  append_tag(unsigned_field, unsigned_column, "b", "", true);

  auto signature = key.sign(dkim_signed_data(msg, split_list(h, ':'), o.header_canon, unsigned_field));
  append_tag(field, column, "b", message::base64_encode(signature), true);
  return field + "\r\n";
}

}  // namespace maillab::auth
