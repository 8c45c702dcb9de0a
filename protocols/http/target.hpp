// http::parse_target: the request-target of RFC 9112 3.2 taken apart for routing, and the
// percent-decoding (RFC 3986 2.1) and form decoding (application/x-www-form-urlencoded,
// WHATWG URL 5) that query strings and posted forms share.
//
// Invariants (what a route handler can rely on):
// - every path segment is decoded and contains no NUL and no '/' (an encoded slash would
//   change the path's structure), and is never "." or ".." (raw or decoded: "%2e%2e"), so
//   a segment used as a file or folder name cannot climb out of a directory;
// - a malformed escape ("%zz", "%4") or a decoded NUL anywhere refuses the whole target
//   (the engine answers 400), never a silently altered path;
// - query and form values are decoded bytes, in the order sent; "+" is a space there only.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace maillab::http {

// Decoded name=value pairs in the order they came; a name may repeat.
using Query = std::vector<std::pair<std::string, std::string>>;

struct Target {
  std::string path;                   // decoded, "/" + segments joined by "/"
  std::vector<std::string> segments;  // "/" -> none; "/a/b/" -> "a", "b", ""
  std::string raw_query;              // after the first '?', as sent
  Query query;
};

// origin-form ("/p/a?q") or absolute-form ("http://host:port/p?q"); anything else
// (authority-form, "*", a fragment, a malformed escape, a dot segment) is nullopt.
std::optional<Target> parse_target(std::string_view target);

// "%41b" -> "Ab"; with plus_is_space, "+" -> " ". nullopt for a malformed escape or a
// decoded NUL.
std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space = false);

// "a=1&b=x+y&c" -> {a,1},{b,"x y"},{c,""}; empty parts are skipped. nullopt when a name or
// value does not decode.
std::optional<Query> parse_form(std::string_view s);

// The first value of `name` in `q`, or nullopt.
std::optional<std::string_view> query_value(const Query& q, std::string_view name);

// Percent-encodes every byte outside RFC 3986's unreserved set (for links the lab writes).
std::string percent_encode(std::string_view s);
// The value of a hexadecimal digit (either case), or -1.
int hex_value(char c);

}  // namespace maillab::http
