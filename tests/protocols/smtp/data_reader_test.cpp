#include <catch2/catch.hpp>

#include "protocols/smtp/data_reader.hpp"
#include "protocols/smtp/dot_stuff.hpp"

using namespace maillab::smtp;

namespace {

struct Result {
  bool done = false;
  std::size_t consumed = 0;
  std::string content;
  ContentNotes notes;
};

// Feeds `input` in chunks of `chunk` bytes (0: all at once).
Result read(std::string_view input, std::size_t chunk = 0, std::uint64_t limit = 0) {
  DataReader r(1000, limit);
  Result out;
  std::size_t step = chunk ? chunk : input.size();
  while (out.consumed < input.size() && !r.done()) {
    std::string_view piece = input.substr(out.consumed, step);
    out.consumed += r.put(piece);
  }
  out.done = r.done();
  out.content = r.take_content();
  out.notes = r.notes();
  return out;
}

std::string escape(std::string_view s) {
  std::string out;
  for (char c : s) out += c == '\r' ? std::string("\\r") : c == '\n' ? std::string("\\n") : std::string(1, c);
  return out;
}

}  // namespace

TEST_CASE("DataReader ends at CRLF.CRLF and unstuffs dots", "[smtp][data]") {
  struct Case {
    std::string input, content;
    std::size_t consumed;
  } cases[] = {
      {".\r\n", "", 3},                                       // empty message
      {"a\r\n.\r\nMAIL", "a\r\n", 6},                          // stops right after the mark
      {"..\r\n.\r\n", ".\r\n", 7},                             // stuffed lone dot
      {"..a\r\n...\r\n.b\r\n.\r\n", ".a\r\n..\r\nb\r\n", 17},  // one dot removed per line
      {"\r\n\r\n.\r\n", "\r\n\r\n", 7},
      {"a. b\r\n .\r\n.\r\n", "a. b\r\n .\r\n", 13},
  };
  for (const auto& c : cases) {
    for (std::size_t chunk : {0, 1, 2, 3}) {
      INFO(c.input << " chunk " << chunk);
      Result r = read(c.input, chunk);
      CHECK(r.done);
      CHECK(r.content == c.content);
      CHECK(r.consumed == c.consumed);
    }
  }
}

TEST_CASE("DataReader: bare LF / bare CR never end the message (SMTP smuggling)", "[smtp][data][smuggling]") {
  // CVE-2023-51764/5/6: each sequence below ends the data on some servers; here it is
  // content, normalised to CRLF lines, and only the final CRLF.CRLF ends the message.
  struct Case {
    std::string seq, normalised;
  } cases[] = {
      {"\n.\n", "\r\n.\r\n"},
      {"\n.\r\n", "\r\n.\r\n"},
      {"\r.\r\n", "\r\n.\r\n"},
      {"\r\n.\n", "\r\n.\r\n"},
      {"\r.\r", "\r\n.\r\n"},
      {"\n..\n", "\r\n.\r\n"},
  };
  for (const auto& c : cases) {
    const std::string smuggled = "MAIL FROM:<evil@example.com>\r\nRCPT TO:<victim@example.org>\r\nDATA\r\n";
    const std::string input = "Subject: hi\r\n\r\nbody" + c.seq + smuggled + "tail\r\n.\r\nQUIT\r\n";
    for (std::size_t chunk : {0, 1, 2, 5}) {
      INFO(escape(c.seq) << " chunk " << chunk);
      Result r = read(input, chunk);
      REQUIRE(r.done);
      CHECK(r.content == "Subject: hi\r\n\r\nbody" + c.normalised + smuggled + "tail\r\n");
      CHECK(r.consumed == input.size() - 6);  // "QUIT\r\n" is left for the command reader
    }
  }
  // Without the real mark the message never ends.
  for (const char* tail : {"x\n.\n", "x\r.\r\n", "x\n.\r\n", "x\r\n.\n", "x\r\n.\r"}) {
    INFO(tail);
    CHECK_FALSE(read(tail).done);
    CHECK_FALSE(read(tail, 1).done);
  }
}

TEST_CASE("DataReader notes bare line ends and long lines, enforces the size limit", "[smtp][data]") {
  Result r = read("a\nb\rc\r\n" + std::string(1200, 'x') + "\r\n.\r\n");
  REQUIRE(r.done);
  CHECK(r.notes.bare_lf == 1);
  CHECK(r.notes.bare_cr == 1);
  CHECK(r.notes.long_lines == 1);
  CHECK(r.content.substr(0, 9) == "a\r\nb\r\nc\r\n");
  CHECK(r.content.size() == 9 + 1202);

  DataReader limited(1000, 10);
  const std::string big = "0123456789\r\n.\r\n";
  CHECK(limited.put(big) == big.size());
  CHECK(limited.done());
  CHECK(limited.oversize());
  CHECK(limited.take_content().empty());
  DataReader fits(1000, 12);
  fits.put(big);
  CHECK_FALSE(fits.oversize());
  CHECK(fits.take_content() == "0123456789\r\n");
}

TEST_CASE("dot_stuff is DataReader's inverse", "[smtp][data]") {
  CHECK(dot_stuff("") == ".\r\n");
  CHECK(dot_stuff("a\r\n") == "a\r\n.\r\n");
  CHECK(dot_stuff("no final crlf") == "no final crlf\r\n.\r\n");
  CHECK(dot_stuff(".\r\n..x\r\n") == "..\r\n...x\r\n.\r\n");
  CHECK(dot_stuff("a\n.\nb\r.\r\n") == "a\r\n..\r\nb\r\n..\r\n.\r\n");
  const std::string samples[] = {"", "x", ".", "..", ".\r\n", "a\r\n.\r\nb\r\n", "\r\n\r\n", "end.\r\n.\r\n.",
                                 std::string("\x80\xff bin\r\n", 8)};
  for (const auto& s : samples) {
    INFO(s);
    Result r = read(dot_stuff(s));
    REQUIRE(r.done);
    std::string expected = s;
    if (!expected.empty() && expected.back() != '\n') expected += "\r\n";
    CHECK(r.content == expected);
    CHECK(r.consumed == dot_stuff(s).size());
  }
  CHECK(has_8bit("caf\xc3\xa9"));
  CHECK_FALSE(has_8bit("plain"));
}

TEST_CASE("dot_stuff with a line limit breaks long lines with CRLF SP (Postfix smtp_line_length_limit)",
          "[smtp][data][line-length]") {
  const std::string exact(998, 'a');
  CHECK(dot_stuff(exact + "\r\n") == exact + "\r\n.\r\n");
  std::string out;
  append_dot_stuffed(out, exact + "\r\n", 998);
  CHECK(out == exact + "\r\n.\r\n");  // 998 octets: as it is
  out.clear();
  append_dot_stuffed(out, "." + exact + "\r\nb\r\n", 998);
  CHECK(out == ".." + exact.substr(0, 997) + "\r\n a\r\nb\r\n.\r\n");  // stuffing after the break
  out.clear();
  append_dot_stuffed(out, "abcdefgh\nxy", 4);  // bare LF and no final line end, too
  CHECK(out == "abcd\r\n efg\r\n h\r\nxy\r\n.\r\n");
  out.clear();
  append_crlf_lines(out, "abcdefgh\r\n", 4);
  CHECK(out == "abcd\r\n efg\r\n h\r\n");
  // What a receiver unstuffs is the broken text: every octet of the original is in it.
  const std::string mail = "." + std::string(3000, 'z') + "\r\n";
  std::string wire;
  append_dot_stuffed(wire, mail, 998);
  Result got = read(wire);
  REQUIRE(got.done);
  std::string joined = got.content;
  for (std::size_t at; (at = joined.find("\r\n ")) != std::string::npos;) joined.erase(at, 3);
  CHECK(joined == mail);
}
