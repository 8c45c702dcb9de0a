#include "protocols/mta/client_name.hpp"

#include <variant>

#include "protocols/dns/address.hpp"
#include "protocols/mta/mta_config.hpp"

namespace maillab::mta {

namespace {

// Postfix's valid_hostname(): what DNS says goes into a header only when it is a host name.
bool valid_host_name(const std::string& name) {
  if (name.empty() || name.size() > 253 || name.front() == '.' || name.back() == '.') return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
    if (!ok) return false;
  }
  return name.find("..") == std::string::npos;
}

}  // namespace

std::string reverse_name(const std::string& address) {
  auto a = parse_ipv4(address);
  if (!a) return "";
  std::string out;
  for (int shift = 0; shift < 32; shift += 8) out += std::to_string((*a >> shift) & 0xff) + ".";
  return out + "in-addr.arpa";
}

ClientNameLookup::ClientNameLookup(services::Resolver& resolver, std::string address, Done done)
    : resolver_(resolver), address_(std::move(address)), done_(std::move(done)) {
  const std::string name = reverse_name(address_);
  if (name.empty()) {
    finish("");
    return;
  }
  std::weak_ptr<bool> alive = alive_;
  resolver_.lookup(name, dns::Type::PTR, [this, alive](const dns::LookupResult& r) {
    if (!alive.expired()) on_ptr(r);
  });
}

ClientNameLookup::~ClientNameLookup() { alive_.reset(); }

void ClientNameLookup::on_ptr(const dns::LookupResult& r) {
  std::string name;
  if (r.outcome == dns::Outcome::Answer) {
    for (const auto& rr : r.answers) {
      const auto* ptr = std::get_if<dns::NameData>(&rr.data);
      if (ptr && rr.type == dns::Type::PTR) {
        name = lowercase(ptr->target);
        break;
      }
    }
  }
  if (!name.empty() && name.back() == '.') name.pop_back();
  if (!valid_host_name(name)) {
    finish("");
    return;
  }
  std::weak_ptr<bool> alive = alive_;
  resolver_.lookup(name, dns::Type::A, [this, alive, name](const dns::LookupResult& a) {
    if (!alive.expired()) on_a(name, a);
  });
}

void ClientNameLookup::on_a(const std::string& name, const dns::LookupResult& r) {
  if (r.outcome == dns::Outcome::Answer) {
    for (const auto& rr : r.answers) {
      const auto* a = std::get_if<dns::AData>(&rr.data);
      if (a && dns::ipv4_to_string(a->address) == address_) {
        finish(name);
        return;
      }
    }
  }
  finish("");  // the name does not lead back to the address: forged or stale, "unknown"
}

void ClientNameLookup::finish(const std::string& name) {
  if (!done_) return;
  Done done = std::move(done_);
  done_ = nullptr;
  done(name);
}

}  // namespace maillab::mta
