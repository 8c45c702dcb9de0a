#include "protocols/mta/greylist.hpp"

#include <algorithm>

#include "protocols/mta/mta.hpp"
#include "protocols/mta/mta_config.hpp"

namespace maillab::mta {

namespace {

// postgrey --lookup-by-subnet: the client's /24 (a farm of outgoing servers retries from
// another address of the same network).
std::string subnet_of(std::string_view address) {
  const std::size_t dot = address.rfind('.');
  return dot == std::string_view::npos ? std::string(address) : std::string(address.substr(0, dot)) + ".0/24";
}

}  // namespace

std::optional<smtp::Reply> Greylist::check(std::string_view client_address, std::string_view sender,
                                           std::string_view recipient, io::Time now) {
  Triplet key{subnet_of(client_address), lowercase(std::string(sender)), lowercase(std::string(recipient))};
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    if (entries_.size() >= kMaxEntries) {
      entries_.erase(std::min_element(entries_.begin(), entries_.end(), [](const auto& a, const auto& b) {
        return a.second.first_seen < b.second.first_seen;
      }));
    }
    it = entries_.emplace(std::move(key), Entry{now, false}).first;
  } else if (!it->second.passed && now - it->second.first_seen > kRetryWindow) {
    it->second.first_seen = now;  // not retried in time: a stranger again
  }
  Entry& e = it->second;
  if (e.passed || now - e.first_seen >= delay_) {
    e.passed = true;
    return std::nullopt;
  }
  // postgrey's default --greylist-text, with the recipient as Postfix's policy reply has it.
  const std::string_view domain = recipient.substr(std::min(recipient.size(), recipient.rfind('@') + 1));
  return smtp::Reply::make(450, "4.2.0",
                           "<" + std::string(recipient) + ">: Recipient address rejected: Greylisted, see "
                           "http://postgrey.schweikert.ch/help/" + std::string(domain) + ".html");
}

std::optional<smtp::Reply> Mta::greylisted(const std::string& client_address, const std::string& sender,
                                           const std::string& recipient) {
  if (cfg_->greylist <= 0 || cfg_->in_mynetworks(client_address)) return std::nullopt;
  if (!greylist_) greylist_ = std::make_unique<Greylist>(cfg_->greylist);
  return greylist_->check(client_address, sender, recipient, rt_.now());
}

}  // namespace maillab::mta
