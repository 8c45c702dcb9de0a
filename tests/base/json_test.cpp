// base::json_escape: whatever the bytes, a JSON parser (nlohmann-json, written elsewhere)
// reads the literal back; valid UTF-8 comes back unchanged, other bytes as their Latin-1
// characters.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <string>

#include "base/json.hpp"

using maillab::base::json_escape;
using maillab::base::json_quote;

namespace {

std::string parsed(const std::string& bytes) {
  return nlohmann::json::parse(json_quote(bytes)).get<std::string>();
}

// The UTF-8 encoding of U+0000..U+00FF (what \u00XX reads back as).
std::string latin1(unsigned char c) {
  if (c < 0x80) return std::string(1, static_cast<char>(c));
  return {static_cast<char>(0xC0 | (c >> 6)), static_cast<char>(0x80 | (c & 0x3F))};
}

}  // namespace

TEST_CASE("json_escape: every single byte reads back as itself or its Latin-1 character") {
  for (int b = 0; b < 256; ++b) {
    const std::string in(1, static_cast<char>(b));
    INFO("byte " << b);
    CHECK(parsed(in) == latin1(static_cast<unsigned char>(b)));
  }
}

TEST_CASE("json_escape: quotes, backslashes and control characters are escaped") {
  CHECK(json_escape("a\"b\\c") == "a\\\"b\\\\c");
  CHECK(json_escape("l1\r\nl2\t") == "l1\\r\\nl2\\t");
  CHECK(json_escape(std::string("\0\x1f\x7f", 3)) == "\\u0000\\u001f\\u007f");
  CHECK(json_quote("</script>") == "\"</script>\"");
}

TEST_CASE("json_escape: valid UTF-8 is kept, invalid sequences become \\u00XX") {
  const std::string valid = "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x93\xA7";  // café € 📧
  CHECK(json_escape(valid) == valid);
  CHECK(parsed(valid) == valid);
  CHECK(json_escape("\xC3") == "\\u00c3");                // truncated
  CHECK(json_escape("\xC0\xAF") == "\\u00c0\\u00af");     // overlong '/'
  CHECK(json_escape("\xE0\x80\xAF") == "\\u00e0\\u0080\\u00af");  // overlong
  CHECK(json_escape("\xED\xA0\x80") == "\\u00ed\\u00a0\\u0080");  // a surrogate
  CHECK(json_escape("\xF4\x90\x80\x80") == "\\u00f4\\u0090\\u0080\\u0080");  // > U+10FFFF
  CHECK(parsed("\xFF\xFE") == latin1(0xFF) + latin1(0xFE));
}

TEST_CASE("json_escape: U+2028 and U+2029 are escaped for JavaScript") {
  CHECK(json_escape("a\xE2\x80\xA8" "b\xE2\x80\xA9") == "a\\u2028b\\u2029");
  CHECK(parsed("\xE2\x80\xA8") == "\xE2\x80\xA8");
}

TEST_CASE("json_escape: every pair of bytes makes valid JSON") {
  for (int a = 0; a < 256; ++a) {
    for (int b = 0x70; b < 256; ++b) {
      const std::string in{static_cast<char>(a), static_cast<char>(b)};
      REQUIRE_NOTHROW(parsed(in));
    }
  }
}
