#include "protocols/services/accounts.hpp"

#include <algorithm>

#include "protocols/message/ascii.hpp"

namespace maillab::services {

bool CaselessLess::operator()(std::string_view a, std::string_view b) const {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return message::ascii_lower(x) < message::ascii_lower(y);
  });
}

void Accounts::add(std::string name, std::optional<std::string> password) {
  if (auto it = users_.find(name); it != users_.end()) {
    it->second.password = std::move(password);
    return;
  }
  const auto [it, inserted] = users_.emplace(std::move(name), Entry{std::move(password), added_++});
  if (!first_) first_ = &it->first;
}

const std::string* Accounts::find(std::string_view name) const {
  auto it = users_.find(name);
  return it == users_.end() ? nullptr : &it->first;
}

const std::optional<std::string>* Accounts::password_of(std::string_view name) const {
  auto it = users_.find(name);
  return it == users_.end() ? nullptr : &it->second.password;
}

bool Accounts::authenticate(std::string_view name, std::string_view password) const {
  const auto* secret = password_of(name);
  // No user, no password, an empty one: never (issue 15 item 1).
  if (!secret || !*secret || (*secret)->empty() || password.empty()) return false;
  return constant_time_equal(**secret, password);
}

std::optional<std::string> Accounts::apop_secret(std::string_view name) const {
  const auto* secret = password_of(name);
  if (!secret || !*secret || (*secret)->empty()) return std::nullopt;
  return **secret;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  // Every byte of the longer one is looked at: the time tells the lengths, not where
  // the first difference is.
  const std::size_t n = std::max(a.size(), b.size());
  unsigned diff = a.size() == b.size() ? 0u : 1u;
  for (std::size_t i = 0; i < n; ++i) {
    const auto x = static_cast<unsigned char>(i < a.size() ? a[i] : 0);
    const auto y = static_cast<unsigned char>(i < b.size() ? b[i] : 0);
    diff |= static_cast<unsigned>(x ^ y);
  }
  return diff == 0;
}

}  // namespace maillab::services
