#include <catch2/catch.hpp>

#include "protocols/smtp/esmtp_param.hpp"
#include "protocols/smtp/mail_params.hpp"
#include "protocols/smtp/rcpt_params.hpp"

using namespace maillab::smtp;

TEST_CASE("MailParams::parse reads SIZE, BODY, RET, ENVID, AUTH", "[smtp][params]") {
  ParamSupport all;
  all.auth = true;
  MailParams p;
  REQUIRE_FALSE(MailParams::parse(" SIZE=12345 body=8bitmime RET=HDRS ENVID=QQ+2B1 AUTH=bob+40example.org", all, p));
  CHECK(p.size == 12345u);
  CHECK(p.body == Body::EightBitMime);
  CHECK(p.ret == DsnRet::Hdrs);
  CHECK(p.envid == "QQ+1");
  CHECK(p.auth == "bob@example.org");
  CHECK(p.wire(all) == " SIZE=12345 BODY=8BITMIME RET=HDRS ENVID=QQ+2B1 AUTH=bob@example.org");
  MailParams again;
  REQUIRE_FALSE(MailParams::parse(p.wire(all), all, again));
  CHECK(again == p);
  REQUIRE_FALSE(MailParams::parse("", all, p));
  CHECK(p == MailParams{});
  REQUIRE_FALSE(MailParams::parse(" AUTH=<>  BODY=7BIT", all, p));
  CHECK(p.auth == "<>");
  CHECK(p.body == Body::SevenBit);
}

TEST_CASE("MailParams::parse errors: 555 unsupported, 501 bad value", "[smtp][params]") {
  ParamSupport all;
  all.auth = true;
  ParamSupport no_ext;
  no_ext.body = no_ext.dsn = no_ext.auth = false;
  ParamSupport helo;
  helo.esmtp = false;
  struct Case {
    const char* text;
    const ParamSupport* support;
    int code;
  } cases[] = {
      {" FOO=bar", &all, 555},
      {" SMTPUTF8", &all, 555},
      {" BODY=8BITMIME", &no_ext, 555},
      {" RET=FULL", &no_ext, 555},
      {" AUTH=<>", &no_ext, 555},
      {" SIZE=10", &helo, 555},  // parameters need EHLO
      {" SIZE=abc", &all, 501},
      {" SIZE", &all, 501},
      {" SIZE=99999999999999999999999", &all, 501},
      {" SIZE=1 SIZE=2", &all, 501},
      {" BODY=BINARYMIME", &all, 501},
      {" RET=ALL", &all, 501},
      {" ENVID=a+zz", &all, 501},
      {" ENVID=" "12345678901234567890123456789012345678901234567890"
       "123456789012345678901234567890123456789012345678901", &all, 501},
      {"SIZE=1", &all, 501},      // no space after '>'
      {" =x", &all, 501},
      {" -X=1", &all, 501},
      {" X=a=b", &all, 501},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    MailParams p;
    auto err = MailParams::parse(c.text, *c.support, p);
    REQUIRE(err);
    CHECK(err->code == c.code);
    CHECK(err->enhanced == "5.5.4");
  }
}

TEST_CASE("RcptParams::parse reads NOTIFY and ORCPT", "[smtp][params]") {
  ParamSupport all;
  RcptParams p;
  REQUIRE_FALSE(RcptParams::parse(" NOTIFY=success,Delay ORCPT=RFC822;bob+2Bx@example.org", all, p));
  CHECK(p.notify == (RcptParams::notify_success | RcptParams::notify_delay));
  CHECK(p.orcpt_type == "rfc822");
  CHECK(p.orcpt == "bob+x@example.org");
  CHECK(p.wire(all) == " NOTIFY=SUCCESS,DELAY ORCPT=rfc822;bob+2Bx@example.org");
  REQUIRE_FALSE(RcptParams::parse(" NOTIFY=NEVER", all, p));
  CHECK(p.notify == RcptParams::notify_never);
  CHECK(p.wire(all) == " NOTIFY=NEVER");
  ParamSupport no_dsn;
  no_dsn.dsn = false;
  CHECK(p.wire(no_dsn).empty());

  for (const char* bad : {" NOTIFY=NEVER,SUCCESS", " NOTIFY=SOMETIMES", " NOTIFY=", " NOTIFY=FAILURE,FAILURE",
                          " ORCPT=bob@example.org", " ORCPT=;x", " ORCPT=rfc822;", " NOTIFY=NEVER NOTIFY=NEVER"}) {
    INFO(bad);
    auto err = RcptParams::parse(bad, all, p);
    REQUIRE(err);
    CHECK(err->code == 501);
  }
  auto err = RcptParams::parse(" NOTIFY=NEVER", no_dsn, p);
  REQUIRE(err);
  CHECK(err->summary() == "555 5.5.4 Unsupported option: NOTIFY=NEVER");
  err = RcptParams::parse(" XYZ", all, p);
  REQUIRE(err);
  CHECK(err->code == 555);
}

TEST_CASE("xtext round trip (RFC 3461 4)", "[smtp][params]") {
  CHECK(xtext_encode("a+b=c d\x01") == "a+2Bb+3Dc+20d+01");
  CHECK(xtext_decode("a+2Bb+3Dc+20d+01") == std::string("a+b=c d\x01"));
  CHECK_FALSE(xtext_decode("a+2"));
  CHECK_FALSE(xtext_decode("a+2b"));  // upper-case hex only
  CHECK_FALSE(xtext_decode("a=b"));
  CHECK_FALSE(xtext_decode("a b"));
}
