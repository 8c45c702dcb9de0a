#include <catch2/catch.hpp>

#include "protocols/imap/fetch_item.hpp"
#include "protocols/imap/parser.hpp"
#include "protocols/imap/search_program.hpp"
#include "protocols/imap/sequence_set.hpp"
#include "protocols/imap/wire_format.hpp"

using namespace maillab::imap;

TEST_CASE("astring, quoted, literal, NIL", "[imap][grammar]") {
  struct Case {
    std::string in;
    std::optional<std::string> value;  // nullopt: a syntax error
    std::size_t consumed;
  };
  const Case cases[] = {
      {"INBOX rest", "INBOX", 5},
      {"foo]bar", "foo]bar", 7},          // ']' is an ASTRING-CHAR
      {"\"a b\\\"c\\\\\"", "a b\"c\\", 10},
      {"\"\"", "", 2},
      {"{3}\r\nabc", "abc", 8},
      {"{3+}\r\nabc", "abc", 9},
      {"{0}\r\n", "", 5},
      {"{4}\r\nab", std::nullopt, 0},     // shorter than announced
      {"{2}\r\na\0", std::nullopt, 0},    // NUL in a literal
      {"\"bad\\q\"", std::nullopt, 0},    // '\' before a non-special
      {"\"open", std::nullopt, 0},
      {"\"cr\rx\"", std::nullopt, 0},
      {"\"gr\xc3\xbc\xc3\x9f\"", "gr\xc3\xbc\xc3\x9f", 8},
      {"\"\xff\"", std::nullopt, 0},      // 8-bit, not UTF-8
      {"(x", std::nullopt, 0},
      {"", std::nullopt, 0},
  };
  for (const auto& c : cases) {
    INFO(c.in);
    Parser p(c.in);
    auto v = p.astring();
    CHECK(v == c.value);
    if (v) CHECK(p.pos() == c.consumed);
    else CHECK(p.pos() == 0);
  }
  Parser nil("NIL \"x\" nil NILS");
  auto a = nil.nstring();
  REQUIRE(a);
  CHECK_FALSE(a->has_value());
  nil.sp();
  CHECK(nil.nstring() == std::optional<std::optional<std::string>>(std::string("x")));
  nil.sp();
  CHECK(nil.nstring() == std::optional<std::optional<std::string>>(std::optional<std::string>()));
  nil.sp();
  CHECK_FALSE(nil.nstring());  // NILS is an atom, not NIL and not a string
}

TEST_CASE("tags, atoms, numbers", "[imap][grammar]") {
  Parser p("a1+ b");
  CHECK(p.tag() == "a1");
  Parser star("* OK");
  CHECK_FALSE(star.tag());
  Parser n("4294967295 4294967296 0 012");
  CHECK(n.number() == 4294967295u);
  n.sp();
  CHECK_FALSE(n.number());
  n.set_pos(22);
  CHECK(n.nz_number() == std::nullopt);
  CHECK(n.number() == 0u);
  n.sp();
  CHECK_FALSE(n.nz_number());
  CHECK(is_atom_char('a'));
  for (char c : std::string("(){ %*\"\\]\x7f\x01")) CHECK_FALSE(is_atom_char(c));
  CHECK(is_astring_char(']'));
  CHECK(is_list_char('%'));
  CHECK_FALSE(is_tag_char('+'));
}

TEST_CASE("fetch attribute names as responses write them", "[imap][grammar]") {
  Parser p("BODY[HEADER.FIELDS (A B)]<0> UID BODY[] X");
  CHECK(p.fetch_att_name() == "BODY[HEADER.FIELDS (A B)]<0>");
  p.sp();
  CHECK(p.fetch_att_name() == "UID");
  p.sp();
  CHECK(p.fetch_att_name() == "BODY[]");
  Parser bad("BODY[oops");
  CHECK_FALSE(bad.fetch_att_name());
}

TEST_CASE("sequence sets: ranges, stars, order, formatting", "[imap][grammar]") {
  SequenceSet s;
  REQUIRE(SequenceSet::parse("1:3,5,7:*,10:8", s));
  CHECK(s.contains(2, 20));
  CHECK_FALSE(s.contains(4, 20));
  CHECK(s.contains(20, 20));
  CHECK(s.contains(9, 20));
  CHECK(s.highest(20) == 20);
  CHECK(s.within(20));
  CHECK_FALSE(s.within(9));  // 10 is out of range
  SequenceSet star;
  REQUIRE(SequenceSet::parse("*:4", star));
  CHECK(star.contains(3, 3));  // "*:4" with 3 messages is 3:4 (RFC 9051 9)
  CHECK_FALSE(star.within(0));
  for (const char* bad : {"", "0", "1:", ":1", "1,,2", "1:2:3", "01", "4294967296", "a", "1 2"}) {
    INFO(bad);
    CHECK_FALSE(SequenceSet::parse(bad, s));
  }
  CHECK(SequenceSet::format({1, 2, 3, 5, 7, 8}) == "1:3,5,7:8");
  CHECK(SequenceSet::format({}).empty());
}

TEST_CASE("flags and flag lists", "[imap][grammar]") {
  Parser p("(\\Seen \\Answered $Forwarded) (\\*) ()");
  auto f = p.flag_list();
  REQUIRE(f);
  CHECK(*f == std::vector<std::string>{"\\Seen", "\\Answered", "$Forwarded"});
  p.sp();
  CHECK_FALSE(p.flag_list());  // \* is not a flag a client can store
  Parser e("()");
  CHECK(e.flag_list() == std::vector<std::string>{});
}

TEST_CASE("dates and date-times (RFC 9051 9)", "[imap][grammar]") {
  Parser d("1-Feb-1994 \"01-feb-1994\" 30-Feb-2000 1-Foo-2000");
  CHECK(d.date() == 760060800);
  d.sp();
  CHECK(d.date() == 760060800);
  d.sp();
  CHECK_FALSE(d.date());
  Parser dt("\"17-Jul-1996 02:44:25 -0700\" \" 7-Jul-1996 02:44:25 +0000\" \"7-Jul-1996 02:44:25 +0000\"");
  CHECK(dt.date_time() == 837596665);  // 1996-07-17T09:44:25Z
  dt.sp();
  CHECK(dt.date_time() == 836707465);
  dt.sp();
  CHECK_FALSE(dt.date_time());  // date-day-fixed: " 7" or "07"
  CHECK(month_number("DEC") == 12);
}

TEST_CASE("search programs: every RFC 3501 key", "[imap][grammar][search]") {
  const std::string all =
      "CHARSET UTF-8 ALL ANSWERED BCC x BEFORE 1-Jan-2020 BODY \"a b\" CC y DELETED DRAFT FLAGGED "
      "FROM z HEADER X-Spam yes KEYWORD $Junk LARGER 100 NEW NOT SEEN OLD ON 2-Jan-2020 "
      "OR SEEN (UNSEEN FLAGGED) RECENT SEEN SENTBEFORE 3-Jan-2020 SENTON 4-Jan-2020 "
      "SENTSINCE 5-Jan-2020 SINCE 6-Jan-2020 SMALLER 5 SUBJECT {3}\r\nhey TEXT t TO u UID 1:* "
      "UNANSWERED UNDELETED UNDRAFT UNFLAGGED UNKEYWORD $x UNSEEN 1,3:4 (1 2)";
  Parser p(all);
  auto prog = parse_search_program(p);
  REQUIRE(prog);
  CHECK(p.at_end());
  CHECK(prog->charset == "UTF-8");
  CHECK(prog->root.children.size() == 37);
  CHECK(prog->root.children[12].kind == SearchKey::Kind::Larger);
  CHECK(prog->root.children[12].number == 100);
  CHECK(prog->root.children[10].field == "X-Spam");
  const auto& orkey = prog->root.children[17];
  REQUIRE(orkey.kind == SearchKey::Kind::Or);
  CHECK(orkey.children[1].kind == SearchKey::Kind::And);
  CHECK(orkey.children[1].children.size() == 2);

  Parser r("RETURN (MIN COUNT) UNSEEN");
  auto ret = parse_search_program(r);
  REQUIRE(ret);
  CHECK(ret->has_return);
  CHECK(ret->ret_min);
  CHECK(ret->ret_count);
  CHECK_FALSE(ret->ret_all);
  Parser empty_ret("RETURN () ALL");
  auto e = parse_search_program(empty_ret);
  REQUIRE(e);
  CHECK(e->ret_all);

  for (const char* bad : {"", "FOO", "SINCE yesterday", "NOT", "OR SEEN", "(SEEN", "LARGER x", "RETURN (SAVE) ALL",
                          "ALL  SEEN", "ALL "}) {
    INFO(bad);
    Parser b(bad);
    CHECK_FALSE(parse_search_program(b));
  }
  std::string deep;
  for (int i = 0; i < 500; ++i) deep += "NOT ";
  deep += "SEEN";
  Parser dp(deep);
  CHECK_FALSE(parse_search_program(dp));
}

TEST_CASE("fetch attributes, macros, sections and partials", "[imap][grammar][fetch]") {
  struct Case {
    const char* in;
    std::vector<std::string> names;  // response names; empty: a syntax error
  };
  const Case cases[] = {
      {"ALL", {"FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE"}},
      {"fast", {"FLAGS", "INTERNALDATE", "RFC822.SIZE"}},
      {"FULL", {"FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODY"}},
      {"(UID RFC822.SIZE FLAGS BODY.PEEK[HEADER.FIELDS (From To)])",
       {"UID", "RFC822.SIZE", "FLAGS", "BODY[HEADER.FIELDS (From To)]"}},
      {"BODY[]<0.100>", {"BODY[]<0>"}},
      {"body[1.2.MIME]", {"BODY[1.2.MIME]"}},
      {"BODY[3.HEADER.FIELDS.NOT (X-A \"X B\")]", {"BODY[3.HEADER.FIELDS.NOT (X-A \"X B\")]"}},
      {"(RFC822 RFC822.HEADER RFC822.TEXT BODYSTRUCTURE ENVELOPE INTERNALDATE)",
       {"RFC822", "RFC822.HEADER", "RFC822.TEXT", "BODYSTRUCTURE", "ENVELOPE", "INTERNALDATE"}},
      {"(BINARY.PEEK[1] BINARY.SIZE[2] BINARY[]<5.5>)", {"BINARY[1]", "BINARY.SIZE[2]", "BINARY[]<5>"}},
      {"BODY[MIME]", {}},
      {"BODY[1.]", {}},
      {"BODY[0]", {}},
      {"BODY[TEXT", {}},
      {"BODY[]<1.0>", {}},
      {"BINARY[1.TEXT]", {}},
      {"()", {}},
      {"(FLAGS", {}},
      {"BODYSTRUCTUR", {}},
  };
  for (const auto& c : cases) {
    INFO(c.in);
    Parser p(c.in);
    auto items = parse_fetch_items(p);
    if (c.names.empty()) {
      CHECK((!items || !p.at_end()));
      continue;
    }
    REQUIRE(items);
    CHECK(p.at_end());
    std::vector<std::string> names;
    for (const auto& i : *items) names.push_back(i.response_name());
    CHECK(names == c.names);
  }
  Parser seen("(BODY[] BODY.PEEK[] RFC822 RFC822.HEADER RFC822.TEXT BINARY[] FLAGS)");
  auto items = parse_fetch_items(seen);
  REQUIRE(items);
  std::vector<bool> sets;
  for (const auto& i : *items) sets.push_back(i.sets_seen());
  CHECK(sets == std::vector<bool>{true, false, true, false, true, true, false});
}

TEST_CASE("strings are written quoted, as literals or as atoms (RFC 9051 4.3)", "[imap][wire]") {
  auto str = [](std::string_view s, bool utf8) {
    std::string out;
    append_string(out, s, utf8);
    return out;
  };
  auto ast = [](std::string_view s) {
    std::string out;
    append_astring(out, s, false);
    return out;
  };
  CHECK(str("hello", false) == "\"hello\"");
  CHECK(str("a\"b\\c", false) == "\"a\\\"b\\\\c\"");
  CHECK(str("two\r\nlines", false) == "{10}\r\ntwo\r\nlines");
  CHECK(str("caf\xc3\xa9", false) == "{5}\r\ncaf\xc3\xa9");
  CHECK(str("caf\xc3\xa9", true) == "\"caf\xc3\xa9\"");
  CHECK(str("\xff", true) == "{1}\r\n\xff");
  CHECK(str(std::string(kMaxQuoted + 1, 'a'), false).rfind("{1025}\r\n", 0) == 0);
  CHECK(ast("INBOX") == "INBOX");
  CHECK(ast("Sent Items") == "\"Sent Items\"");
  CHECK(ast("NIL") == "\"NIL\"");
  CHECK(ast("") == "\"\"");
  CHECK(ast("a%b") == "\"a%b\"");
  std::string n;
  append_nstring(n, std::nullopt, false);
  CHECK(n == "NIL");
  // Whatever the octets, what is written parses back to them.
  std::string all;
  for (int c = 1; c < 256; ++c) all += static_cast<char>(c);
  for (bool utf8 : {false, true}) {
    const std::string w = str(all, utf8);
    Parser p(w);
    CHECK(p.string() == all);
  }
}
