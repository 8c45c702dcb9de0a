#include "protocols/http/response.hpp"

#include <ostream>  // before Beast: boost/utility/string_view.hpp needs it (Boost 1.74)
#include <boost/beast/http/status.hpp>

#include "base/json.hpp"

namespace maillab::http {

namespace {

Response with_body(int status, std::string body, std::string_view type) {
  Response r(status);
  r.set("Content-Type", type);
  r.body = std::move(body);
  return r;
}

}  // namespace

Response Response::json(int status, std::string json) {
  return with_body(status, std::move(json), "application/json");
}

Response Response::json_error(int status, std::string_view message) {
  return json(status, "{\"error\":" + base::json_quote(message) + "}");
}

Response Response::text(int status, std::string text) {
  return with_body(status, std::move(text), "text/plain; charset=utf-8");
}

Response Response::html(int status, std::string html) {
  return with_body(status, std::move(html), "text/html; charset=utf-8");
}

Response Response::redirect(int status, std::string_view location) {
  Response r(status);
  r.set("Location", location);
  return r;
}

Response Response::error(int status, std::string_view detail) {
  std::string text = std::to_string(status) + " " + std::string(reason_phrase(status));
  if (!detail.empty()) {
    text += ": ";
    text += detail;
  }
  text += '\n';
  return Response::text(status, std::move(text));
}

std::string_view reason_phrase(int status) {
  namespace bh = boost::beast::http;
  if (status == 413) return "Content Too Large";  // RFC 9110 15.5.14 (was Payload Too Large)
  if (status == 422) return "Unprocessable Content";  // RFC 9110 15.5.21
  const auto s = bh::obsolete_reason(static_cast<bh::status>(status));
  if (s.empty() || s == "<unknown-status>") return "Unknown";
  return {s.data(), s.size()};
}

}  // namespace maillab::http
