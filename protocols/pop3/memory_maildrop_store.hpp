// MemoryMaildropStore: an in-memory POP3 host (users, maildrops, locks) implementing
// ServerHandler, for tests and for scenarios that need no disk (DESIGN.md rule 5: an
// in-memory backend first).
//
// Invariants: at most one open Maildrop per user (a second open_maildrop says InUse,
// RFC 1939 4); the lock is released when that Maildrop is destroyed; messages leave the
// store only through Maildrop::remove (the server's UPDATE state). The store must outlive
// every Maildrop it hands out. Fault knobs (fail_opens, fail_removes) let tests drive the
// [SYS/TEMP] paths.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/pop3/server_handler.hpp"

namespace maillab::pop3 {

class MemoryMaildropStore : public ServerHandler {
 public:
  void add_user(const std::string& user, std::string password, std::optional<std::string> apop_secret = {});
  // Appends a message; content should be CRLF text ending in CRLF.
  void deliver(const std::string& user, std::string uid, std::string content);
  const std::vector<MaildropMessage>& messages(const std::string& user) const;
  bool locked(const std::string& user) const { return locks_.count(user) != 0; }

  bool fail_opens = false;    // open_maildrop answers Error
  bool fail_removes = false;  // Maildrop::remove answers false

  bool user_exists(std::string_view user) override;
  bool check_password(std::string_view user, std::string_view password) override;
  std::optional<std::string> apop_secret(std::string_view user) override;
  OpenResult open_maildrop(std::string_view user, std::unique_ptr<Maildrop>& out) override;

 private:
  class Drop;
  struct Account {
    std::string password;
    std::optional<std::string> apop_secret;
    std::vector<MaildropMessage> messages;
  };
  const Account* account(std::string_view user) const;

  std::map<std::string, Account, std::less<>> accounts_;
  std::set<std::string, std::less<>> locks_;
};

}  // namespace maillab::pop3
