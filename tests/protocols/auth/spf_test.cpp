// SPF: RFC 7208's own examples (7.4 macros, Appendix A zones), the HELO identity, the
// Received-SPF field, and the evaluator's asynchronous contract.
#include <catch2/catch.hpp>

#include <memory>

#include "protocols/auth/fake_dns.hpp"
#include "protocols/auth/spf_check.hpp"
#include "protocols/auth/spf_macro.hpp"

using namespace maillab::auth;

namespace {

SpfOutcome check(FakeDns& dns, const std::string& ip, const std::string& from,
                 const std::string& helo = "mail.example.net",
                 SpfIdentity identity = SpfIdentity::MailFrom) {
  SpfRequest req;
  req.client_ip = ip;
  req.mail_from = from;
  req.helo = helo;
  req.identity = identity;
  req.receiver = "mx.example.net";
  SpfCheck c(dns, req);
  SpfOutcome out;
  c.start([&](const SpfOutcome& o) { out = o; });
  REQUIRE(c.finished());
  return out;
}

// RFC 7208 Appendix A: the sample zone.
void appendix_a_zone(FakeDns& dns) {
  dns.add_mx("example.com", 10, "mail-a.example.com");
  dns.add_mx("example.com", 20, "mail-b.example.com");
  dns.add_address("example.com", "192.0.2.10");
  dns.add_address("example.com", "192.0.2.11");
  dns.add_address("amy.example.com", "192.0.2.65");
  dns.add_address("bob.example.com", "192.0.2.66");
  dns.add_address("mail-a.example.com", "192.0.2.129");
  dns.add_address("mail-b.example.com", "192.0.2.130");
  dns.add_mx("example.org", 10, "mail-c.example.org");
  dns.add_address("mail-c.example.org", "192.0.2.140");
  dns.add_ptr("10.2.0.192.in-addr.arpa", "example.com");
  dns.add_ptr("11.2.0.192.in-addr.arpa", "example.com");
  dns.add_ptr("65.2.0.192.in-addr.arpa", "amy.example.com");
  dns.add_ptr("66.2.0.192.in-addr.arpa", "bob.example.com");
  dns.add_ptr("129.2.0.192.in-addr.arpa", "mail-a.example.com");
  dns.add_ptr("130.2.0.192.in-addr.arpa", "mail-b.example.com");
  dns.add_ptr("140.2.0.192.in-addr.arpa", "mail-c.example.org");
  dns.add_ptr("4.3.2.10.in-addr.arpa", "bob.example.com");
}

}  // namespace

TEST_CASE("RFC 7208 7.4 macro examples", "[spf][macro]") {
  MacroContext ctx;
  ctx.sender = "strong-bad@email.example.com";
  ctx.local_part = "strong-bad";
  ctx.sender_domain = "email.example.com";
  ctx.domain = "email.example.com";
  ctx.ip = *IpAddress::parse("192.0.2.3");
  struct Row {
    const char* macro;
    const char* expansion;
  };
  const Row rows[] = {
      {"%{s}", "strong-bad@email.example.com"},
      {"%{o}", "email.example.com"},
      {"%{d}", "email.example.com"},
      {"%{d4}", "email.example.com"},
      {"%{d3}", "email.example.com"},
      {"%{d2}", "example.com"},
      {"%{d1}", "com"},
      {"%{dr}", "com.example.email"},
      {"%{d2r}", "example.email"},
      {"%{l}", "strong-bad"},
      {"%{l-}", "strong.bad"},
      {"%{lr}", "strong-bad"},
      {"%{lr-}", "bad.strong"},
      {"%{l1r-}", "strong"},
      {"%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com"},
      {"%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com"},
      {"%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", "bad.strong.lp.3.2.0.192.in-addr._spf.example.com"},
      {"%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", "3.2.0.192.in-addr.strong.lp._spf.example.com"},
      {"%{d2}.trusted-domains.example.net", "example.com.trusted-domains.example.net"},
  };
  for (const auto& row : rows) {
    INFO(row.macro);
    CHECK(check_domain_spec(row.macro).empty());
    CHECK(expand_macros(row.macro, ctx, MacroUse::DomainSpec) == std::string(row.expansion));
  }
  ctx.ip = *IpAddress::parse("2001:db8::cb01");
  CHECK(expand_macros("%{ir}.%{v}._spf.%{d2}", ctx, MacroUse::DomainSpec) ==
        std::string("1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com"));
}

TEST_CASE("macro syntax: exp-only letters, escapes, URL-escaping", "[spf][macro]") {
  CHECK_FALSE(check_domain_spec("%{c}.example.com").empty());  // c r t: explanation only (7.3)
  CHECK_FALSE(check_domain_spec("%{t}.example.com").empty());
  CHECK(check_macro_string("%{c} %{r} %{t}", MacroUse::Explanation).empty());
  CHECK_FALSE(check_domain_spec("%{d0}.example.com").empty());  // DIGIT must be nonzero
  CHECK_FALSE(check_domain_spec("%{x}.example.com").empty());
  CHECK_FALSE(check_domain_spec("a%b.example.com").empty());
  CHECK(check_domain_spec("%{d}").empty());  // ends in a macro-expand
  MacroContext ctx;
  ctx.local_part = "a b/c";
  ctx.receiver = "mx.example.net";
  ctx.now = 1772442000;
  ctx.ip = *IpAddress::parse("192.0.2.1");
  CHECK(expand_macros("%{L}", ctx, MacroUse::Explanation) == std::string("a%20b%2Fc"));
  CHECK(expand_macros("%%%_%-", ctx, MacroUse::Explanation) == std::string("% %20"));
  CHECK(expand_macros("%{r} %{t} %{c}", ctx, MacroUse::Explanation) ==
        std::string("mx.example.net 1772442000 192.0.2.1"));
  std::string long_name(300, 'a');
  for (std::size_t i = 50; i < long_name.size(); i += 51) long_name[i] = '.';
  CHECK(fit_domain(long_name + ".").size() <= 253);
}

TEST_CASE("RFC 7208 Appendix A.1 simple examples", "[spf][rfc7208]") {
  struct Row {
    const char* record;
    const char* ip;
    SpfResult result;
  };
  const Row rows[] = {
      {"v=spf1 +all", "198.51.100.7", SpfResult::Pass},
      {"v=spf1 a -all", "192.0.2.10", SpfResult::Pass},
      {"v=spf1 a -all", "192.0.2.11", SpfResult::Pass},
      {"v=spf1 a -all", "192.0.2.65", SpfResult::Fail},
      {"v=spf1 a:example.org -all", "192.0.2.140", SpfResult::Fail},
      {"v=spf1 mx -all", "192.0.2.129", SpfResult::Pass},
      {"v=spf1 mx -all", "192.0.2.130", SpfResult::Pass},
      {"v=spf1 mx -all", "192.0.2.140", SpfResult::Fail},
      {"v=spf1 mx:example.org -all", "192.0.2.140", SpfResult::Pass},
      {"v=spf1 mx mx:example.org -all", "192.0.2.129", SpfResult::Pass},
      {"v=spf1 mx mx:example.org -all", "192.0.2.140", SpfResult::Pass},
      {"v=spf1 mx mx:example.org -all", "192.0.2.10", SpfResult::Fail},
      {"v=spf1 mx/30 mx:example.org/30 -all", "192.0.2.131", SpfResult::Pass},
      {"v=spf1 mx/30 mx:example.org/30 -all", "192.0.2.143", SpfResult::Pass},
      {"v=spf1 mx/30 mx:example.org/30 -all", "192.0.2.132", SpfResult::Fail},
      {"v=spf1 ptr -all", "192.0.2.65", SpfResult::Pass},
      {"v=spf1 ptr -all", "192.0.2.140", SpfResult::Fail},
      {"v=spf1 ptr -all", "10.0.0.4", SpfResult::Fail},
      {"v=spf1 ip4:192.0.2.128/28 -all", "192.0.2.65", SpfResult::Fail},
      {"v=spf1 ip4:192.0.2.128/28 -all", "192.0.2.129", SpfResult::Pass},
  };
  for (const auto& row : rows) {
    FakeDns dns;
    appendix_a_zone(dns);
    dns.add_txt("example.com", row.record);
    INFO(row.record << " from " << row.ip);
    CHECK(check(dns, row.ip, "user@example.com").result == row.result);
  }
}

TEST_CASE("RFC 7208 Appendix A.3 DNSBL-style records", "[spf][rfc7208]") {
  FakeDns dns;
  appendix_a_zone(dns);
  dns.add_txt("example.com", "v=spf1 mx include:mobile-users._spf.%{d} include:remote-users._spf.%{d} -all");
  dns.add_txt("mobile-users._spf.example.com", "v=spf1 exists:%{l1r+}.%{d}");
  dns.add_txt("remote-users._spf.example.com", "v=spf1 exists:%{ir}.%{l1r+}.%{d}");
  dns.add_address("mary.mobile-users._spf.example.com", "127.0.0.2");
  dns.add_address("fred.mobile-users._spf.example.com", "127.0.0.2");
  dns.add_address("15.15.168.192.joel.remote-users._spf.example.com", "127.0.0.2");
  dns.add_address("16.15.168.192.joel.remote-users._spf.example.com", "127.0.0.2");
  CHECK(check(dns, "198.51.100.1", "mary@example.com").result == SpfResult::Pass);
  CHECK(check(dns, "198.51.100.1", "fred+news@example.com").result == SpfResult::Pass);
  CHECK(check(dns, "192.168.15.15", "joel@example.com").result == SpfResult::Pass);
  CHECK(check(dns, "192.168.15.16", "joel+x@example.com").result == SpfResult::Pass);
  CHECK(check(dns, "192.168.15.17", "joel@example.com").result == SpfResult::Fail);
  CHECK(check(dns, "192.0.2.129", "anyone@example.com").result == SpfResult::Pass);
}

TEST_CASE("the null reverse-path checks postmaster@HELO; the HELO identity alone", "[spf][helo]") {
  FakeDns dns;
  dns.add_txt("a.example", "v=spf1 ip4:192.0.2.10 -all");
  dns.add_txt("mail.a.example", "v=spf1 a -all");
  dns.add_address("mail.a.example", "192.0.2.10");
  auto bounce = check(dns, "192.0.2.10", "", "mail.a.example");
  CHECK(bounce.result == SpfResult::Pass);
  CHECK(bounce.sender == "postmaster@mail.a.example");
  CHECK(bounce.domain == "mail.a.example");
  CHECK(check(dns, "192.0.2.99", "", "mail.a.example").result == SpfResult::Fail);
  auto helo = check(dns, "192.0.2.10", "alice@elsewhere.example", "mail.a.example", SpfIdentity::Helo);
  CHECK(helo.result == SpfResult::Pass);
  CHECK(helo.identity == SpfIdentity::Helo);
  CHECK(check(dns, "192.0.2.10", "", "localhost").result == SpfResult::None);  // not multi-label
}

TEST_CASE("Received-SPF names the result, the client and quotes what the peer sent", "[spf][header]") {
  FakeDns dns;
  dns.add_txt("example.com", "v=spf1 ip4:192.0.2.1 -all");
  SpfRequest req;
  req.client_ip = "192.0.2.1";
  req.mail_from = "myname@example.com";
  req.helo = "foo.example.com";
  req.receiver = "mybox.example.org";
  SpfCheck c(dns, req);
  c.start([](const SpfOutcome&) {});
  CHECK(received_spf_value(c.outcome(), req) ==
        "pass (mybox.example.org: domain of myname@example.com designates 192.0.2.1 as "
        "permitted sender) receiver=mybox.example.org; client-ip=192.0.2.1; "
        "envelope-from=\"myname@example.com\"; helo=foo.example.com; identity=mailfrom; "
        "mechanism=\"ip4:192.0.2.1\";");
  req.helo = "evil\r\nX-Injected: yes";
  req.mail_from = "a\"b@example.com";
  auto v = received_spf_value(c.outcome(), req);
  CHECK(v.find('\r') == std::string::npos);
  CHECK(v.find('\n') == std::string::npos);
  CHECK(v.find("helo=\"evil??X-Injected: yes\";") != std::string::npos);
  CHECK(v.find("envelope-from=\"a\\\"b@example.com\";") != std::string::npos);
}

TEST_CASE("the check waits for answers and can be dropped while a lookup is out", "[spf][async]") {
  FakeDns dns;
  dns.set_deferred(true);
  dns.add_txt("example.com", "v=spf1 include:inc.example.com -all");
  dns.add_txt("inc.example.com", "v=spf1 a:host.example.com -all");
  dns.add_address("host.example.com", "192.0.2.5");
  SpfRequest req;
  req.client_ip = "192.0.2.5";
  req.mail_from = "x@example.com";
  req.helo = "h.example.com";
  int calls = 0;
  SpfCheck check1(dns, req);
  check1.start([&](const SpfOutcome& o) {
    ++calls;
    CHECK(o.result == SpfResult::Pass);
    CHECK(o.dns_terms == 2);
  });
  CHECK(calls == 0);
  CHECK_FALSE(check1.finished());
  dns.deliver();
  CHECK(calls == 1);
  CHECK(dns.queries() == std::vector<std::string>{"example.com/TXT", "inc.example.com/TXT", "host.example.com/A"});

  auto dropped = std::make_unique<SpfCheck>(dns, req);
  dropped->start([&](const SpfOutcome&) { ++calls; });
  dropped.reset();
  dns.deliver();  // the answer arrives after the check is gone: nothing happens
  CHECK(calls == 1);
}

TEST_CASE("a record parses into terms; syntax errors anywhere are found first", "[spf][record]") {
  auto p = parse_spf_record("v=spf1 ip4:192.0.2.0/24 a:mail.%{d2}/28//64 ~mx ?ptr:example.org exists:%{i}.bl.example "
                            "include:_spf.example.net redirect=_spf.example.com exp=why.%{d} other=%{h} -all");
  REQUIRE(p.record);
  const auto& r = *p.record;
  REQUIRE(r.mechanisms.size() == 7);
  CHECK(r.mechanisms[1].kind == SpfMechanismKind::A);
  CHECK(r.mechanisms[1].domain_spec == "mail.%{d2}");
  CHECK(r.mechanisms[1].cidr4 == 28);
  CHECK(r.mechanisms[1].cidr6 == 64);
  CHECK(r.mechanisms[2].qualifier == SpfResult::SoftFail);
  CHECK(r.mechanisms[3].qualifier == SpfResult::Neutral);
  CHECK(r.mechanisms[6].qualifier == SpfResult::Fail);
  CHECK(r.redirect == std::string("_spf.example.com"));
  CHECK(r.exp == std::string("why.%{d}"));
  CHECK(r.lookup_terms() == 6);
  CHECK_FALSE(parse_spf_record("v=spf1 -all ip4:1.2.3.4/33").record);
  CHECK_FALSE(parse_spf_record("v=spf1\t-all").record);
  CHECK_FALSE(is_spf_record("v=spf10 -all"));
  CHECK(is_spf_record("V=SPF1"));
}
