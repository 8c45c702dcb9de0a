// DMARC: records, the organizational domain from the lab's public suffix list, discovery
// at the author domain then the organizational domain, alignment, pct, and the
// Authentication-Results field that sums up SPF, DKIM and DMARC.
#include <catch2/catch.hpp>

#include "protocols/auth/authentication_results.hpp"
#include "protocols/auth/dmarc_check.hpp"
#include "protocols/auth/fake_dns.hpp"
#include "protocols/auth/public_suffix.hpp"

using namespace maillab::auth;

namespace {

DmarcOutcome run(FakeDns& dns, DmarcRequest req) {
  DmarcCheck c(dns, std::move(req));
  DmarcOutcome out;
  int calls = 0;
  c.start([&](const DmarcOutcome& o) {
    out = o;
    ++calls;
  });
  dns.deliver();
  REQUIRE(calls == 1);
  return out;
}

DmarcRequest request(const std::string& from, bool spf_pass, const std::string& spf_domain,
                     std::vector<std::string> dkim = {}, int sample = 0) {
  DmarcRequest r;
  r.from_domain = from;
  r.spf_pass = spf_pass;
  r.spf_domain = spf_domain;
  r.dkim_pass_domains = std::move(dkim);
  r.sample = sample;
  return r;
}

}  // namespace

TEST_CASE("organizational domains from the lab's public suffix list", "[dmarc][psl]") {
  CHECK(organizational_domain("mail.a.example") == "a.example");
  CHECK(organizational_domain("a.example") == "a.example");
  CHECK(organizational_domain("x.y.b.test") == "b.test");
  CHECK(organizational_domain("Mail.Example.COM.") == "example.com");
  CHECK(organizational_domain("a.b.example.co.uk") == "example.co.uk");
  CHECK(organizational_domain("www.example.com.au") == "example.com.au");
  CHECK(organizational_domain("host.unlisted-tld") == "host.unlisted-tld");  // default rule "*"
  CHECK(organizational_domain("co.uk") == "co.uk");
  CHECK(organizational_domain("com") == "com");
  CHECK(is_public_suffix("example"));
  CHECK_FALSE(is_public_suffix("a.example"));
}

TEST_CASE("DMARC records (RFC 7489 6.3, 6.4)", "[dmarc][record]") {
  auto r = parse_dmarc_record(
      "v=DMARC1; p=quarantine; sp=reject; pct=25; adkim=s; aspf=r; "
      "rua=mailto:dmarc-feedback@example.com,mailto:x@example.net!10m; ruf=mailto:f@example.com; fo=1:d; ri=3600");
  REQUIRE(r.record);
  CHECK(r.record->policy == DmarcPolicy::Quarantine);
  CHECK(r.record->subdomain_policy == DmarcPolicy::Reject);
  CHECK(r.record->percent == 25);
  CHECK(r.record->strict_dkim);
  CHECK_FALSE(r.record->strict_spf);
  CHECK(r.record->aggregate_reports ==
        std::vector<std::string>{"mailto:dmarc-feedback@example.com", "mailto:x@example.net!10m"});
  CHECK(r.record->failure_reports == std::vector<std::string>{"mailto:f@example.com"});
  CHECK(r.record->failure_options == std::vector<std::string>{"1", "d"});
  CHECK(r.record->report_interval == 3600);
  auto d = parse_dmarc_record("V=DMARC1;P=Reject");
  REQUIRE(d.record);
  CHECK(d.record->policy == DmarcPolicy::Reject);
  CHECK(d.record->percent == 100);
  CHECK_FALSE(parse_dmarc_record("v=DMARC1; p=bogus").record);
  auto rua_only = parse_dmarc_record("v=DMARC1; p=bogus; rua=mailto:r@example.com");
  REQUIRE(rua_only.record);  // 6.6.3: as p=none when reports are asked for
  CHECK(rua_only.record->policy == DmarcPolicy::None);
  CHECK_FALSE(parse_dmarc_record("v=DMARC2; p=none").record);
  CHECK_FALSE(is_dmarc_record("v=spf1 -all"));
}

TEST_CASE("discovery, alignment and disposition", "[dmarc][check]") {
  FakeDns dns;
  dns.set_deferred(true);
  dns.add_txt("_dmarc.a.example", "v=DMARC1; p=reject; sp=quarantine; pct=50; rua=mailto:r@a.example");
  dns.add_txt("_dmarc.strict.example", "v=DMARC1; p=reject; adkim=s; aspf=s");
  dns.add_txt("_dmarc.strict.example", "some other text record");
  dns.add_txt("_dmarc.two.example", "v=DMARC1; p=reject");
  dns.add_txt("_dmarc.two.example", "v=DMARC1; p=none");
  dns.set_timeout("_dmarc.slow.example");

  auto pass_spf = run(dns, request("a.example", true, "bounces.a.example"));
  CHECK(pass_spf.result == DmarcResult::Pass);
  CHECK(pass_spf.spf_aligned);
  CHECK(pass_spf.record_domain == "a.example");

  auto pass_dkim = run(dns, request("a.example", false, "evil.example", {"other.example", "mail.a.example"}));
  CHECK(pass_dkim.result == DmarcResult::Pass);
  CHECK(pass_dkim.dkim_aligned);
  CHECK_FALSE(pass_dkim.spf_aligned);

  auto forged = run(dns, request("a.example", true, "evil.example", {"evil.example"}, 10));
  CHECK(forged.result == DmarcResult::Fail);
  CHECK(forged.policy == DmarcPolicy::Reject);
  CHECK(forged.disposition == DmarcPolicy::Reject);  // sample 10 < pct 50
  auto unsampled = run(dns, request("a.example", false, "evil.example", {}, 50));
  CHECK(unsampled.disposition == DmarcPolicy::Quarantine);  // next policy down

  auto sub = run(dns, request("news.a.example", false, "", {}, 0));  // found at the org domain
  CHECK(sub.record_domain == "a.example");
  CHECK(sub.policy == DmarcPolicy::Quarantine);  // sp=
  CHECK(dns.queries().back() == "_dmarc.a.example/TXT");

  CHECK(run(dns, request("strict.example", true, "mail.strict.example")).result == DmarcResult::Fail);
  CHECK(run(dns, request("strict.example", true, "strict.example")).result == DmarcResult::Pass);
  CHECK(run(dns, request("nothing.example", true, "nothing.example")).result == DmarcResult::None);
  CHECK(run(dns, request("two.example", false, "")).result == DmarcResult::None);
  CHECK(run(dns, request("slow.example", false, "")).result == DmarcResult::TempError);
}

TEST_CASE("the author domain: exactly one From with one address", "[dmarc][from]") {
  using maillab::message::Message;
  auto domain = [](const std::string& headers) {
    return author_domain(Message::parse(headers + "\r\nbody\r\n"));
  };
  CHECK(domain("From: Alice <alice@A.Example>\r\n") == std::string("a.example"));
  CHECK(domain("From: \"Smith, <x@y.example>\" <bob@b.example> (comment@c.example)\r\n") ==
        std::string("b.example"));
  CHECK(domain("From: carol@c.example\r\n") == std::string("c.example"));
  CHECK_FALSE(domain("From: a@a.example, b@b.example\r\n"));
  CHECK_FALSE(domain("From: a@a.example\r\nFrom: b@b.example\r\n"));
  CHECK_FALSE(domain("To: a@a.example\r\n"));
  CHECK_FALSE(domain("From: nobody\r\n"));
  CHECK_FALSE(domain("From: x@evil\xff.example\r\n"));
}

TEST_CASE("Authentication-Results names the host and every result", "[dmarc][header]") {
  AuthResultsInput in;
  in.authserv_id = "mx.b.example";
  SpfOutcome spf;
  spf.result = SpfResult::Pass;
  spf.sender = "alice@a.example";
  spf.domain = "a.example";
  in.spf = spf;
  DkimVerification dkim;
  DkimSignatureResult sig;
  sig.result = DkimResult::Pass;
  sig.domain = "a.example";
  sig.selector = "s1";
  sig.identity = "@a.example";
  sig.algorithm = "rsa-sha256";
  sig.header_b = "AbC/dE+f";
  dkim.signatures.push_back(sig);
  in.dkim = dkim;
  DmarcOutcome dmarc;
  dmarc.result = DmarcResult::Pass;
  dmarc.from_domain = "a.example";
  dmarc.record = DmarcRecord{};
  dmarc.policy = DmarcPolicy::Reject;
  in.dmarc = dmarc;
  CHECK(authentication_results_value(in) ==
        "mx.b.example; spf=pass smtp.mailfrom=alice@a.example; dkim=pass header.d=a.example header.s=s1 "
        "header.a=rsa-sha256 header.b=\"AbC/dE+f\"; dmarc=pass (p=reject dis=none) header.from=a.example");

  in.spf->result = SpfResult::PermError;
  in.spf->problem = "more than 10 DNS-querying terms";
  in.spf->null_path = true;
  in.spf->sender = "postmaster@pc.evil.example";
  in.helo = "pc.evil.example\r\nX: y";
  in.dkim = DkimVerification{};
  in.dmarc.reset();
  auto v = authentication_results_value(in);
  CHECK(v == "mx.b.example; spf=permerror reason=\"more than 10 DNS-querying terms\" "
             "smtp.helo=\"pc.evil.example??X: y\"; dkim=none");
  AuthResultsInput nothing;
  nothing.authserv_id = "mx.b.example";
  CHECK(authentication_results_value(nothing) == "mx.b.example; none");
}

TEST_CASE("Authentication-Results read back: authserv-id, methods and results (RFC 8601 2.2)", "[auth][ar]") {
  using Entries = std::vector<std::pair<std::string, std::string>>;
  auto read = [](std::string_view v) {
    Entries out;
    auto parsed = parse_authentication_results(v);
    REQUIRE(parsed);
    for (const auto& e : parsed->results) out.emplace_back(e.method, e.result);
    return std::pair(parsed->authserv_id, out);
  };
  // What the lab writes reads back as written.
  auto [id, results] = read(
      "mx.b.example; spf=pass smtp.mailfrom=alice@a.example; dkim=pass header.d=a.example header.s=s1 "
      "header.a=rsa-sha256 header.b=\"AbC/dE+f\"; dmarc=pass (p=reject dis=none) header.from=a.example");
  CHECK(id == "mx.b.example");
  CHECK(results == Entries{{"spf", "pass"}, {"dkim", "pass"}, {"dmarc", "pass"}});
  // RFC 8601 appendix B's forms: a version, comments anywhere, method versions, quoted
  // reasons holding ';', upper case, folding, and "none".
  CHECK(read("example.com 1; (a comment; with a semicolon) SPF/1 = Pass (ok) smtp.mailfrom=x@y; "
             "dkim=fail reason=\"bad; sig\" header.d=y\r\n\tdmarc=none")
            .second == Entries{{"spf", "pass"}, {"dkim", "fail"}});
  CHECK(read("Example.COM; none").second.empty());
  CHECK(read("mx.b.example; dkim=none; dkim=temperror (key lookup) header.d=a.example").second ==
        Entries{{"dkim", "none"}, {"dkim", "temperror"}});
  CHECK_FALSE(parse_authentication_results(""));
  CHECK_FALSE(parse_authentication_results("; spf=pass"));
  CHECK_FALSE(parse_authentication_results("mx; spf"));
  CHECK_FALSE(parse_authentication_results("mx; spf=pass (unclosed"));
  CHECK_FALSE(parse_authentication_results("mx; spf=\"pass"));
}
