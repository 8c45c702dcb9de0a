#include <catch2/catch.hpp>

#include "protocols/smtp/reply.hpp"
#include "protocols/smtp/reply_parser.hpp"
#include "smtp_test_support.hpp"

using namespace maillab::smtp;
using maillab::smtp::test::as_strings;

TEST_CASE("Reply::wire formats single, multi-line and enhanced replies", "[smtp][reply]") {
  CHECK(Reply::make(250, "2.1.0", "Ok").wire() == "250 2.1.0 Ok\r\n");
  CHECK(Reply::make(250, "", "mx\nPIPELINING\nSIZE 100").wire() == "250-mx\r\n250-PIPELINING\r\n250 SIZE 100\r\n");
  CHECK(Reply::make(550, "5.7.1", "a\nb").wire() == "550-5.7.1 a\r\n550 5.7.1 b\r\n");
  CHECK(Reply{250, "", {}}.wire() == "250\r\n");
  CHECK(Reply{250, "2.0.0", {}}.wire() == "250 2.0.0\r\n");
  CHECK(Reply{334, "", {""}}.wire() == "334 \r\n");  // RFC 4954 continue-req
  // A stray CR/LF in a line can never inject a reply line.
  CHECK(Reply{250, "", {"a\r\n250 b"}}.wire() == "250 a  250 b\r\n");
}

TEST_CASE("Reply::wire of long, many-line and empty-line replies", "[smtp][reply]") {
  // Past what a reply keeps inline (64 bytes, 4 lines): the wire form is the same.
  const std::string long_line(5000, 'x');
  CHECK(Reply::make(250, "", long_line).wire() == "250 " + long_line + "\r\n");
  CHECK(Reply::make(550, "5.7.1", long_line + "\n" + long_line).wire() ==
        "550-5.7.1 " + long_line + "\r\n550 5.7.1 " + long_line + "\r\n");
  std::string text, wire;
  for (int i = 0; i < 20; ++i) {
    text += (i ? "\n" : "") + std::string(i % 3 == 0 ? "" : "line " + std::to_string(i));
    wire += std::string(i < 19 ? "250-" : "250 ") + (i % 3 == 0 ? "" : "2.0.0 line " + std::to_string(i)) + "\r\n";
  }
  // An empty line with an enhanced code is "250-2.0.0", not "250-2.0.0 ".
  for (int i = 0; i < 20; i += 3) {
    const std::string plain = std::string(i < 19 ? "250-" : "250 ") + "\r\n";
    wire.replace(wire.find(plain), plain.size(), std::string(i < 19 ? "250-" : "250 ") + "2.0.0\r\n");
  }
  const Reply many = Reply::make(250, "2.0.0", text);
  REQUIRE(many.lines.size() == 20);
  CHECK(many.wire() == wire);
  CHECK(Reply::make(250, "", "a\n\nb").wire() == "250-a\r\n250-\r\n250 b\r\n");
  CHECK(Reply::make(250, "2.0.0", "a\n\nb").wire() == "250-2.0.0 a\r\n250-2.0.0\r\n250 2.0.0 b\r\n");
  // Copies and moves carry the lines, inline or not.
  for (const Reply& r : {many, Reply::make(250, "2.1.0", "Ok"), Reply::make(250, "", long_line)}) {
    Reply copy = r;
    CHECK(copy == r);
    CHECK(copy.wire() == r.wire());
    Reply moved = std::move(copy);
    CHECK(moved.wire() == r.wire());
    Reply assigned = Reply::make(421, "4.4.2", long_line);
    assigned = r;
    CHECK(assigned.wire() == r.wire());
    assigned = Reply::make(221, "", "Bye");
    CHECK(assigned.wire() == "221 Bye\r\n");
  }
}

TEST_CASE("Reply helpers", "[smtp][reply]") {
  Reply r = Reply::make(550, "5.1.1", "line one\r\nline two");
  CHECK(as_strings(r.lines) == std::vector<std::string>{"line one", "line two"});
  CHECK(r.text() == "line one line two");
  CHECK(r.summary() == "550 5.1.1 line one line two");
  CHECK(r.permanent());
  CHECK_FALSE(r.transient());
  CHECK(Reply::make(421, "", "x").transient());
  CHECK(Reply::make(354, "", "x").positive_intermediate());
  CHECK(Reply::make(250, "", "x").positive_completion());
  CHECK(is_enhanced_code("2.1.0"));
  CHECK(is_enhanced_code("5.7.123"));
  CHECK_FALSE(is_enhanced_code("3.1.0"));
  CHECK_FALSE(is_enhanced_code("2.1"));
  CHECK_FALSE(is_enhanced_code("2.1.1234"));
  CHECK_FALSE(is_enhanced_code("2..1"));
}

TEST_CASE("queued_as: the queue id a server names after DATA", "[smtp][reply]") {
  CHECK(queued_as(Reply::make(250, "2.0.0", "Ok: queued as 14C080Q1")) == "14C080Q1");
  CHECK(queued_as(Reply::make(250, "", "Ok: queued as 3F2A1B; thanks")) == "3F2A1B");
  CHECK(queued_as(Reply::make(250, "2.0.0", "Ok (queued as ABC)")) == "ABC");
  CHECK(queued_as(Reply::make(250, "", "mx.example\nOk: queued as X1 at once")) == "X1");
  CHECK(queued_as(Reply::make(250, "2.0.0", "Ok")) == "");               // names none
  CHECK(queued_as(Reply::make(451, "4.3.0", "not queued as X")) == "");  // not accepted
  CHECK(queued_as(Reply::make(250, "", "queued as ")) == "");
}

namespace {
std::vector<Reply> parse_all(std::string_view bytes, std::vector<bool>* malformed = nullptr, bool bytewise = false) {
  ReplyParser p;
  std::vector<Reply> out;
  auto drain = [&] {
    while (auto r = p.next()) {
      out.push_back(*r);
      if (malformed) malformed->push_back(p.last_malformed());
    }
  };
  if (bytewise) {
    for (char c : bytes) {
      p.receive(std::string_view(&c, 1));
      drain();
    }
  } else {
    p.receive(bytes);
    drain();
  }
  return out;
}
}  // namespace

TEST_CASE("ReplyParser reads replies in any split", "[smtp][reply]") {
  const std::string wire =
      "220 mx.example.org ESMTP\r\n"
      "250-mx.example.org\r\n250-PIPELINING\r\n250 SIZE 1000\r\n"
      "550-5.1.1 first\r\n550 5.1.1 second\r\n"
      "354 End data\n"  // bare LF accepted
      "250\r\n";
  for (bool bytewise : {false, true}) {
    auto r = parse_all(wire, nullptr, bytewise);
    REQUIRE(r.size() == 5);
    CHECK(r[0] == Reply::make(220, "", "mx.example.org ESMTP"));
    CHECK(as_strings(r[1].lines) == std::vector<std::string>{"mx.example.org", "PIPELINING", "SIZE 1000"});
    CHECK(r[2] == Reply::make(550, "5.1.1", "first\nsecond"));
    CHECK(r[3].code == 354);
    CHECK(r[4] == Reply{250, "", {""}});
  }
}

TEST_CASE("ReplyParser reads back long and many-line replies as written", "[smtp][reply]") {
  const Reply written[] = {
      Reply::make(250, "", "mx.example.org\nPIPELINING\nSIZE 10240000\nETRN\nENHANCEDSTATUSCODES\n8BITMIME\nDSN"),
      Reply::make(550, "5.1.1", std::string(3000, 'y') + "\n\nshort"),
      Reply::make(250, "2.0.0", "Ok: queued as 4B2C3D4E5F60718293A4B5C6D7E8F9012"),
      Reply{334, "", {""}},
  };
  std::string wire;
  for (const Reply& r : written) wire += r.wire();
  for (bool bytewise : {false, true}) {
    auto got = parse_all(wire, nullptr, bytewise);
    REQUIRE(got.size() == std::size(written));
    for (std::size_t i = 0; i < got.size(); ++i) {
      CHECK(got[i] == written[i]);
      CHECK(got[i].wire() == written[i].wire());
    }
  }
}

TEST_CASE("ReplyParser recognises enhanced codes by their form", "[smtp][reply]") {
  auto r = parse_all("250 2.1.0 Ok\r\n452 5.5.3 wrong class\r\n250 8BITMIME\r\n250 2.0.0\r\n");
  REQUIRE(r.size() == 4);
  CHECK(r[0].enhanced == "2.1.0");
  CHECK(as_strings(r[0].lines) == std::vector<std::string>{"Ok"});
  CHECK(r[1].enhanced == "4.5.3");  // class corrected to the reply's
  CHECK(r[2].enhanced.empty());
  CHECK(r[3].enhanced == "2.0.0");
  CHECK(as_strings(r[3].lines) == std::vector<std::string>{""});
}

TEST_CASE("ReplyParser turns malformed lines into a synthesized error", "[smtp][reply]") {
  struct Case {
    const char* wire;
  } cases[] = {{"garbage\r\n"}, {"25\r\n"}, {"2500 x\r\n"}, {"199 x\r\n"}, {"600 x\r\n"},
               {"250-a\r\n550 b\r\n"}, {"25a ok\r\n"}, {"\r\n"}};
  for (const auto& c : cases) {
    INFO(c.wire);
    std::vector<bool> bad;
    auto r = parse_all(c.wire, &bad);
    REQUIRE(r.size() == 1);
    CHECK(bad[0]);
    CHECK(r[0].code == 421);
    CHECK(r[0].enhanced == "4.5.0");
  }
  // After garbage the parser goes on with the next line.
  std::vector<bool> bad;
  auto r = parse_all("xx\r\n250 ok\r\n", &bad);
  REQUIRE(r.size() == 2);
  CHECK(bad == std::vector<bool>{true, false});
  CHECK(r[1].code == 250);
}

TEST_CASE("ReplyParser truncates over-long lines and reports partial input", "[smtp][reply]") {
  ReplyParser p;
  p.receive("250 " + std::string(10000, 'x'));
  CHECK(p.partial());
  CHECK_FALSE(p.next());
  p.receive("\r\n");
  auto r = p.next();
  REQUIRE(r);
  CHECK(r->lines[0].size() == ReplyParser::kMaxLine - 4);
  CHECK_FALSE(p.partial());
  p.receive("250-a\r\n");
  CHECK(p.partial());
}

TEST_CASE("ReplyParser keeps a bounded part of a reply that does not end, and stays in step", "[smtp][reply]") {
  // A hostile or broken server sends continuation lines without end: the client keeps
  // the first kMaxLines lines (and at most kMaxText octets), reads the rest, and the
  // reply after it comes out whole.
  ReplyParser p;
  std::string flood;
  for (int i = 0; i < 100000; ++i) flood += "250-line " + std::to_string(i) + "\r\n";
  p.receive(flood);
  CHECK_FALSE(p.next());
  p.receive("250 last\r\n220 next reply\r\n");
  auto r = p.next();
  REQUIRE(r);
  CHECK(r->code == 250);
  CHECK(r->lines.size() == ReplyParser::kMaxLines);
  CHECK(r->lines[0] == "line 0");
  CHECK(r->lines[ReplyParser::kMaxLines - 1] == "line " + std::to_string(ReplyParser::kMaxLines - 1));
  auto n = p.next();
  REQUIRE(n);
  CHECK(n->code == 220);
  CHECK(n->lines[0] == "next reply");
  CHECK_FALSE(p.last_malformed());

  // Long lines reach the octet cap first.
  ReplyParser q;
  const std::string big(4000, 'y');
  for (int i = 0; i < 100; ++i) q.receive("250-" + big + "\r\n");
  q.receive("250-SIZE 1000\r\n250 end\r\n");
  auto b = q.next();
  REQUIRE(b);
  // 16 lines of 4,000 octets fill it; the 17th is dropped, and so is every later line,
  // short as it may be: the reply is its first lines, with no gap.
  CHECK(b->lines.size() == ReplyParser::kMaxText / big.size());
  CHECK(b->lines.back() == big);
  CHECK(b->lines.text_bytes() <= ReplyParser::kMaxText);
}
