// http::Response and Fields: the helpers' media types, and fields that cannot be abused.
#include <catch2/catch.hpp>

#include "protocols/http/response.hpp"

using namespace maillab::http;

TEST_CASE("response: helpers set the media type and the body") {
  CHECK(Response::json(201, "[]").header("Content-Type") == "application/json");
  CHECK(Response::text(200, "x").header("Content-Type") == "text/plain; charset=utf-8");
  CHECK(Response::html(200, "<p>").header("Content-Type") == "text/html; charset=utf-8");
  const Response r = Response::redirect(303, "/inbox");
  CHECK(r.status == 303);
  CHECK(r.header("Location") == "/inbox");
  CHECK(r.body.empty());
  CHECK(Response::error(404, "no message 7").body == "404 Not Found: no message 7\n");
  CHECK(Response::error(413, "").body == "413 Content Too Large\n");
  CHECK(reason_phrase(431) == "Request Header Fields Too Large");
  CHECK(reason_phrase(299) == "Unknown");
}

TEST_CASE("response: field names must be tokens, values lose control characters") {
  Response r;
  CHECK(r.set("X-Ok", "  a\tb  "));
  CHECK(r.header("x-ok") == "a\tb");
  CHECK_FALSE(r.set("Bad Name", "v"));
  CHECK_FALSE(r.set("", "v"));
  CHECK_FALSE(r.set("X:Y", "v"));
  CHECK_FALSE(r.add("X\r\nSet-Cookie", "v"));
  CHECK(r.headers().size() == 1);
  std::string nasty = "a";
  for (int c = 0; c < 32; ++c) nasty += static_cast<char>(c);
  nasty += "\x7f" "b";
  CHECK(r.set("X-Nasty", nasty));
  const std::string_view v = r.header("X-Nasty");
  CHECK(v.front() == 'a');
  CHECK(v.back() == 'b');
  for (char c : v) CHECK((c == '\t' || static_cast<unsigned char>(c) >= 0x20));
  CHECK(v.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos);
  CHECK(r.add("Set-Cookie", "a=1"));
  CHECK(r.add("Set-Cookie", "b=2"));
  CHECK(r.headers().count("set-cookie") == 2);
  CHECK(r.set("Set-Cookie", "c=3"));
  CHECK(r.headers().count("Set-Cookie") == 1);
}
