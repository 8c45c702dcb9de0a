// The APOP row of `maillab check pop3://...` against a scripted POP3 server (RFC 1939 7):
// a greeting with a timestamp and the right digest passes, a refused digest fails (a
// SHOULD: an APOP secret may differ from the password), no timestamp or no credentials
// skip with the reason; --user/--password stand for USER:PASS in the URL.
#include "check_fixture.hpp"
#include "protocols/pop3/md5.hpp"

using namespace maillab;
using namespace maillab::check::test;

namespace {

// A maildrop of one user with an empty mailbox; APOP checks MD5(timestamp + secret).
FakeTcp apop_server(std::string greeting, std::string secret, std::atomic<int>* apop_ok) {
  return FakeTcp([greeting, secret, apop_ok](int fd) {
    Lines io{fd, {}};
    const std::string ts = greeting.find('<') == std::string::npos ? "" : greeting.substr(greeting.find('<'));
    io.say("+OK " + greeting + "\r\n");
    bool authed = false;
    while (auto l = io.line()) {
      const std::string verb = upper_verb(*l);
      if (verb == "QUIT") {
        io.say("+OK bye\r\n");
        return;
      }
      if (verb == "APOP" && !ts.empty()) {
        const bool ok = *l == "APOP bob " + pop3::Md5::hex(ts + secret);
        if (ok) ++*apop_ok;
        io.say(ok ? "+OK maildrop ready\r\n" : "-ERR [AUTH] invalid user name or digest\r\n");
      } else if (verb == "USER") {
        io.say("+OK\r\n");
      } else if (verb == "PASS") {
        authed = *l == "PASS builder";
        io.say(authed ? "+OK logged in\r\n" : "-ERR [AUTH] no\r\n");
      } else if (authed && verb == "STAT") {
        io.say("+OK 0 0\r\n");
      } else if (authed && (verb == "LIST" || verb == "UIDL")) {
        io.say("+OK\r\n.\r\n");
      } else if (authed && verb == "NOOP") {
        io.say("+OK\r\n");
      } else {
        io.say("-ERR no\r\n");
      }
    }
  });
}

check::Row apop_row(std::uint16_t port, const std::string& userinfo, check::Options opt = options()) {
  auto r = check::check_pop3(url("pop3://" + userinfo + "127.0.0.1:" + std::to_string(port)), opt);
  INFO(table(r));
  return row(r, "APOP with the password");
}

}  // namespace

TEST_CASE("APOP: the digest of the greeting's timestamp and the password") {
  std::atomic<int> ok{0};
  SECTION("the server's secret is the password: pass") {
    auto server = apop_server("ready <4711.1700000000@pop.example>", "builder", &ok);
    auto r = apop_row(server.port(), "bob:builder@");
    CHECK(r.result.outcome == check::Outcome::Pass);
    CHECK(r.result.said.find("<4711.1700000000@pop.example>") != std::string::npos);
    CHECK(ok == 1);
  }
  SECTION("refused (the lab before issue 16 item 1): a SHOULD failure") {
    auto server = apop_server("ready <4711.1700000000@pop.example>", "another secret", &ok);
    auto r = apop_row(server.port(), "bob:builder@");
    CHECK(r.result.outcome == check::Outcome::Fail);
    CHECK(r.level == check::Level::Should);
    CHECK(r.result.said.rfind("-ERR [AUTH] invalid user name or digest", 0) == 0);
  }
  SECTION("no timestamp: APOP is not offered") {
    auto server = apop_server("Dovecot ready.", "builder", &ok);
    auto r = apop_row(server.port(), "bob:builder@");
    CHECK(r.result.outcome == check::Outcome::Skip);
    CHECK(r.result.said == "no timestamp in the greeting: APOP not offered");
  }
  SECTION("no credentials: skipped, nothing sent") {
    auto server = apop_server("ready <1.2@pop.example>", "builder", &ok);
    auto r = apop_row(server.port(), "");
    CHECK(r.result.outcome == check::Outcome::Skip);
    CHECK(ok == 0);
  }
  SECTION("--user/--password instead of USER:PASS in the URL") {
    auto server = apop_server("ready <4711.1700000000@pop.example>", "builder", &ok);
    check::Options o = options();
    o.url = "pop3://127.0.0.1:" + std::to_string(server.port());
    o.user = "bob";
    o.password = "builder";
    std::ostringstream out, err;
    CHECK(check::run(o, out, err) == 0);
    INFO(out.str());
    CHECK(out.str().find("APOP with the password") != std::string::npos);
    CHECK(ok == 1);
  }
}
