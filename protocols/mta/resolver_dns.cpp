#include "protocols/mta/resolver_dns.hpp"

#include <utility>

namespace maillab::mta {

auth::DnsAnswer to_dns_answer(const dns::LookupResult& result) {
  auth::DnsAnswer a;
  switch (result.outcome) {
    case dns::Outcome::Answer:
      a.records = result.answers;
      a.status = a.records.empty() ? auth::DnsStatus::NoData : auth::DnsStatus::Ok;
      break;
    case dns::Outcome::NoData:
      a.status = auth::DnsStatus::NoData;
      break;
    case dns::Outcome::NxDomain:
      a.status = auth::DnsStatus::NxDomain;
      break;
    case dns::Outcome::Timeout:
      a.status = auth::DnsStatus::Timeout;
      break;
    case dns::Outcome::ServFail:
    case dns::Outcome::Refused:
    case dns::Outcome::FormErr:
    case dns::Outcome::CnameLoop:
      a.status = auth::DnsStatus::ServFail;
      break;
  }
  return a;
}

void ResolverDns::lookup(const std::string& name, dns::Type type, Done done) {
  resolver_.lookup(name, type, [done = std::move(done)](const dns::LookupResult& r) { done(to_dns_answer(r)); });
}

}  // namespace maillab::mta
