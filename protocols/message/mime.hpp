// Just enough MIME (RFC 2045 5.1, RFC 2046 5.1.1) to build and read back DSNs and to show
// a message's structure: Content-Type and Content-Disposition parsing and multipart
// splitting (the tree of parts: mime_part.hpp).
//
// parse_content_type() lowercases type/subtype and parameter names, unquotes values
// (quoted-pair allowed), skips comments, and never fails: a missing or unreadable field is
// "text/plain" (RFC 2045 5.2). split_multipart() returns the body parts between the
// dash-boundary lines: the CRLF before a delimiter belongs to the delimiter (RFC 2046
// 5.1.1), bare-LF input is tolerated, and a missing close-delimiter ends the last part at
// the end of the body.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace maillab::message {

struct ContentType {
  std::string type = "text/plain";  // lowercase "type/subtype"
  std::map<std::string, std::string> params;  // lowercase names
  // The same parameters in the order written (IMAP's BODYSTRUCTURE lists them so); a
  // repeated name keeps its first value, as in `params`.
  std::vector<std::pair<std::string, std::string>> ordered;

  std::optional<std::string> param(const std::string& name) const;
  bool is_multipart() const { return type.rfind("multipart/", 0) == 0; }
};

ContentType parse_content_type(std::string_view value);
// Content-Disposition (RFC 2183 2) and other "token *(; parameter)" fields: `type` is the
// lowercased token as written (no "/" required; "" when missing), parameters as above.
ContentType parse_disposition(std::string_view value);
std::vector<std::string_view> split_multipart(std::string_view body, std::string_view boundary);

}  // namespace maillab::message
