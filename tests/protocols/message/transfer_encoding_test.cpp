#include "protocols/message/transfer_encoding.hpp"

#include <catch2/catch.hpp>

using namespace maillab;

TEST_CASE("transfer encodings decode as RFC 2045 readers should", "[message][cte]") {
  using message::decode_transfer_encoding;
  CHECK(decode_transfer_encoding("caf=C3=A9=\r\n au lait=3D=\n!", "Quoted-Printable") == "caf\xc3\xa9 au lait=!");
  CHECK(decode_transfer_encoding("a=zz b=", "quoted-printable") == "a=zz b");
  CHECK(decode_transfer_encoding("AAEC\r\nAw==junk", " base64 ") == std::string("\0\1\2\3", 4));
  CHECK(decode_transfer_encoding("x", "7BIT") == "x");
  CHECK(decode_transfer_encoding("x", "") == "x");
  CHECK_FALSE(decode_transfer_encoding("x", "x-uuencode"));
}
