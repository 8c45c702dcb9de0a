// dns_decode_fuzz: arbitrary bytes into dns::decode (RFC 1035 4.1, hardened per RFC 9267).
//
// Checks:
// - whatever decodes re-encodes (encode() never returns "" for decoded data), and the
//   encoding decodes again to an equal message whose own encoding is the same bytes
//   (compression is deterministic);
// - an error result has a header unless the input is under 12 octets, an offset within the
//   input, and a non-empty name (to_string);
// - a message that decodes with an error but a valid header still encodes (what decoded
//   before the error is well-formed data: a server answers FORMERR from it).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_support.hpp"
#include "protocols/dns/message.hpp"

using namespace maillab;
using namespace maillab::dns;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view wire(reinterpret_cast<const char*>(data), size);
  const DecodeResult r = decode(wire);
  if (!r.ok()) {
    FUZZ_CHECK(!to_string(r.error).empty(), "an unnamed error");
    FUZZ_CHECK(r.header_ok() == (size >= 12), std::string(to_string(r.error)) + ": " + r.detail);
    FUZZ_CHECK(r.offset <= size, "error offset " + std::to_string(r.offset) + " past the end");
    if (r.header_ok()) {
      const std::string partial = encode(r.message);
      FUZZ_CHECK(!partial.empty(), "the part decoded before " + std::string(to_string(r.error)) + " does not encode");
    }
    return 0;
  }
  const std::string again = encode(r.message);
  FUZZ_CHECK(!again.empty(), "a decoded message does not encode");
  const DecodeResult r2 = decode(again);
  FUZZ_CHECK(r2.ok(), "re-encoded message does not decode: " + std::string(to_string(r2.error)) + ": " + r2.detail);
  FUZZ_CHECK(r2.message == r.message, "decode(encode(m)) != m");
  FUZZ_CHECK(encode(r2.message) == again, "encoding is not stable");
  return 0;
}
