// RFC 2047 encoded-words, for non-ASCII text in unstructured header fields (Subject).
//
// encode_rfc2047() writes UTF-8 "B" words, each at most 64 octets (RFC 2047 2 allows 75),
// split only at UTF-8 character boundaries (RFC 2047 5 rule 3), separated by a space so
// fold_field() can fold between them. decode_rfc2047() reads "B" and "Q" words in any
// charset label (the bytes are returned as they are, no charset conversion) and drops
// whitespace between adjacent encoded words (RFC 2047 6.2); malformed words stay literal.
#pragma once

#include <string>
#include <string_view>

namespace maillab::message {

// `text` unchanged when it is all printable ASCII; else one or more encoded words.
std::string encode_rfc2047(std::string_view text);
std::string decode_rfc2047(std::string_view text);

}  // namespace maillab::message
