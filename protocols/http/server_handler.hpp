// http::ServerHandler: the application behind a ServerSession (the lab's REST API, the
// console, the webmail), asked once per request, in order.
//
// A handler answers at once (return a Response) or later (return std::nullopt, then call
// ServerSession::respond(id, response) once, from any later event: after an IMAP login, a
// scenario step). The engine takes no further request on that connection until the answer
// is there (RFC 9112 9.3.2: responses in the order of the requests), so at most one request
// per connection is pending. Hooks may not call back into the session.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "protocols/http/request.hpp"
#include "protocols/http/response.hpp"

namespace maillab::http {

// The number of a request on its connection: 1, 2, ...
using RequestId = std::uint64_t;
// A response now, or std::nullopt: the handler calls ServerSession::respond(id, ...) later.
using Answer = std::optional<Response>;

class ServerHandler {
 public:
  virtual ~ServerHandler() = default;

  virtual Answer on_request(const Request& request, RequestId id) = 0;
  // The response the engine sends for what never reaches on_request (400, 408, 413, 414,
  // 417, 431, 501, 505). Response::error by default; a JSON API returns json_error.
  virtual Response error_response(int status, std::string_view detail) { return Response::error(status, detail); }
  // Trace observer: every response written, with its request's method and target as sent
  // ("" when the request line never parsed). Peer bytes: escape before showing them.
  virtual void on_exchange(std::string_view method, std::string_view target, int status) {}
};

}  // namespace maillab::http
