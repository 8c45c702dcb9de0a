#include "protocols/pop3/message_list.hpp"

#include "protocols/pop3/dot_stuffing.hpp"
#include "protocols/pop3/md5.hpp"

namespace maillab::pop3 {

MessageList::MessageList(std::vector<MaildropMessage> messages) {
  static const auto kEmpty = std::make_shared<const std::string>();
  messages_.reserve(messages.size());
  for (auto& m : messages) {
    Entry e;
    // A uid outside RFC 1939 7 syntax is a host bug; its MD5 is valid and just as stable.
    e.uid = valid_uid(m.uid) ? std::move(m.uid) : Md5::hex(m.uid);
    if (!m.content) {
      e.content = kEmpty;
    } else if (is_crlf_text(*m.content)) {
      e.content = std::move(m.content);  // the normal case: shared, not copied
    } else {
      e.content = std::make_shared<const std::string>(normalize_crlf(*m.content));
    }
    messages_.push_back(std::move(e));
  }
}

bool MessageList::valid_uid(std::string_view uid) {
  if (uid.empty() || uid.size() > 70) return false;
  for (char c : uid) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

MessageList::Lookup MessageList::find(std::size_t number) const {
  if (number == 0 || number > messages_.size()) return Lookup::NoSuchMessage;
  return messages_[number - 1].deleted ? Lookup::Deleted : Lookup::Ok;
}

std::size_t MessageList::visible_count() const {
  std::size_t n = 0;
  for (const auto& e : messages_) n += e.deleted ? 0 : 1;
  return n;
}

std::size_t MessageList::visible_octets() const {
  std::size_t n = 0;
  for (const auto& e : messages_) n += e.deleted ? 0 : e.content->size();
  return n;
}

void MessageList::undelete_all() {
  for (auto& e : messages_) e.deleted = false;
}

std::vector<std::string> MessageList::deleted_uids() const {
  std::vector<std::string> out;
  for (const auto& e : messages_) {
    if (e.deleted) out.push_back(e.uid);
  }
  return out;
}

}  // namespace maillab::pop3
