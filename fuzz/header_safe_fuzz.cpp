// header_safe_fuzz: arbitrary bytes into the one gate for peers' text on its way into a
// header (message::header_safe, issue 15 item 5) and to a terminal (terminal_safe, item 7).
//
// Input: byte 0 picks the kind (bit 0: token or text) and, with byte 1, the length limit
// (3..514); the rest is the peer's text.
// Checks, for any input:
// - header_safe: only printable ASCII (and the space in text), so no CR, LF, NUL, other
//   control or 8-bit byte; in token kind none of ( ) ; \ < > " either; at most the
//   limit; the input itself when is_header_safe() says so; as a field value, the field
//   parses back as one field holding exactly that value;
// - terminal_safe: no byte below 0x20 but TAB, no DEL, no ESC/CR/LF, valid UTF-8, and
//   the input itself when it was printable ASCII.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_support.hpp"
#include "protocols/message/message.hpp"
#include "protocols/message/peer_text.hpp"

using namespace maillab;
using namespace maillab::message;

namespace {

bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    std::size_t n = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return false;
    i += n;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const PeerText kind = (data[0] & 1) ? PeerText::Text : PeerText::Token;
  const std::size_t max = 3 + ((static_cast<std::size_t>(data[0] >> 1) << 8 | data[1]) % 512);
  const std::string_view peer(reinterpret_cast<const char*>(data) + 2, size - 2);

  const std::string safe = header_safe(peer, kind, max);
  FUZZ_CHECK(safe.size() <= max, fuzz::shown(safe));
  for (char c : safe) {
    const auto u = static_cast<unsigned char>(c);
    FUZZ_CHECK((u >= 0x21 && u <= 0x7e) || (u == ' ' && kind == PeerText::Text), fuzz::shown(safe));
    if (kind == PeerText::Token)
      FUZZ_CHECK(std::string_view("();\\<>\"").find(c) == std::string_view::npos, fuzz::shown(safe));
  }
  FUZZ_CHECK(is_header_safe(safe, kind, max), fuzz::shown(safe));
  if (is_header_safe(peer, kind, max)) FUZZ_CHECK(safe == peer, fuzz::shown(safe));

  // As a field value: one field, that value, whatever came before and after.
  std::string trimmed(safe);
  while (!trimmed.empty() && trimmed.back() == ' ') trimmed.pop_back();
  while (!trimmed.empty() && trimmed.front() == ' ') trimmed.erase(0, 1);
  const Message m = Message::parse("X-Peer: " + safe + "\r\nSubject: s\r\n\r\nbody\r\n");
  FUZZ_CHECK(m.headers("X-Peer").size() == 1, fuzz::shown(safe));
  FUZZ_CHECK(m.header("Subject") && *m.header("Subject") == "s", fuzz::shown(safe));
  FUZZ_CHECK(m.header("X-Peer") && *m.header("X-Peer") == trimmed, fuzz::shown(safe));

  const std::string shown = terminal_safe(peer);
  for (char c : shown) {
    const auto u = static_cast<unsigned char>(c);
    FUZZ_CHECK(u >= 0x20 || u == '\t', fuzz::shown(shown));
    FUZZ_CHECK(u != 0x7f, fuzz::shown(shown));
  }
  FUZZ_CHECK(valid_utf8(shown), fuzz::shown(shown));
  bool printable = true;
  for (char c : peer) printable = printable && static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f;
  if (printable) FUZZ_CHECK(shown == peer, fuzz::shown(shown));
  return 0;
}
