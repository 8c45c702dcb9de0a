#include "protocols/message/compose.hpp"

#include "protocols/message/date.hpp"
#include "protocols/message/encoded_word.hpp"
#include "protocols/message/line_endings.hpp"
#include "protocols/message/message.hpp"

namespace maillab::message {
namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) {
    if (!out.empty()) out += ", ";
    out += s;
  }
  return out;
}

std::string angle(std::string_view id) {
  if (!id.empty() && id.front() == '<') return std::string(id);
  return "<" + std::string(id) + ">";
}

// A header value may not carry line breaks of its own: collapse them to spaces.
std::string one_line(std::string_view v) {
  std::string out;
  for (char c : v) out += (c == '\r' || c == '\n') ? ' ' : c;
  return out;
}

}  // namespace

std::string compose(const Draft& draft, int64_t sim_ns, std::string_view message_id) {
  const std::string body = [&] {
    std::string b = to_crlf(draft.body);
    if (!b.empty() && b.back() != '\n') b += "\r\n";
    return b;
  }();
  std::vector<std::pair<std::string, std::string>> fields;
  fields.emplace_back("From", draft.from);
  if (!draft.to.empty()) fields.emplace_back("To", join(draft.to));
  else if (draft.cc.empty()) fields.emplace_back("To", "undisclosed-recipients:;");
  if (!draft.cc.empty()) fields.emplace_back("Cc", join(draft.cc));
  fields.emplace_back("Subject", encode_rfc2047(draft.subject));
  fields.emplace_back("Date", rfc5322_date(sim_ns));
  fields.emplace_back("Message-ID", angle(message_id));
  fields.emplace_back("MIME-Version", "1.0");
  fields.emplace_back("Content-Type", "text/plain; charset=utf-8");
  fields.emplace_back("Content-Transfer-Encoding", is_ascii(body) ? "7bit" : "8bit");
  for (const auto& [name, value] : draft.extra_headers) {
    if (iequals(name, "Bcc") || name.empty()) continue;
    bool replaced = false;
    for (auto& f : fields) {
      if (iequals(f.first, name)) {
        f = {name, value};
        replaced = true;
        break;
      }
    }
    if (!replaced) fields.emplace_back(name, value);
  }
  std::string out;
  for (const auto& [name, value] : fields) out += fold_field(name, one_line(value));
  out += "\r\n";
  out += body;
  return out;
}

std::string make_message_id(std::string_view host, uint64_t unique, int64_t sim_ns) {
  return "<" + compact_date(sim_ns) + "." + std::to_string(unique) + "@" + std::string(host) + ">";
}

std::string addr_spec(std::string_view mailbox) {
  std::size_t open = mailbox.rfind('<');
  if (open != std::string_view::npos) {
    std::size_t close = mailbox.find('>', open);
    if (close != std::string_view::npos) return std::string(mailbox.substr(open + 1, close - open - 1));
  }
  while (!mailbox.empty() && (mailbox.front() == ' ' || mailbox.front() == '\t')) mailbox.remove_prefix(1);
  while (!mailbox.empty() && (mailbox.back() == ' ' || mailbox.back() == '\t')) mailbox.remove_suffix(1);
  return std::string(mailbox);
}

std::vector<std::string> envelope_recipients(const Draft& draft) {
  std::vector<std::string> out;
  for (const auto* list : {&draft.to, &draft.cc, &draft.bcc})
    for (const auto& m : *list) out.push_back(addr_spec(m));
  return out;
}

}  // namespace maillab::message
