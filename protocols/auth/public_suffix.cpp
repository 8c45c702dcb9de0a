#include "protocols/auth/public_suffix.hpp"

#include <algorithm>
#include <iterator>

#include "protocols/auth/text.hpp"
#include <cctype>

namespace maillab::auth {

namespace {

// Single-label TLDs need not be listed (the default rule), but the common ones are, so the
// list reads as documentation.
constexpr std::string_view kSuffixes[] = {
    "ac.jp", "ac.uk", "arpa", "at", "au", "be", "biz", "br", "ca", "ch", "cn", "co.in",
    "co.jp", "co.nz", "co.uk", "co.za", "com", "com.au", "com.br", "com.cn", "com.mx",
    "de", "dk", "edu", "edu.au", "es", "eu", "example", "fi", "fr", "gov", "gov.uk",
    "in", "in-addr.arpa", "info", "int", "invalid", "io", "ip6.arpa", "it", "jp",
    "localhost", "me", "mil", "mx", "ne.jp", "net", "net.au", "nl", "no", "nz", "or.jp",
    "org", "org.au", "org.uk", "pl", "ru", "se", "test", "uk", "us", "za",
    "ac.nz", "net.nz", "org.nz", "gov.au"};

std::string normalize(std::string_view domain) {
  auto d = ascii_lower(domain);
  if (!d.empty() && d.back() == '.') d.pop_back();
  return d;
}

bool listed(std::string_view suffix) {
  return std::find(std::begin(kSuffixes), std::end(kSuffixes), suffix) != std::end(kSuffixes);
}

}  // namespace

bool is_public_suffix(std::string_view domain) {
  auto d = normalize(domain);
  return listed(d) || d.find('.') == std::string::npos;
}

std::string organizational_domain(std::string_view domain) {
  auto d = normalize(domain);
  // The longest listed suffix; at least the last label (the default rule).
  std::size_t suffix_start = d.rfind('.');
  suffix_start = suffix_start == std::string::npos ? 0 : suffix_start + 1;
  for (std::size_t i = 0; i < d.size(); ++i) {
    if ((i == 0 || d[i - 1] == '.') && listed(std::string_view(d).substr(i))) {
      suffix_start = i;
      break;
    }
  }
  if (suffix_start == 0) return d;  // the name is a public suffix
  auto label_start = d.rfind('.', suffix_start - 2);
  return label_start == std::string::npos ? d : d.substr(label_start + 1);
}

}  // namespace maillab::auth
