// http::Request: one HTTP/1.1 request (RFC 9112 3, RFC 9110 9). The server engine fills
// every member from the wire; the client engine sends method, target, headers and body.
//
// Invariants (server side, once handed to a ServerHandler): the request line and fields
// were accepted by Beast's parser within the configured limits; the body is complete and
// de-chunked (trailer fields are dropped, RFC 9110 6.5.1); version is 10 or 11; there is
// exactly one Host in an HTTP/1.1 request; path, segments and query obey target.hpp's
// invariants (no NUL, no dot segment, no encoded slash).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/http/fields.hpp"
#include "protocols/http/target.hpp"

namespace maillab::http {

struct Request {
  std::string method = "GET";  // case-sensitive (RFC 9110 9.1)
  std::string target = "/";    // as sent
  int version = 11;            // 10 or 11
  Fields headers;
  std::string body;

  // Server side: the target taken apart (target.hpp) and whether the connection may stay
  // open after the answer (RFC 9112 9.3: HTTP/1.1 unless "close", HTTP/1.0 only with
  // "keep-alive").
  std::string path = "/";
  std::vector<std::string> segments;
  Query query;
  bool keep_alive = true;

  std::string_view header(std::string_view name) const { return headers.get(name); }
  std::optional<std::string_view> query_param(std::string_view name) const { return query_value(query, name); }
};

}  // namespace maillab::http
