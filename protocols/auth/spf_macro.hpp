// SPF macros (RFC 7208 7): syntax checks for domain-spec and explanation strings, and
// expansion with transformers (digits, "r"), delimiters and URL-escaping for upper-case
// letters. The letters c, r and t are allowed in explanation text only (7.2, 7.3); p (the
// validated client name) is expanded from a value the evaluator looked up beforehand.
// After expansion a domain is cut at the left, label by label, to at most 253 octets, and
// a trailing dot is dropped (7.3, last paragraphs).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "protocols/auth/ip_address.hpp"

namespace maillab::auth {

enum class MacroUse {
  DomainSpec,       // mechanism and modifier targets: slodipvh
  Explanation,      // the TXT of an exp= target: slodipvh + crt, spaces allowed
  UnknownModifier,  // name=macro-string of a modifier the lab ignores: every letter
};

// "" when `text` is well-formed for `use`; otherwise what is wrong.
std::string check_macro_string(std::string_view text, MacroUse use);
// A domain-spec (7.1): a non-empty macro-string ending in a macro-expand or in
// "." toplabel ["."]. "" when valid, else why not.
std::string check_domain_spec(std::string_view text);
// Whether `text` uses the p letter (its expansion needs PTR lookups first).
bool uses_ptr_macro(std::string_view text);

struct MacroContext {
  std::string sender;         // local@domain ("postmaster" when the local-part is empty)
  std::string local_part;     // l
  std::string sender_domain;  // o
  std::string domain;         // d: the domain being checked (changes with include/redirect)
  std::string helo;           // h
  std::string receiver = "unknown";   // r
  std::string validated_name = "unknown";  // p
  IpAddress ip;               // i, c, v
  std::int64_t now = 0;       // t: seconds since the Unix epoch
};

// Expands `text` (already checked); nullopt on a syntax error all the same.
std::optional<std::string> expand_macros(std::string_view text, const MacroContext& ctx,
                                         MacroUse use);
// A domain from expand_macros() made fit for a query: trailing dot dropped, labels taken
// off the left while it is over 253 octets.
std::string fit_domain(std::string domain);

}  // namespace maillab::auth
