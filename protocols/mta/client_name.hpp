// mta::ClientNameLookup: the SMTP server's client name, as Postfix's smtpd finds it
// (smtpd_peername_lookup = yes, the default): the PTR record of the client's address in
// in-addr.arpa (RFC 1035 3.5), then the A records of that name; the name counts only when
// one of them is the client's address again ("forward-confirmed reverse DNS"), else the
// client is "unknown". The Received header then reads `from HELO (NAME [ADDR])`.
//
// The lab starts the lookup when the client connects and does not hold the greeting back
// (Postfix does); its answer is used when it has come by the end of DATA, which is always
// the case unless DNS is failing or far slower than the SMTP exchange.
//
// Invariants: the callback runs at most once, never after the object is gone; a name is
// only ever a syntactically valid host name (letters, digits, '-', '.'), lowercase.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "protocols/services/resolver.hpp"

namespace maillab::mta {

// "192.0.2.10" -> "10.2.0.192.in-addr.arpa"; "" for what is not a dotted IPv4 address.
std::string reverse_name(const std::string& address);

class ClientNameLookup {
 public:
  using Done = std::function<void(const std::string& name)>;  // "" = unknown

  // Starts at once; `resolver` must outlive the lookup.
  ClientNameLookup(services::Resolver& resolver, std::string address, Done done);
  ~ClientNameLookup();
  ClientNameLookup(const ClientNameLookup&) = delete;
  ClientNameLookup& operator=(const ClientNameLookup&) = delete;

 private:
  void on_ptr(const dns::LookupResult& r);
  void on_a(const std::string& name, const dns::LookupResult& r);
  void finish(const std::string& name);

  services::Resolver& resolver_;
  std::string address_;
  Done done_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace maillab::mta
