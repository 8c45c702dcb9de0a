// http::parse_target / percent_decode / parse_form: what a route sees of a request-target.
#include <catch2/catch.hpp>

#include "protocols/http/target.hpp"

using namespace maillab::http;

TEST_CASE("target: origin-form paths are split and decoded") {
  const auto t = parse_target("/api/v1/messages/a%20b%3F/raw?folder=Sent%20Items&x=1+2&flag");
  REQUIRE(t);
  CHECK(t->segments == std::vector<std::string>{"api", "v1", "messages", "a b?", "raw"});
  CHECK(t->path == "/api/v1/messages/a b?/raw");
  CHECK(t->raw_query == "folder=Sent%20Items&x=1+2&flag");
  CHECK(t->query == Query{{"folder", "Sent Items"}, {"x", "1 2"}, {"flag", ""}});
  CHECK(query_value(t->query, "x") == std::optional<std::string_view>("1 2"));
  CHECK_FALSE(query_value(t->query, "y"));
  CHECK(parse_target("/")->segments.empty());
  CHECK(parse_target("/a/")->segments == std::vector<std::string>{"a", ""});
  CHECK(parse_target("/a+b")->segments == std::vector<std::string>{"a+b"});  // '+' is a space in queries only
}

TEST_CASE("target: absolute-form keeps the path (RFC 9112 3.2.2)") {
  CHECK(parse_target("http://lab.example:8025/api/v1/queues?x=1")->path == "/api/v1/queues");
  CHECK(parse_target("HTTPS://lab.example")->path == "/");
  CHECK_FALSE(parse_target("http:///path"));
  CHECK_FALSE(parse_target("http://host?x"));
  CHECK_FALSE(parse_target("ftp://host/x"));
}

TEST_CASE("target: dot segments, encoded slashes, NULs and bad escapes are refused") {
  for (const char* t : {"/a/../b", "/a/./b", "/..", "/%2e%2e/etc/passwd", "/%2E%2e", "/.%2E/x", "/%2e", "/a%2fb",
                        "/a%2Fb", "/a%00", "/a?b=%00", "/a?%00=1", "/%", "/%4", "/%g1", "/a?b=%zz", "*",
                        "example.com:80", "", "relative", "/a#frag"}) {
    INFO(t);
    CHECK_FALSE(parse_target(t));
  }
  CHECK(parse_target("/...")->segments == std::vector<std::string>{"..."});
  CHECK(parse_target("/..a")->segments == std::vector<std::string>{"..a"});
}

TEST_CASE("target: percent_decode and percent_encode") {
  CHECK(percent_decode("%41%62c%7e") == std::optional<std::string>("Abc~"));
  CHECK(percent_decode("a+b") == std::optional<std::string>("a+b"));
  CHECK(percent_decode("a+b", true) == std::optional<std::string>("a b"));
  CHECK(percent_decode("%C3%A9") == std::optional<std::string>("\xC3\xA9"));
  CHECK_FALSE(percent_decode("%00"));
  CHECK_FALSE(percent_decode("abc%"));
  CHECK(percent_encode("a b/c?\xC3\xA9~") == "a%20b%2Fc%3F%C3%A9~");
  for (int b = 1; b < 256; ++b) {
    const std::string s(1, static_cast<char>(b));
    CHECK(percent_decode(percent_encode(s)) == std::optional<std::string>(s));
  }
}

TEST_CASE("target: forms decode in order, with repeats") {
  CHECK(parse_form("to=bob%40b.example&to=carol&subject=Hi+there&&body=l1%0D%0Al2") ==
        std::optional<Query>(Query{{"to", "bob@b.example"}, {"to", "carol"}, {"subject", "Hi there"}, {"body", "l1\r\nl2"}}));
  CHECK(parse_form("")->empty());
  CHECK_FALSE(parse_form("a=%zz"));
}
