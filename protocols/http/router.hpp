// http::Router: method + path pattern -> handler, for the applications on the HTTP engine.
//
// Patterns are literal segments and "{name}" segments ("/api/v1/messages/{id}/raw"); a
// "{name}" matches exactly one non-empty decoded segment (target.hpp: never "." or "..",
// no '/', no NUL). Routes are tried in the order they were added; the first whose pattern
// and method match answers.
//
// Answers of its own (RFC 9110): no pattern matches -> 404; a pattern matches but not the
// method -> 405 with Allow (RFC 9110 15.5.6); OPTIONS on a known path -> 204 with Allow;
// HEAD is answered by the GET route when there is no HEAD route (the engine drops the body,
// RFC 9110 9.3.2).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocols/http/request.hpp"
#include "protocols/http/response.hpp"
#include "protocols/http/server_handler.hpp"

namespace maillab::http {

// The "{name}" segments of the matched pattern, decoded.
class RouteParams {
 public:
  std::string_view get(std::string_view name) const;
  void add(std::string name, std::string value) { items_.emplace_back(std::move(name), std::move(value)); }
  std::size_t size() const { return items_.size(); }

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

class Router {
 public:
  using Handler = std::function<Answer(const Request&, const RouteParams&, RequestId)>;
  using ErrorFactory = std::function<Response(int status, std::string_view detail)>;

  // 404/405 bodies come from `errors` (Response::error by default; json_error for an API).
  explicit Router(ErrorFactory errors = nullptr);

  // `pattern` starts with '/'; a malformed one (no '/', "{}" or an unclosed brace) is a
  // programming error (asserted).
  void add(std::string method, std::string_view pattern, Handler handler);

  Answer dispatch(const Request& request, RequestId id) const;

  // The methods routes accept for `segments` ("GET, HEAD, DELETE"), "" when no pattern matches.
  std::string allowed(const std::vector<std::string>& segments) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> pattern;  // literal segment, or "{name}"
    Handler handler;
  };
  static bool match(const Route& route, const std::vector<std::string>& segments, RouteParams* params);

  std::vector<Route> routes_;
  ErrorFactory errors_;
};

}  // namespace maillab::http
