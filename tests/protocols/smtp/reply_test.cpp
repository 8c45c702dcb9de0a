#include <catch2/catch.hpp>

#include "protocols/smtp/reply.hpp"
#include "protocols/smtp/reply_parser.hpp"

using namespace maillab::smtp;

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

TEST_CASE("Reply helpers", "[smtp][reply]") {
  Reply r = Reply::make(550, "5.1.1", "line one\r\nline two");
  CHECK(r.lines == std::vector<std::string>{"line one", "line two"});
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
    CHECK(r[1].lines == std::vector<std::string>{"mx.example.org", "PIPELINING", "SIZE 1000"});
    CHECK(r[2] == Reply::make(550, "5.1.1", "first\nsecond"));
    CHECK(r[3].code == 354);
    CHECK(r[4] == Reply{250, "", {""}});
  }
}

TEST_CASE("ReplyParser recognises enhanced codes by their form", "[smtp][reply]") {
  auto r = parse_all("250 2.1.0 Ok\r\n452 5.5.3 wrong class\r\n250 8BITMIME\r\n250 2.0.0\r\n");
  REQUIRE(r.size() == 4);
  CHECK(r[0].enhanced == "2.1.0");
  CHECK(r[0].lines == std::vector<std::string>{"Ok"});
  CHECK(r[1].enhanced == "4.5.3");  // class corrected to the reply's
  CHECK(r[2].enhanced.empty());
  CHECK(r[3].enhanced == "2.0.0");
  CHECK(r[3].lines == std::vector<std::string>{""});
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
