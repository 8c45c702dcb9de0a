// base::utf8 and base::xml: strict UTF-8 (RFC 3629) and what the JUnit report and the SVG
// chart make of any bytes; json_escape (which uses the same decoder) against a JSON parser
// that rejects invalid UTF-8 (nlohmann-json, as Python's json and jq do) on random bytes
// (issue 16 item 7: bytes F5-FF made --trace invalid).
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <random>

#include "base/json.hpp"
#include "base/utf8.hpp"
#include "base/xml.hpp"

using namespace maillab::base;

namespace {

// The JSON string `s` escapes to, decoded by a strict parser; throws on invalid JSON.
std::string round_trip(std::string_view s) {
  return nlohmann::json::parse("\"" + json_escape(s) + "\"").get<std::string>();
}

}  // namespace

TEST_CASE("valid_utf8 refuses F5-FF, overlong forms, surrogates and cut sequences; json_escape mends them", "[utf8]") {
  const std::vector<std::string> bad = {
      "\xF5\x80\x80\x80", "\xFF\xFE", "\xF8\x88\x80\x80\x80",  // no such lead bytes
      "\xC0\xAF", "\xE0\x80\xAF", "\xF0\x80\x80\xAF",            // overlong '/'
      "\xED\xA0\x80", "\xED\xBF\xBF",                            // UTF-16 surrogates
      "\xF4\x90\x80\x80",                                        // above U+10FFFF
      "\xE2\x82", "\xF0\x9F\x98", "\x80", "a\xC3"};              // cut short, lone continuation
  for (const auto& s : bad) {
    INFO("input of " << s.size() << " bytes");
    CHECK_FALSE(valid_utf8(s));
    CHECK_NOTHROW(round_trip(s));
    CHECK(valid_utf8(json_escape(s)));
  }  // The edges that are well-formed: U+0080, U+07FF, U+0800, U+D7FF, U+E000, U+FFFF,
  // U+10000, U+10FFFF.
  for (const char* ok : {"\xC2\x80", "\xDF\xBF", "\xE0\xA0\x80", "\xED\x9F\xBF", "\xEE\x80\x80",
                         "\xEF\xBF\xBF", "\xF0\x90\x80\x80", "\xF4\x8F\xBF\xBF"}) {
    CHECK(valid_utf8(ok));
    CHECK(json_escape(ok) == ok);
  }
}

TEST_CASE("json_escape: random bytes always parse; valid UTF-8 comes back whole", "[utf8]") {
  std::mt19937 rng(16);
  for (int round = 0; round < 20000; ++round) {
    std::string s(rng() % 24, '\0');
    for (auto& c : s) c = static_cast<char>(rng() % 4 == 0 ? 0x80 + rng() % 0x80 : rng() % 256);
    std::string decoded;
    REQUIRE_NOTHROW(decoded = round_trip(s));
    if (valid_utf8(s)) CHECK(decoded == s);
  }
}

TEST_CASE("sanitize_utf8 and xml_escape give valid UTF-8 without forbidden characters", "[utf8]") {
  CHECK(sanitize_utf8("a\xFF" "b") == "a\xEF\xBF\xBD" "b");
  CHECK(sanitize_utf8("a\x01\x1b" "b") == "a\xEF\xBF\xBD\xEF\xBF\xBD" "b");
  CHECK(sanitize_utf8("\xC3\xA9t\xC3\xA9") == "\xC3\xA9t\xC3\xA9");
  CHECK(sanitize_utf8("a\rb") == "a\xEF\xBF\xBD" "b");
  CHECK(sanitize_utf8("a\rb", true) == "a\rb");
  CHECK(xml_escape("<a href=\"x\">&'") == "&lt;a href=&quot;x&quot;&gt;&amp;&apos;");
  CHECK(xml_escape("a\tb\r\nc") == "a&#9;b&#13;&#10;c");
  // Noncharacters U+FFFE/U+FFFF, NUL and F5 are no XML characters: each becomes U+FFFD.
  CHECK(xml_escape(std::string_view("\xEF\xBF\xBE\xEF\xBF\xBF\x00\xF5", 8)) ==
        "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  std::mt19937 rng(9);
  for (int round = 0; round < 5000; ++round) {
    std::string s(rng() % 16, '\0');
    for (auto& c : s) c = static_cast<char>(rng() % 256);
    const std::string x = xml_escape(s);
    CHECK(valid_utf8(x));
    for (unsigned char c : x) CHECK(c >= 0x20);  // no C0 control, TAB/LF/CR as references
    CHECK(x.find('<') == std::string::npos);
    CHECK(x.find("\xEF\xBF\xBE") == std::string::npos);
  }
}
