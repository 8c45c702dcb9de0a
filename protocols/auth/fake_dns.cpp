#include "protocols/auth/fake_dns.hpp"

#include <algorithm>

#include "protocols/dns/address.hpp"
#include "protocols/message/ascii.hpp"

namespace maillab::auth {

std::string FakeDns::key(const std::string& name) {
  std::string k = name;
  if (!k.empty() && k.back() == '.') k.pop_back();
  message::lower_in_place(k);
  return k;
}

void FakeDns::add(dns::ResourceRecord record) {
  auto k = key(record.name);
  existing_.insert(k);
  records_[k].push_back(std::move(record));
}

void FakeDns::add_txt(const std::string& name, std::vector<std::string> strings) {
  dns::ResourceRecord rr;
  rr.name = name;
  rr.type = dns::Type::TXT;
  rr.ttl = 3600;
  rr.data = dns::TxtData{std::move(strings)};
  add(std::move(rr));
}

void FakeDns::add_txt(const std::string& name, const std::string& text) {
  std::vector<std::string> strings;
  for (std::size_t i = 0; i < text.size(); i += 255) strings.push_back(text.substr(i, 255));
  if (strings.empty()) strings.emplace_back();
  add_txt(name, std::move(strings));
}

bool FakeDns::add_address(const std::string& name, const std::string& address) {
  dns::ResourceRecord rr;
  rr.name = name;
  rr.ttl = 3600;
  if (auto v4 = dns::parse_ipv4(address)) {
    rr.type = dns::Type::A;
    rr.data = dns::AData{*v4};
  } else if (auto v6 = dns::parse_ipv6(address)) {
    rr.type = dns::Type::AAAA;
    rr.data = dns::AaaaData{*v6};
  } else {
    return false;
  }
  add(std::move(rr));
  return true;
}

void FakeDns::add_mx(const std::string& name, std::uint16_t preference, const std::string& exchange) {
  dns::ResourceRecord rr;
  rr.name = name;
  rr.type = dns::Type::MX;
  rr.ttl = 3600;
  rr.data = dns::MxData{preference, exchange};
  add(std::move(rr));
}

void FakeDns::add_ptr(const std::string& name, const std::string& target) {
  dns::ResourceRecord rr;
  rr.name = name;
  rr.type = dns::Type::PTR;
  rr.ttl = 3600;
  rr.data = dns::NameData{target};
  add(std::move(rr));
}

void FakeDns::set_timeout(const std::string& name) { failing_[key(name)] = DnsStatus::Timeout; }
void FakeDns::set_servfail(const std::string& name) { failing_[key(name)] = DnsStatus::ServFail; }
void FakeDns::add_empty(const std::string& name) { existing_.insert(key(name)); }

DnsAnswer FakeDns::answer(const std::string& name, dns::Type type) const {
  DnsAnswer a;
  auto k = key(name);
  if (auto it = records_.find(k); it != records_.end()) {
    for (const auto& rr : it->second) {
      if (rr.type == type) a.records.push_back(rr);
    }
  }
  if (!a.records.empty()) {
    a.status = DnsStatus::Ok;
  } else if (auto f = failing_.find(k); f != failing_.end()) {
    a.status = f->second;
  } else {
    a.status = existing_.count(k) != 0 ? DnsStatus::NoData : DnsStatus::NxDomain;
  }
  return a;
}

void FakeDns::lookup(const std::string& name, dns::Type type, Done done) {
  queries_.push_back(key(name) + "/" + dns::to_string(type));
  auto a = answer(name, type);
  if (deferred_) {
    queue_.emplace_back(std::move(done), std::move(a));
  } else {
    done(std::move(a));
  }
}

std::size_t FakeDns::deliver() {
  std::size_t n = 0;
  while (!queue_.empty()) {
    auto [done, a] = std::move(queue_.front());
    queue_.pop_front();
    done(std::move(a));
    ++n;
  }
  return n;
}

}  // namespace maillab::auth
