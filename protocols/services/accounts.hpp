// services::Accounts: a host's users (a scenario's `users`) as every service asks them:
// which local parts have a mailbox (the MTA's recipient checks and local delivery) and
// who may log in (SMTP AUTH on submission, POP3 USER/PASS, AUTH PLAIN and APOP).
//
// Invariants:
// - a user declared without a password, or with an empty one, never authenticates, by
//   any mechanism (docs/security.md); "no password" is nullopt, never "";
// - names compare without regard to ASCII case (Postfix local(8) folds the recipient,
//   Dovecot's auth_username_format %Lu folds the login); find() returns the name as
//   declared, which names the mailbox;
// - two names equal but for case are one user (the loader refuses them);
// - password comparison takes the same time wherever the first difference is.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace maillab::services {

// Orders strings without regard to ASCII case; transparent (finds by string_view).
struct CaselessLess {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const;
};

class Accounts {
 public:
  // Adds a user (a later one of the same name, in any case, replaces it).
  void add(std::string name, std::optional<std::string> password);
  // The declared name of `name` (any case), or null.
  const std::string* find(std::string_view name) const;
  bool contains(std::string_view name) const { return find(name) != nullptr; }
  // True only for a user with a non-empty password equal to `password`.
  bool authenticate(std::string_view name, std::string_view password) const;
  // The APOP shared secret (RFC 1939 7): the password; nullopt without a usable one.
  std::optional<std::string> apop_secret(std::string_view name) const;
  // The user added first (the default postmaster, docs/scenario-format.md), or null.
  const std::string* first() const { return first_; }
  bool empty() const { return users_.empty(); }
  std::size_t size() const { return users_.size(); }

 private:
  struct Entry {
    std::optional<std::string> password;
    std::uint64_t order = 0;
  };
  const std::optional<std::string>* password_of(std::string_view name) const;

  std::map<std::string, Entry, CaselessLess> users_;
  const std::string* first_ = nullptr;  // a key of users_ (map keys never move)
  std::uint64_t added_ = 0;
};

// Equal strings, in a time that depends on their lengths only.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace maillab::services
