// mta::ResolverDns: the sender-authentication checks' DnsClient (protocols/auth) over the
// host's stub resolver (services::Resolver), so SPF, DKIM key and DMARC lookups ask the
// scenario's own DNS servers (or the real ones behind `serve`) like every other lookup,
// traced as dns.query / dns.answer.
//
// Outcomes map as RFC 7208 4.4 and RFC 6376 6.1.2 need them told apart: an answer with
// records -> Ok, NOERROR without records of the type -> NoData, NXDOMAIN -> NxDomain, no
// answer in time -> Timeout, anything else (SERVFAIL, REFUSED, FORMERR, a CNAME loop) ->
// ServFail. Answers always come from a later event (services::Resolver never answers
// inside lookup()), cached ones included.
#pragma once

#include <string>

#include "protocols/auth/dns_client.hpp"
#include "protocols/dns/lookup.hpp"
#include "protocols/services/resolver.hpp"

namespace maillab::mta {

auth::DnsAnswer to_dns_answer(const dns::LookupResult& result);

class ResolverDns final : public auth::DnsClient {
 public:
  explicit ResolverDns(services::Resolver& resolver) : resolver_(resolver) {}
  void lookup(const std::string& name, dns::Type type, Done done) override;

 private:
  services::Resolver& resolver_;
};

}  // namespace maillab::mta
