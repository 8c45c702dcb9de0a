#include "protocols/message/compose.hpp"

#include <charconv>
#include <cstring>

#include "protocols/message/date.hpp"
#include "protocols/message/encoded_word.hpp"
#include "protocols/message/line_endings.hpp"
#include "protocols/message/message.hpp"

namespace maillab::message {
namespace {

struct Field {
  std::string_view name, value;
};

// The list as one value: the only entry itself, else the entries joined into `storage`.
std::string_view join(const std::vector<std::string>& items, std::string& storage) {
  if (items.size() == 1) return items.front();
  for (const auto& s : items) {
    if (!storage.empty()) storage += ", ";
    storage += s;
  }
  return storage;
}

std::string_view angle(std::string_view id, std::string& storage) {
  if (!id.empty() && id.front() == '<') return id;
  storage.reserve(id.size() + 2);
  storage.append(1, '<').append(id).append(1, '>');
  return storage;
}

// `Name: value` CRLF, folded when long. A header value may not carry line breaks of its
// own: they are collapsed to spaces first (in a copy, only when there are any).
void append_one_line_field(std::string& out, std::string_view name, std::string_view value) {
  if (!std::memchr(value.data(), '\r', value.size()) && !std::memchr(value.data(), '\n', value.size())) {
    if (name.size() + 2 + value.size() <= kFoldLimit)
      out.append(name).append(": ", 2).append(value).append("\r\n", 2);
    else
      append_field(out, name, value);
    return;
  }
  std::string copy(value);
  for (char& c : copy)
    if (c == '\r' || c == '\n') c = ' ';
  append_field(out, name, copy);
}

}  // namespace

std::string compose(const Draft& draft, int64_t sim_ns, std::string_view message_id) {
  std::string to_storage, cc_storage, id_storage;
  const std::string subject = encode_rfc2047(draft.subject);
  char date[kRfc5322DateSize];
  Field base[10];
  std::size_t n = 0;
  base[n++] = {"From", draft.from};
  if (!draft.to.empty()) base[n++] = {"To", join(draft.to, to_storage)};
  else if (draft.cc.empty()) base[n++] = {"To", "undisclosed-recipients:;"};
  if (!draft.cc.empty()) base[n++] = {"Cc", join(draft.cc, cc_storage)};
  base[n++] = {"Subject", subject};
  base[n++] = {"Date", format_rfc5322_date(sim_ns, date)};
  base[n++] = {"Message-ID", angle(message_id, id_storage)};
  base[n++] = {"MIME-Version", "1.0"};
  base[n++] = {"Content-Type", "text/plain; charset=utf-8"};
  // Converting line breaks adds no octet >= 0x80: the draft's body decides.
  base[n++] = {"Content-Transfer-Encoding", is_ascii(draft.body) ? "7bit" : "8bit"};
  // An extra header replaces the first field of its name, else it goes at the end.
  std::vector<Field> extra;
  for (const auto& [name, value] : draft.extra_headers) {
    if (name.empty() || iequals(name, "Bcc")) continue;
    Field* hit = nullptr;
    for (std::size_t i = 0; i < n && !hit; ++i)
      if (iequals(base[i].name, name)) hit = &base[i];
    for (std::size_t i = 0; i < extra.size() && !hit; ++i)
      if (iequals(extra[i].name, name)) hit = &extra[i];
    if (hit) *hit = {name, value};
    else extra.push_back({name, value});
  }

  std::size_t size = 2 + draft.body.size() + draft.body.size() / 16 + 2;
  for (std::size_t i = 0; i < n; ++i) size += base[i].name.size() + base[i].value.size() + 4;
  for (const auto& f : extra) size += f.name.size() + f.value.size() + 4;
  std::string out;
  out.reserve(size);
  for (std::size_t i = 0; i < n; ++i) append_one_line_field(out, base[i].name, base[i].value);
  for (const auto& f : extra) append_one_line_field(out, f.name, f.value);
  out += "\r\n";
  append_crlf(out, draft.body);
  if (!draft.body.empty() && out.back() != '\n') out += "\r\n";
  return out;
}

std::string make_message_id(std::string_view host, uint64_t unique, int64_t sim_ns) {
  const std::string date = compact_date(sim_ns);
  char digits[20];
  char* digits_end = std::to_chars(digits, digits + sizeof digits, unique).ptr;
  std::string out;
  out.reserve(date.size() + sizeof digits + host.size() + 4);
  out += '<';
  out += date;
  out += '.';
  out.append(digits, digits_end);
  out += '@';
  out += host;
  out += '>';
  return out;
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
