// message::LineReader: both contracts (SMTP's bare LF counted as CRLF, POP3's octets as
// sent) against the rule written plainly, over any split of the stream.
#include "protocols/message/line_reader.hpp"

#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

using maillab::message::LineReader;

namespace {

struct Line {
  std::string text;
  bool too_long, crlf;
  bool operator==(const Line&) const = default;
};

std::vector<Line> read(std::string_view stream, std::size_t max, LineReader::BareLf bare, std::size_t piece) {
  LineReader r(max, bare);
  std::vector<Line> lines;
  while (!stream.empty()) {
    std::string_view chunk = stream.substr(0, piece);
    while (!chunk.empty()) {
      const std::size_t n = r.put(chunk);
      chunk.remove_prefix(n);
      stream.remove_prefix(n);
      if (r.ready()) {
        lines.push_back(Line{std::string(r.line()), r.too_long(), r.crlf()});
        r.clear();
      }
    }
  }
  return lines;
}

// The rule: a line is its octets up to LF, less one CR before it; it is too long when its
// text and terminator exceed max (a bare LF counted as two octets under CountedAsCrlf),
// and then only its first max - 2 octets are kept.
std::vector<Line> plain(std::string_view stream, std::size_t max, LineReader::BareLf bare) {
  std::vector<Line> lines;
  for (std::size_t lf; (lf = stream.find('\n')) != std::string_view::npos; stream.remove_prefix(lf + 1)) {
    std::string text(stream.substr(0, lf));
    const bool cr = !text.empty() && text.back() == '\r';
    if (cr) text.pop_back();
    const std::size_t terminator = cr || bare == LineReader::BareLf::CountedAsCrlf ? 2 : 1;
    if (text.size() + terminator > max) {
      lines.push_back(Line{std::string(stream.substr(0, std::min(max - 2, lf))), true, false});
    } else {
      lines.push_back(Line{text, false, cr});
    }
  }
  return lines;
}

}  // namespace

TEST_CASE("LineReader follows its contract however the bytes are split", "[message][line]") {
  std::mt19937 rng(17);
  for (auto bare : {LineReader::BareLf::CountedAsCrlf, LineReader::BareLf::CountedAsSent}) {
    for (int round = 0; round < 2000; ++round) {
      const std::size_t max = 4 + rng() % 12;
      std::string stream;
      for (int n = 1 + static_cast<int>(rng() % 6); n > 0; --n) {
        stream += std::string(rng() % (max + 2), 'a');
        if (rng() % 4 == 0) stream += '\r';
        stream += rng() % 3 ? "\r\n" : "\n";
      }
      INFO("max " << max << " stream " << stream);
      const auto expected = plain(stream, max, bare);
      REQUIRE(read(stream, max, bare, stream.size()) == expected);
      REQUIRE(read(stream, max, bare, 1) == expected);
      REQUIRE(read(stream, max, bare, 1 + rng() % 5) == expected);
    }
  }
}

TEST_CASE("LineReader: a bare LF counts two octets for SMTP, one for POP3", "[message][line]") {
  // max 6: 4 octets and CRLF either way; 5 octets and a bare LF only as sent.
  CHECK(read("abcd\r\n", 6, LineReader::BareLf::CountedAsCrlf, 10) == std::vector<Line>{{"abcd", false, true}});
  CHECK(read("abcd\r\n", 6, LineReader::BareLf::CountedAsSent, 10) == std::vector<Line>{{"abcd", false, true}});
  CHECK(read("abcde\n", 6, LineReader::BareLf::CountedAsCrlf, 10) == std::vector<Line>{{"abcd", true, false}});
  CHECK(read("abcde\n", 6, LineReader::BareLf::CountedAsSent, 10) == std::vector<Line>{{"abcde", false, false}});
  CHECK(read("abcdef\n", 6, LineReader::BareLf::CountedAsSent, 10) == std::vector<Line>{{"abcd", true, false}});
}
