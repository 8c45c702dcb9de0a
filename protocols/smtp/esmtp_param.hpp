// smtp::EsmtpParam: one "keyword[=value]" of the ESMTP parameters after a MAIL or RCPT
// path (RFC 5321 4.1.2 Mail-parameters / Rcpt-parameters), plus xtext (RFC 3461 4)
// which DSN's ENVID/ORCPT and AUTH= (RFC 4954 5) use for their values.
//
//   esmtp-param   = esmtp-keyword ["=" esmtp-value]
//   esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
//   esmtp-value   = 1*(%d33-60 / %d62-126)
// Parameters are separated by one or more spaces (Postfix accepts several; RFC 5321
// has one). ParamSupport says which extensions the server announced: a parameter of an
// extension not announced is as unknown as a made-up one (555 5.5.4, 4.1.1.11).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace maillab::smtp {

struct EsmtpParam {
  std::string keyword;  // uppercased
  std::string value;    // as written (still xtext-encoded where that applies)
  bool has_value = false;
};

// What the server offers, deciding which parameters MAIL/RCPT accept.
struct ParamSupport {
  bool esmtp = true;  // EHLO was used; after HELO no parameter is allowed
  bool size = true;   // SIZE (RFC 1870)
  bool body = true;   // 8BITMIME (RFC 6152): BODY=
  bool dsn = true;    // DSN (RFC 3461): RET= ENVID= NOTIFY= ORCPT=
  bool auth = false;  // AUTH (RFC 4954): AUTH=
  bool smtputf8 = false;  // SMTPUTF8 (RFC 6531): the SMTPUTF8 keyword
};

// Splits the text after '>' ("" or " SIZE=10 BODY=8BITMIME"); nullopt on bad syntax.
std::optional<std::vector<EsmtpParam>> split_esmtp_params(std::string_view text);

// RFC 3461 4: xtext = *( xchar / hexchar ), hexchar = "+" 2 uppercase hex digits.
std::optional<std::string> xtext_decode(std::string_view text);
std::string xtext_encode(std::string_view text);

}  // namespace maillab::smtp
