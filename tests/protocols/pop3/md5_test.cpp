// MD5 against RFC 1321 appendix A.5's test suite, padding boundaries, incremental
// updates, and RFC 1939 7's APOP example.
#include <catch2/catch.hpp>

#include <string>

#include "protocols/pop3/md5.hpp"

using maillab::pop3::Md5;

TEST_CASE("MD5 matches the RFC 1321 A.5 test suite", "[pop3][md5]") {
  const std::pair<std::string, std::string> cases[] = {
      {"", "d41d8cd98f00b204e9800998ecf8427e"},
      {"a", "0cc175b9c0f1b6a831c399e269772661"},
      {"abc", "900150983cd24fb0d6963f7d28e17f72"},
      {"message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
      {"abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"},
      {"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"},
      {"12345678901234567890123456789012345678901234567890123456789012345678901234567890",
       "57edf4a22be3c955ac49da2e2107b67a"},
  };
  for (const auto& [input, digest] : cases) {
    INFO(input);
    CHECK(Md5::hex(input) == digest);
  }
}

TEST_CASE("MD5 padding boundaries (55/56/64 bytes and beyond)", "[pop3][md5]") {
  const std::pair<std::size_t, std::string> cases[] = {
      {55, "ef1772b6dff9a122358552954ad0df65"},  {56, "3b0c8ac703f828b04c6c197006d17218"},
      {57, "652b906d60af96844ebd21b674f35e93"},  {63, "b06521f39153d618550606be297466d5"},
      {64, "014842d480b571495a4a0363793f7367"},  {65, "c743a45e0d2e6a95cb859adae0248435"},
      {119, "8a7bd0732ed6a28ce75f6dabc90e1613"}, {120, "5f61c0ccad4cac44c75ff505e1f1e537"},
      {128, "e510683b3f5ffe4093d021808bc6ff70"}, {1000, "cabe45dcc9ae5b66ba86600cca6b8ba8"},
  };
  for (const auto& [n, digest] : cases) {
    INFO(n);
    CHECK(Md5::hex(std::string(n, 'a')) == digest);
  }
}

TEST_CASE("MD5 incremental updates equal one shot at every split", "[pop3][md5]") {
  const std::string text(200, 'x');
  const auto whole = Md5::hash(text);
  for (std::size_t split = 0; split <= text.size(); ++split) {
    Md5 m;
    m.update(std::string_view(text).substr(0, split));
    m.update(std::string_view(text).substr(split));
    REQUIRE(m.digest() == whole);
  }
  Md5 bytes;
  for (char c : text) bytes.update(std::string_view(&c, 1));
  CHECK(bytes.digest() == whole);
}

TEST_CASE("MD5 reproduces RFC 1939's APOP example", "[pop3][md5]") {
  CHECK(Md5::hex("<1896.697170952@dbc.mtview.ca.us>tanstaaf") == "c4c9334bac560ecc979e58001b3e22fb");
}
