// http::Response: what a handler answers (status, fields, body), with the helpers that
// make the usual kinds correctly (RFC 9110 8.3 media types with a charset, RFC 8259 JSON).
//
// Invariants:
// - fields go through Fields::set_checked/add_checked, so no value the application
//   copies from a peer (a subject, a file name, a user name) can end the header section or
//   add a field: CR, LF and other control characters become spaces; a bad name is dropped;
// - framing is the engine's: Content-Length, Transfer-Encoding, Connection, Keep-Alive,
//   Upgrade and TE set here are ignored when the response is written (RFC 9112 6, 9.6);
// - `json_error` escapes every byte (base::json_escape), so any text is valid JSON.
// The engine adds the server's default fields (security headers, ServerConfig) to every
// response that does not set them itself.
#pragma once

#include <string>
#include <string_view>

#include "protocols/http/fields.hpp"

namespace maillab::http {

class Response {
 public:
  int status = 200;    // 100-599 (asserted when written)
  std::string body;
  bool close = false;  // close the connection after this response
  // The body continues after this response with ServerSession::stream_write/stream_end
  // (Server-Sent Events, a long download): chunked for HTTP/1.1, up to the close for 1.0.
  bool stream = false;

  Response() = default;
  explicit Response(int code) : status(code) {}

  // Replaces / appends a field (checked, fields.hpp); false when `name` is not a token.
  bool set(std::string_view name, std::string_view value) { return fields_.set_checked(name, value); }
  bool add(std::string_view name, std::string_view value) { return fields_.add_checked(name, value); }
  std::string_view header(std::string_view name) const { return fields_.get(name); }
  const Fields& headers() const { return fields_; }

  // application/json; `json` must already be JSON text.
  static Response json(int status, std::string json);
  // {"error":"<message>"} as application/json.
  static Response json_error(int status, std::string_view message);
  // text/plain; charset=utf-8.
  static Response text(int status, std::string text);
  // text/html; charset=utf-8 (the application escapes what it puts in the page).
  static Response html(int status, std::string html);
  // A redirect (301, 302, 303, 307, 308) to `location`, with no body.
  static Response redirect(int status, std::string_view location);
  // The engine's and the router's own errors: "<code> <reason>: <detail>" as text/plain.
  static Response error(int status, std::string_view detail);

 private:
  Fields fields_;
};

// The standard reason phrase of `status` (RFC 9110 15), "Unknown" for codes it names not.
std::string_view reason_phrase(int status);

}  // namespace maillab::http
