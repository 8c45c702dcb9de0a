// services::Pop3Server: the host's POP3 retrieval server (the MRA) on port 110: the
// pop3::ServerSession engine per connection, credentials from the host's users, maildrops
// read from the host's mailbox store (Maildir or mbox on its disk), and an exclusive lock
// per maildrop (RFC 1939 4; a second session gets -ERR [IN-USE], RFC 2449 8.1.2).
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>

#include "protocols/io/runtime.hpp"
#include "protocols/mda/mail_store.hpp"

namespace maillab::services {

class Pop3Server {
 public:
  Pop3Server(io::Runtime& rt, std::string mailbox_kind, std::map<std::string, std::string> users);
  ~Pop3Server();
  Pop3Server(const Pop3Server&) = delete;
  Pop3Server& operator=(const Pop3Server&) = delete;

  void start();  // listen on 110

  // Used by the sessions.
  bool check_password(std::string_view user, std::string_view password) const;
  bool lock(const std::string& user) { return locked_.insert(user).second; }
  void unlock(const std::string& user) { locked_.erase(user); }
  mda::MailStore& store() { return *store_; }
  io::Runtime& runtime() { return rt_; }

 private:
  struct Session;
  void accept(io::ConnectionPtr c);

  io::Runtime& rt_;
  std::unique_ptr<mda::MailStore> store_;
  std::map<std::string, std::string> users_;
  std::set<std::string> locked_;
  std::set<std::shared_ptr<Session>> sessions_;
  std::uint64_t sessions_started_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace maillab::services
