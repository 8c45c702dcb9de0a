#include "protocols/pop3/memory_maildrop_store.hpp"

#include <algorithm>

namespace maillab::pop3 {

class MemoryMaildropStore::Drop : public Maildrop {
 public:
  Drop(MemoryMaildropStore& store, std::string user) : store_(store), user_(std::move(user)) {}
  ~Drop() override { store_.locks_.erase(user_); }

  std::vector<MaildropMessage> messages() override { return store_.accounts_[user_].messages; }

  bool remove(const std::string& uid) override {
    if (store_.fail_removes) return false;
    auto& list = store_.accounts_[user_].messages;
    const auto it = std::find_if(list.begin(), list.end(), [&](const auto& m) { return m.uid == uid; });
    if (it == list.end()) return false;
    list.erase(it);
    return true;
  }

 private:
  MemoryMaildropStore& store_;
  std::string user_;
};

void MemoryMaildropStore::add_user(const std::string& user, std::string password,
                                   std::optional<std::string> apop_secret) {
  auto& a = accounts_[user];
  a.password = std::move(password);
  a.apop_secret = std::move(apop_secret);
}

void MemoryMaildropStore::deliver(const std::string& user, std::string uid, std::string content) {
  accounts_[user].messages.push_back(
      MaildropMessage{std::move(uid), std::make_shared<const std::string>(std::move(content))});
}

const std::vector<MaildropMessage>& MemoryMaildropStore::messages(const std::string& user) const {
  static const std::vector<MaildropMessage> kNone;
  const auto* a = account(user);
  return a != nullptr ? a->messages : kNone;
}

const MemoryMaildropStore::Account* MemoryMaildropStore::account(std::string_view user) const {
  const auto it = accounts_.find(user);
  return it == accounts_.end() ? nullptr : &it->second;
}

bool MemoryMaildropStore::user_exists(std::string_view user) { return account(user) != nullptr; }

bool MemoryMaildropStore::check_password(std::string_view user, std::string_view password) {
  const auto* a = account(user);
  return a != nullptr && !a->password.empty() && a->password == password;
}

std::optional<std::string> MemoryMaildropStore::apop_secret(std::string_view user) {
  const auto* a = account(user);
  return a != nullptr ? a->apop_secret : std::nullopt;
}

ServerHandler::OpenResult MemoryMaildropStore::open_maildrop(std::string_view user,
                                                             std::unique_ptr<Maildrop>& out) {
  if (fail_opens || account(user) == nullptr) return OpenResult::Error;
  if (!locks_.emplace(user).second) return OpenResult::InUse;
  out = std::make_unique<Drop>(*this, std::string(user));
  return OpenResult::Ok;
}

}  // namespace maillab::pop3
