// The Authentication-Results header field (RFC 8601) a receiving host adds after its
// checks: the authserv-id (the receiving host's name), then one resinfo per method:
//   spf=RESULT smtp.mailfrom=SENDER        (smtp.helo=HELO for the null path, RFC 7208 9.2)
//   dkim=RESULT header.d=.. header.i=.. header.s=.. header.a=.. header.b=..  (one per
//                                           signature, RFC 6376 / RFC 6008; dkim=none unsigned)
//   dmarc=RESULT (p=POLICY dis=DISPOSITION) header.from=DOMAIN    (RFC 7489 11.2)
// with reason="..." when a check did not pass. Property values are tokens or addresses when
// they can be, otherwise quoted strings; every byte a peer chose is printable ASCII by then
// (others become '?'), so the field cannot be split or smuggle another field.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/auth/dkim_verifier.hpp"
#include "protocols/auth/dmarc_check.hpp"
#include "protocols/auth/spf_check.hpp"

namespace maillab::auth {

struct AuthResultsInput {
  std::string authserv_id;  // the receiving host
  std::optional<SpfOutcome> spf;
  std::string helo;  // for smtp.helo
  std::optional<DkimVerification> dkim;
  std::optional<DmarcOutcome> dmarc;
};

// The field's value on one line (fold it with message::fold_field), "ID; none" when no
// check ran.
std::string authentication_results_value(const AuthResultsInput& input);

// Reading a field back (RFC 8601 2.2): the authserv-id and each resinfo's method and
// result, lowercased, comments and properties skipped ("no-result" gives no entries).
// For a receiving host that drops fields claiming its own authserv-id (RFC 8601 5) and
// for checks that read what a message says. nullopt when the value is not the grammar's.
struct AuthResultsEntry {
  std::string method;  // "spf", "dkim", "dmarc", ... (a method-version is dropped)
  std::string result;  // "pass", "fail", ...
};
struct ParsedAuthResults {
  std::string authserv_id;
  std::vector<AuthResultsEntry> results;
};
std::optional<ParsedAuthResults> parse_authentication_results(std::string_view value);

}  // namespace maillab::auth
