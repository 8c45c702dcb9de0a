#include "protocols/message/address_list.hpp"

#include <catch2/catch.hpp>

using maillab::message::AddressEntry;
using maillab::message::parse_address_list;

namespace {

// name|route|mailbox|host per mailbox, "(" name for a group start, ")" for its end.
std::string shown(const std::vector<AddressEntry>& list) {
  std::string s;
  for (const auto& e : list) {
    if (!s.empty()) s += " ; ";
    if (e.kind == AddressEntry::Kind::GroupStart) s += "(" + e.name;
    else if (e.kind == AddressEntry::Kind::GroupEnd) s += ")";
    else s += e.name + "|" + e.route + "|" + e.mailbox + "|" + e.host;
  }
  return s;
}

}  // namespace

TEST_CASE("address lists as an IMAP envelope shows them", "[message][address]") {
  struct Case {
    const char* in;
    const char* out;
  };
  const Case cases[] = {
      {"alice@a.example", "||alice|a.example"},
      {"Alice Liddell <alice@a.example>", "Alice Liddell||alice|a.example"},
      {"\"Liddell, Alice\" <alice@a.example>, bob@b.example",
       "Liddell, Alice||alice|a.example ; ||bob|b.example"},
      {"alice@a.example (Alice)", "Alice||alice|a.example"},
      {"John Q. Public <jqp@x.example>", "John Q. Public||jqp|x.example"},
      {"<@r1.example,@r2.example:joe@x.example>", "|@r1.example,@r2.example|joe|x.example"},
      {"\"joe smith\"@x.example", "||joe smith|x.example"},
      {"A Group: a@x.example, B <b@y.example>;, c@z.example",
       "(A Group ; ||a|x.example ; B||b|y.example ; ) ; ||c|z.example"},
      {"undisclosed-recipients:;", "(undisclosed-recipients ; )"},
      {"=?utf-8?q?J=C3=B6rg?= <j@x.example>", "=?utf-8?q?J=C3=B6rg?=||j|x.example"},
      {"just-a-name", "||just-a-name|MISSING_DOMAIN"},
      {"a@[192.0.2.1]", "||a|[192.0.2.1]"},
      {" , ,a@x.example,,", "||a|x.example"},
      {"", ""},
      {"<>", ""},
      {"Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>",
       "Pete||pete|silly.test"},
      {"foo.bar @ example . com", "||foo.bar|example.com"},
  };
  for (const auto& c : cases) {
    INFO(c.in);
    CHECK(shown(parse_address_list(c.in)) == c.out);
  }
}

TEST_CASE("address lists never fail on garbage", "[message][address]") {
  const char* inputs[] = {"<<<", ">>>", "::;;", "\"unterminated", "(unterminated comment", "@", "a@",
                          "@b", "[x", "a:b:c;d;", "\\", "<a@b", "a <b <c@d> e> f"};
  for (const char* in : inputs) {
    INFO(in);
    const auto list = parse_address_list(in);
    int depth = 0;
    for (const auto& e : list) {
      if (e.kind == AddressEntry::Kind::GroupStart) ++depth;
      if (e.kind == AddressEntry::Kind::GroupEnd) --depth;
      CHECK((depth == 0 || depth == 1));
      if (e.kind == AddressEntry::Kind::Mailbox) {
        CHECK(!e.mailbox.empty());
        CHECK(!e.host.empty());
      }
    }
    CHECK(depth == 0);
  }
}
