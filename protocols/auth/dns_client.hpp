// DnsClient: the one way the sender-authentication checks (SPF, DKIM key fetch, DMARC
// discovery) ask DNS. Asynchronous by contract: lookup() returns at once and `done` runs
// later, exactly once, with the records or why there are none. An implementation may also
// answer from inside lookup() (the synchronous FakeDns does); every evaluator here copes
// with both (they trampoline: a synchronous answer never deepens the stack per lookup).
// The lab's resolver (services::Resolver over dns::Lookup) is meant to implement this in
// the wiring round; its cache per TTL is where `bench mail --auth` saves lookups.
// Status follows what SPF (RFC 7208 4.4, 4.6.4, 5) and DKIM (RFC 6376 6.1.2) must tell
// apart: records, NOERROR with no records of the type (NODATA), NXDOMAIN, SERVFAIL or any
// other server error, and no answer in time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/dns/message.hpp"

namespace maillab::auth {

enum class DnsStatus { Ok, NoData, NxDomain, ServFail, Timeout };
std::string_view to_string(DnsStatus status);

struct DnsAnswer {
  DnsStatus status = DnsStatus::ServFail;
  // Records of the asked type at the asked name (after CNAMEs); empty unless Ok.
  std::vector<dns::ResourceRecord> records;
  // The TXT strings of each record, concatenated without separator (RFC 7208 3.3, RFC 6376
  // 3.6.2.2): one entry per record.
  std::vector<std::string> texts() const;
  bool temporary() const { return status == DnsStatus::ServFail || status == DnsStatus::Timeout; }
  bool empty() const { return records.empty(); }
};

class DnsClient {
 public:
  using Done = std::function<void(DnsAnswer)>;
  virtual ~DnsClient() = default;
  // `name` as the check built it (no trailing dot needed); `type` A, AAAA, MX, PTR or TXT.
  virtual void lookup(const std::string& name, dns::Type type, Done done) = 0;
};

// Lets an evaluator be destroyed while a lookup is out: callbacks hold a weak reference
// and do nothing once the owner is gone.
class AliveToken {
 public:
  std::weak_ptr<char> watch() const { return alive_; }

 private:
  std::shared_ptr<char> alive_ = std::make_shared<char>();
};

}  // namespace maillab::auth
