// MessageList: the server's view of a maildrop during one TRANSACTION state: the
// snapshot taken at login plus the "deleted" marks (RFC 1939 5).
//
// Invariants: message numbers are 1-based and fixed for the session; a message marked
// deleted is invisible to every command (find() says Deleted) until RSET; nothing leaves
// the maildrop here: deleted_uids() is what the UPDATE state (RFC 1939 6) removes.
// Content is kept in CRLF normal form (dot_stuffing.hpp) so octet counts are exact.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/pop3/maildrop.hpp"

namespace maillab::pop3 {

class MessageList {
 public:
  enum class Lookup { Ok, NoSuchMessage, Deleted };

  MessageList() = default;
  explicit MessageList(std::vector<MaildropMessage> messages);

  Lookup find(std::size_t number) const;
  std::size_t highest() const { return messages_.size(); }  // numbers run 1..highest()
  std::size_t visible_count() const;
  std::size_t visible_octets() const;
  bool deleted(std::size_t number) const { return at(number).deleted; }
  std::size_t octets(std::size_t number) const { return at(number).content->size(); }
  const std::string& uid(std::size_t number) const { return at(number).uid; }
  const std::string& content(std::size_t number) const { return *at(number).content; }

  void mark_deleted(std::size_t number) { messages_[number - 1].deleted = true; }
  void undelete_all();  // RSET
  std::vector<std::string> deleted_uids() const;

  // RFC 1939 7: 1-70 characters in 0x21-0x7E.
  static bool valid_uid(std::string_view uid);

 private:
  struct Entry {
    std::string uid;
    std::shared_ptr<const std::string> content;
    bool deleted = false;
  };
  const Entry& at(std::size_t number) const { return messages_[number - 1]; }

  std::vector<Entry> messages_;
};

}  // namespace maillab::pop3
