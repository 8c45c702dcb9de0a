// The DKIM-Signature header field (RFC 6376 3.5) parsed and checked as 6.1.1 asks: v=1;
// a, b, bh, d, h, s present; h includes From; i (default "@" d) in d or below it; x not
// before t; c simple or relaxed for each part; q dns/txt; d and s made of letters, digits,
// '-', '_' and '.' only (they become a DNS name and a header comment). And the data that
// is signed (3.7): the h= fields (selected bottom-up, 5.4.2) canonicalized, then this field
// itself canonicalized with the b= value (and the whitespace around it) removed and no
// final CRLF -- one function for signer and verifier, so they cannot disagree.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/auth/dkim_canon.hpp"
#include "protocols/auth/dkim_key.hpp"
#include "protocols/message/message.hpp"

namespace maillab::auth {

struct DkimSignature {
  DkimAlgorithm algorithm = DkimAlgorithm::RsaSha256;
  DkimCanon header_canon = DkimCanon::Simple;
  DkimCanon body_canon = DkimCanon::Simple;
  std::string domain;    // d=, lowercased
  std::string selector;  // s=
  std::string identity;  // i=, or "@" + d
  std::vector<std::string> headers;  // h=, names as written
  std::string signature;  // b=, decoded
  std::string body_hash;  // bh=, decoded
  std::string b_base64;   // b= without whitespace (RFC 6008 header.b)
  std::optional<std::uint64_t> body_length;  // l=
  std::optional<std::int64_t> timestamp;     // t=
  std::optional<std::int64_t> expiration;    // x=
};

struct DkimSignatureParse {
  std::optional<DkimSignature> signature;
  std::string error;
};

// `value`: the field's value (after the colon; folding allowed).
DkimSignatureParse parse_dkim_signature(std::string_view value);

// The DKIM-Signature field `raw_field` with b= emptied, canonicalized, without the CRLF.
std::string signature_field_for_hash(std::string_view raw_field, DkimCanon canon);
// Everything the signature covers apart from the body hash (3.7).
std::string dkim_signed_data(const message::Message& msg, const std::vector<std::string>& headers,
                             DkimCanon header_canon, std::string_view raw_signature_field);

}  // namespace maillab::auth
