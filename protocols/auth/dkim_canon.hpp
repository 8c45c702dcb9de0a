// DKIM canonicalization (RFC 6376 3.4) and header selection (5.4.2). Input is in wire
// form: every line ends in CRLF (the verifier and signer convert bare LF first).
// - simple header: the field as it is; relaxed: name lowercased, unfolded, runs of WSP one
//   SP, no WSP at the end of the value or around the colon (3.4.2).
// - simple body: trailing empty lines removed, an empty body is one CRLF (3.4.3); relaxed:
//   WSP runs one SP, no WSP at line ends, trailing empty lines removed, an empty body stays
//   empty (3.4.4, errata 1384).
// - h= selection: each listed name takes the last instance not taken yet, bottom-up; a name
//   with no instance left selects nothing (that is how oversigning works, 5.4.2).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "protocols/message/message.hpp"

namespace maillab::auth {

enum class DkimCanon { Simple, Relaxed };
std::string_view to_string(DkimCanon canon);

// `field` is a whole raw header field (name, colon, value, folding, final CRLF when it has
// one); the result ends in CRLF.
std::string canonical_header(std::string_view field, DkimCanon canon);
std::string canonical_body(std::string_view body, DkimCanon canon);

std::vector<const message::HeaderField*> select_headers(const std::vector<message::HeaderField>& fields,
                                                        const std::vector<std::string>& names);

}  // namespace maillab::auth
