// FakeDns: an in-memory DnsClient for tests, fuzz targets and the interop helper. Records
// are added per name; a name with no records at all is NXDOMAIN, a name with records of
// other types is NODATA for the missing type, and a name can be made to time out or
// SERVFAIL for the types it holds no records of (the convention of the openspf test suite:
// "TIMEOUT" answers only what has no data). Names compare case-insensitively, a trailing
// dot is ignored. By default answers come synchronously from inside lookup(); with
// set_deferred(true) they queue until deliver() (to exercise the asynchronous path).
#pragma once

#include <cstddef>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "protocols/auth/dns_client.hpp"

namespace maillab::auth {

class FakeDns : public DnsClient {
 public:
  void add(dns::ResourceRecord record);
  void add_txt(const std::string& name, std::vector<std::string> strings);
  void add_txt(const std::string& name, const std::string& text);  // split into 255-octet strings
  // "192.0.2.1" or "2001:db8::1": an A or AAAA record. False when not an address.
  bool add_address(const std::string& name, const std::string& address);
  void add_mx(const std::string& name, std::uint16_t preference, const std::string& exchange);
  void add_ptr(const std::string& name, const std::string& target);
  // Every type without records at `name` answers Timeout (or ServFail).
  void set_timeout(const std::string& name);
  void set_servfail(const std::string& name);
  // Makes `name` exist (NODATA for every type) without any record.
  void add_empty(const std::string& name);

  void set_deferred(bool deferred) { deferred_ = deferred; }
  // Delivers queued answers (and those their callbacks queue) until none is left.
  std::size_t deliver();

  void lookup(const std::string& name, dns::Type type, Done done) override;
  DnsAnswer answer(const std::string& name, dns::Type type) const;

  // Every question asked so far, "name/TYPE".
  const std::vector<std::string>& queries() const { return queries_; }

 private:
  static std::string key(const std::string& name);
  std::map<std::string, std::vector<dns::ResourceRecord>> records_;
  std::map<std::string, DnsStatus> failing_;
  std::set<std::string> existing_;
  bool deferred_ = false;
  std::deque<std::pair<Done, DnsAnswer>> queue_;
  std::vector<std::string> queries_;
};

}  // namespace maillab::auth
