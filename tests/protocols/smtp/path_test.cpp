#include <catch2/catch.hpp>

#include "protocols/smtp/path.hpp"

using namespace maillab::smtp;

TEST_CASE("parse_reverse_path / parse_forward_path accept RFC 5321 4.1.2 paths", "[smtp][path]") {
  struct Case {
    std::string text;
    bool reverse;
    std::string local, domain, rest;
  } cases[] = {
      {"<>", true, "", "", ""},
      {"<alice@Example.ORG>", false, "alice", "example.org", ""},
      {"<Alice.Smith@example.org> SIZE=10", true, "Alice.Smith", "example.org", " SIZE=10"},
      {"<\"john doe\"@example.org>", false, "john doe", "example.org", ""},
      {"<\"a\\\"b\"@example.org>", false, "a\"b", "example.org", ""},
      {"<user@[192.0.2.1]>", false, "user", "[192.0.2.1]", ""},
      {"<user@[IPv6:2001:DB8::1]>", false, "user", "[ipv6:2001:db8::1]", ""},
      {"<@relay.example,@b.example:bob@c.example>", false, "bob", "c.example", ""},
      {"<Postmaster>", false, "Postmaster", "", ""},
      {"<postmaster@example.org>", false, "postmaster", "example.org", ""},
      {"<a+tag=x/y@sub-1.example.org>", true, "a+tag=x/y", "sub-1.example.org", ""},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    PathResult r = c.reverse ? parse_reverse_path(c.text) : parse_forward_path(c.text);
    REQUIRE(r.ok());
    CHECK(r.path.local == c.local);
    CHECK(r.path.domain == c.domain);
    CHECK(r.rest == c.rest);
  }
}

TEST_CASE("path syntax errors", "[smtp][path]") {
  const char* bad[] = {
      "alice@example.org",         // no brackets
      "<alice@example.org",        // unclosed
      "<alice>",                   // no domain
      "<@example.org>",            // empty local part
      "<.alice@example.org>",      // dot-string rules
      "<al..ice@example.org>",     //
      "<alice.@example.org>",      //
      "<alice@-example.org>",      // Let-dig
      "<alice@example-.org>",      //
      "<alice@example..org>",      //
      "<alice@example.org.>",      // trailing dot
      "<alice@[300.1.1.1]>",       // IPv4 literal
      "<alice@[1.2.3]>",           //
      "<alice@[IPv6:zz::1]>",      //
      "<\"unterminated@example.org>",
      "<al ice@example.org>",
      "<alic\xc3\xa9@example.org>",  // no SMTPUTF8
      "<@relay.example alice@example.org>",
      "<Postmaster@>",
  };
  for (const char* t : bad) {
    INFO(t);
    CHECK(parse_forward_path(t).error == PathError::Syntax);
    CHECK(parse_reverse_path(t).error == PathError::Syntax);
  }
  CHECK(parse_forward_path("<>").error == PathError::Syntax);  // RCPT TO:<>
  CHECK(parse_reverse_path("<Postmaster>").error == PathError::Syntax);
  CHECK(parse_forward_path("<alice@" + std::string(64, 'a') + ".org>").error == PathError::Syntax);  // label > 63
}

TEST_CASE("path limits of RFC 5321 4.5.3.1 give distinct errors", "[smtp][path]") {
  const std::string l64(64, 'l'), l65(65, 'l');
  auto domain_of = [](std::size_t n) {  // labels of at most 51 octets, n octets in all
    std::string d;
    while (n - d.size() > 51) d += std::string(50, 'd') + '.';
    return d + std::string(n - d.size(), 'e');
  };
  CHECK(parse_forward_path("<" + l64 + "@example.org>").ok());
  CHECK(parse_forward_path("<" + l65 + "@example.org>").error == PathError::LocalPartTooLong);
  CHECK(parse_forward_path("<\"" + std::string(63, 'q') + "\"@example.org>").error == PathError::LocalPartTooLong);
  CHECK(domain_of(255).size() == 255);
  CHECK(parse_forward_path("<a@" + domain_of(252) + ">").ok());  // 1 + 1 + 252 + 2 = 256
  CHECK(parse_forward_path("<ab@" + domain_of(252) + ">").error == PathError::PathTooLong);
  CHECK(parse_forward_path("<a@" + domain_of(256) + ">").error == PathError::DomainTooLong);

  Reply syntax = path_error_reply(PathError::Syntax, false);
  CHECK(syntax.summary() == "501 5.1.3 Bad recipient address syntax");
  CHECK(path_error_reply(PathError::Syntax, true).summary() == "501 5.1.7 Bad sender address syntax");
  Reply local = path_error_reply(PathError::LocalPartTooLong, false);
  CHECK(local.code == 553);
  CHECK(local.enhanced == "5.1.3");
  Reply domain = path_error_reply(PathError::DomainTooLong, false);
  CHECK(domain.code == 553);
  CHECK(domain.enhanced == "5.1.2");
  CHECK(domain.text() != local.text());
  CHECK(path_error_reply(PathError::PathTooLong, true).code == 553);
}

TEST_CASE("Path::address quotes when needed and parse_mailbox round-trips", "[smtp][path]") {
  CHECK(Path{}.address().empty());
  CHECK(Path{}.bracketed() == "<>");
  CHECK(Path{"Alice", "example.org"}.bracketed() == "<Alice@example.org>");
  CHECK(Path{"john doe", "example.org"}.address() == "\"john doe\"@example.org");
  CHECK(Path{"a\"b", "example.org"}.address() == "\"a\\\"b\"@example.org");
  CHECK(Path{"Postmaster", ""}.address() == "Postmaster");
  for (const char* a : {"alice@example.org", "\"john doe\"@example.org", "x@[192.0.2.1]"}) {
    auto r = parse_mailbox(a);
    REQUIRE(r.ok());
    CHECK(r.path.address() == a);
  }
  CHECK(parse_mailbox("alice@example.org trailing").error == PathError::Syntax);
  CHECK(parse_mailbox("Bob@EXAMPLE.org").path == Path{"Bob", "example.org"});
}
