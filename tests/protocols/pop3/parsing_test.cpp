// The building blocks: LineBuffer framing, CommandLine parsing, byte-stuffing and TOP.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "protocols/pop3/command_line.hpp"
#include "protocols/pop3/dot_stuffing.hpp"
#include "protocols/pop3/line_buffer.hpp"

using namespace maillab::pop3;

namespace {
std::vector<LineBuffer::Line> drain(LineBuffer& r) {
  std::vector<LineBuffer::Line> out;
  while (auto l = r.next()) out.push_back(*l);
  return out;
}
}  // namespace

TEST_CASE("LineBuffer frames CRLF and bare LF lines across any split", "[pop3][line]") {
  const std::string stream = "USER bob\r\nNOOP\nPASS a b\r\n\r\n";
  for (std::size_t chunk = 1; chunk <= stream.size(); ++chunk) {
    LineBuffer r(255);
    std::vector<LineBuffer::Line> lines;
    for (std::size_t i = 0; i < stream.size(); i += chunk) {
      r.feed(std::string_view(stream).substr(i, chunk));
      for (auto& l : drain(r)) lines.push_back(l);
    }
    REQUIRE(lines.size() == 4);
    CHECK(lines[0].text == "USER bob");
    CHECK(lines[0].crlf);
    CHECK(lines[1].text == "NOOP");
    CHECK_FALSE(lines[1].crlf);
    CHECK(lines[2].text == "PASS a b");
    CHECK(lines[3].text.empty());
    CHECK(r.buffered() == 0);
  }
}

TEST_CASE("LineBuffer discards an over-long line to its LF and keeps memory bounded", "[pop3][line]") {
  LineBuffer r(10);
  r.feed("123456789\r\n");  // 11 octets with CRLF: one too many
  auto l = r.next();
  REQUIRE(l);
  CHECK(l->too_long);
  r.feed("12345678\r\n");  // exactly 10
  l = r.next();
  REQUIRE(l);
  CHECK_FALSE(l->too_long);
  CHECK(l->text == "12345678");
  for (int i = 0; i < 100; ++i) {
    r.feed(std::string(50, 'x'));
    CHECK_FALSE(r.next());
    CHECK(r.buffered() <= 60);
  }
  r.feed("x\r\nNOOP\r\n");
  auto lines = drain(r);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].too_long);
  CHECK(lines[1].text == "NOOP");
}

TEST_CASE("CommandLine splits keyword and single-space arguments", "[pop3][command]") {
  auto c = CommandLine::parse("list 1");
  CHECK(c.keyword == "LIST");
  CHECK(c.args == std::vector<std::string>{"1"});
  c = CommandLine::parse("PASS my secret pw");
  CHECK(c.rest == "my secret pw");
  CHECK(c.args.size() == 3);
  c = CommandLine::parse("LIST  1");
  CHECK(c.args == std::vector<std::string>{"", "1"});
  c = CommandLine::parse("STAT ");
  CHECK(c.args == std::vector<std::string>{""});
  c = CommandLine::parse("STAT");
  CHECK(c.args.empty());
  CHECK(c.valid);
  CHECK_FALSE(CommandLine::parse(std::string("NO\0OP", 5)).valid);
  CHECK_FALSE(CommandLine::parse("NOOP\r").valid);
}

TEST_CASE("CommandLine::number accepts digits only, without overflow", "[pop3][command]") {
  CHECK(CommandLine::number("1") == 1u);
  CHECK(CommandLine::number("0") == 0u);
  CHECK(CommandLine::number("007") == 7u);
  CHECK(CommandLine::number("18446744073709551615") == 18446744073709551615u);
  for (const char* bad : {"", "1x", "x1", "-1", "+1", " 1", "1 ", "1.0", "18446744073709551616",
                          "99999999999999999999999"}) {
    INFO(bad);
    CHECK_FALSE(CommandLine::number(bad));
  }
}

TEST_CASE("byte-stuffing doubles leading dots and terminates", "[pop3][stuffing]") {
  std::string out;
  append_dot_stuffed(out, "a\r\n.\r\n..b\r\n.c\r\nd.\r\n");
  CHECK(out == "a\r\n..\r\n...b\r\n..c\r\nd.\r\n.\r\n");
  out.clear();
  append_dot_stuffed(out, "");
  CHECK(out == ".\r\n");
  out.clear();
  append_dot_stuffed(out, ".no final crlf");
  CHECK(out == "..no final crlf\r\n.\r\n");
}

TEST_CASE("CRLF normal form", "[pop3][stuffing]") {
  CHECK(is_crlf_text(""));
  CHECK(is_crlf_text("a\r\nb\r\n"));
  CHECK_FALSE(is_crlf_text("a\r\nb"));
  CHECK_FALSE(is_crlf_text("a\nb\r\n"));
  CHECK_FALSE(is_crlf_text("a\rb\r\n"));
  CHECK(normalize_crlf("a\nb\rc\r\nd") == "a\r\nb\r\nc\r\nd\r\n");
  CHECK(normalize_crlf("") == "");
}

TEST_CASE("top_of: header, blank line, n body lines", "[pop3][stuffing]") {
  const std::string m = "A: 1\r\nB: 2\r\n\r\nl1\r\nl2\r\nl3\r\n";
  CHECK(top_of(m, 0) == "A: 1\r\nB: 2\r\n\r\n");
  CHECK(top_of(m, 2) == "A: 1\r\nB: 2\r\n\r\nl1\r\nl2\r\n");
  CHECK(top_of(m, 3) == m);
  CHECK(top_of(m, 99) == m);
  CHECK(top_of("A: 1\r\n", 5) == "A: 1\r\n");  // no body at all
  CHECK(top_of("\r\nbody\r\n", 0) == "\r\n");  // empty header
}
