// The organizational domain of a name (RFC 7489 3.2): its public suffix plus one label.
// The lab ships a small public suffix list of its own, not Mozilla's (publicsuffix.org):
// the generic TLDs mail commonly uses, a few country codes with their second-level
// registries (co.uk, com.au, co.jp, ...), and the reserved names the lab's scenarios live
// in (example, test, invalid, localhost; RFC 2606 / 6761) plus arpa. Any other TLD counts
// as a public suffix of one label (the PSL's default "*" rule), so an unlisted ccTLD with
// second-level registrations gives too short an organizational domain -- enough for a lab,
// not for production. The list is in public_suffix.cpp.
#pragma once

#include <string>
#include <string_view>

namespace maillab::auth {

// Lowercased, trailing dot removed. A public suffix itself (or a single label) is its own
// organizational domain.
std::string organizational_domain(std::string_view domain);
bool is_public_suffix(std::string_view domain);

}  // namespace maillab::auth
