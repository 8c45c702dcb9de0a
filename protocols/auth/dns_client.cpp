#include "protocols/auth/dns_client.hpp"

namespace maillab::auth {

std::string_view to_string(DnsStatus status) {
  switch (status) {
    case DnsStatus::Ok: return "ok";
    case DnsStatus::NoData: return "nodata";
    case DnsStatus::NxDomain: return "nxdomain";
    case DnsStatus::ServFail: return "servfail";
    case DnsStatus::Timeout: return "timeout";
  }
  return "?";
}

std::vector<std::string> DnsAnswer::texts() const {
  std::vector<std::string> out;
  for (const auto& rr : records) {
    if (const auto* txt = std::get_if<dns::TxtData>(&rr.data)) {
      std::string joined;
      for (const auto& s : txt->strings) joined += s;
      out.push_back(std::move(joined));
    }
  }
  return out;
}

}  // namespace maillab::auth
