// `maillab check` against our own lab on loopback (every MUST passes, the dot-stuffing
// round trip compares bytes) and against small deliberately broken servers (their MUSTs
// FAIL, exit 1); the URL parser; the binary's exit codes.
#include <sys/wait.h>

#include <sstream>

#include "check_fixture.hpp"
#include "protocols/dns/message.hpp"

using namespace maillab;
using namespace maillab::bridge::test;
using namespace maillab::check::test;

TEST_CASE("check URLs: schemes, default ports, IPv6, userinfo percent-decoding") {
  auto s = url("smtp://127.0.0.1");
  CHECK(s.scheme == check::Url::Scheme::Smtp);
  CHECK(s.port == 25);
  auto p = url("pop3://bob%40b.example:p%3Ass%25@[::1]:1110");
  CHECK(p.scheme == check::Url::Scheme::Pop3);
  CHECK(p.user == "bob@b.example");
  CHECK(p.password == "p:ss%");
  CHECK(p.host == "::1");
  CHECK(p.port == 1110);
  CHECK(p.authority() == "[::1]:1110");
  auto d = url("dns://localhost/b.example");
  CHECK(d.port == 53);
  CHECK(d.host == "localhost");
  CHECK(d.path == "b.example");
  CHECK(url("pop3://h").port == 110);

  std::string error;
  for (const char* bad : {"127.0.0.1:25", "http://x", "smtp://", "smtp://h:0", "smtp://h:65536", "smtp://h:x",
                          "smtp://[::1", "smtp://[::1]x", "dns://127.0.0.1", "pop3://u:%zz@h", "smtp://h/path",
                          "smtp://h:", "smtp://a b"}) {
    INFO(bad);
    CHECK_FALSE(check::parse_url(bad, &error));
    CHECK_FALSE(error.empty());
  }
}

TEST_CASE("report: closing line, exit code, markdown") {
  check::Report r;
  r.add("a", "1 2", check::Level::Must, check::Result::pass("250 ok"));
  r.add("b", "3", check::Level::Should, check::Result::fail("500 | bad\r\nsecond"));
  r.add("c", "4", check::Level::May, check::Result::warn("x"));
  r.add("d", "5", check::Level::Must, check::Result::skip("why"));
  CHECK(r.summary() == "1 passed, 1 failed (0 MUST), 1 warnings, 1 skipped");
  CHECK(r.exit_code() == 0);
  CHECK(r.rows()[1].result.said == "500 | bad second");
  std::ostringstream md;
  r.print_markdown(md);
  CHECK(md.str().find("| b | 3 | SHOULD | **FAIL** | `500 \\| bad second` |") != std::string::npos);
  r.add("e", "6", check::Level::Must, check::Result::fail("no"));
  CHECK(r.exit_code() == 1);
  CHECK(r.summary() == "1 passed, 2 failed (1 MUST), 1 warnings, 1 skipped");
}

TEST_CASE("every MUST passes against the lab's SMTP, POP3 and DNS; the dot-stuffing round trip") {
  bridge::ServeOptions o;
  o.listen.push_back(listen_on("mx.b.example", scenario::Service::Smtp));
  o.listen.push_back(listen_on("mx.b.example", scenario::Service::Pop3));
  o.listen.push_back(listen_on("ns.example", scenario::Service::Dns));
  o.listen.push_back(listen_on("mx.b.example", scenario::Service::Submission));
  Lab lab(kLabYaml, o);
  const std::string smtp = "smtp://127.0.0.1:" + std::to_string(lab.port(0));
  const std::string pop3 = "pop3://bob:builder@127.0.0.1:" + std::to_string(lab.port(1));

  SECTION("SMTP with --rcpt and --fetch") {
    auto opt = options();
    opt.rcpt = "bob@b.example";
    auto fetch = url(pop3);
    auto r = check::check_smtp(url(smtp), opt, &fetch);
    require_no_must_failure(r);
    for (const char* name : {"greeting 220", "EHLO 250, keywords parse", "unknown command -> 500, session goes on",
                             "RCPT before MAIL -> 503", "RSET 250, clears the transaction", "998-octet line accepted",
                             "dot-stuffing transaction", "dot-stuffing round trip (--fetch)", "QUIT 221, then close",
                             "PIPELINING: replies in order", "enhanced status codes", "Postmaster accepted",
                             "DSN parameters accepted", "command line of 512 octets accepted"}) {
      INFO(name << ": " << row(r, name).result.said);
      CHECK(row(r, name).result.outcome == check::Outcome::Pass);
    }
    CHECK(row(r, "dot-stuffing round trip (--fetch)").result.said.find("body identical") != std::string::npos);
  }

  SECTION("submission with --user/--password: checked past AUTH") {
    auto opt = options();
    opt.user = "bob";
    opt.password = "builder";
    opt.from = "bob@b.example";
    opt.rcpt = "bob@b.example";
    auto r = check::check_smtp(url("smtp://127.0.0.1:" + std::to_string(lab.port(3))), opt, nullptr);
    require_no_must_failure(r);
    for (const char* name : {"AUTH (--user/--password)", "MAIL FROM:<> accepted", "RSET 250, clears the transaction",
                             "Postmaster accepted", "998-octet line accepted", "dot-stuffing transaction"}) {
      INFO(name << ": " << row(r, name).result.said);
      CHECK(row(r, name).result.outcome == check::Outcome::Pass);
    }
  }

  SECTION("SMTP without --rcpt: the transaction checks skip with a reason") {
    auto r = check::check_smtp(url(smtp), options(), nullptr);
    require_no_must_failure(r);
    CHECK(row(r, "998-octet line accepted").result.outcome == check::Outcome::Skip);
    CHECK(row(r, "998-octet line accepted").result.said.find("--rcpt") != std::string::npos);
  }

  SECTION("POP3, with a message seeded by SMTP") {
    TestClient c(lab.port(0));
    REQUIRE(c.reply().rfind("220", 0) == 0);
    REQUIRE(c.cmd("EHLO seed.example").rfind("250", 0) == 0);
    REQUIRE(c.cmd("MAIL FROM:<alice@a.example>").rfind("250", 0) == 0);
    REQUIRE(c.cmd("RCPT TO:<bob@b.example>").rfind("250", 0) == 0);
    REQUIRE(c.cmd("DATA").rfind("354", 0) == 0);
    REQUIRE(c.cmd("Subject: seed\r\n\r\n.starts with a dot\r\nbody\r\n.").rfind("250", 0) == 0);
    c.cmd("QUIT");
    REQUIRE(lab.wait_for([&] { return lab.world().deliveries().size() >= 1; }));

    auto r = check::check_pop3(url(pop3), options());
    require_no_must_failure(r);
    for (const char* name : {"USER/PASS -> +OK", "APOP with the password", "RETR 1 terminated, unstuffed",
                             "TOP 1 0: headers only", "DELE then RSET undeletes", "no QUIT: nothing deleted",
                             "wrong password -> -ERR", "LIST terminated, matches STAT", "QUIT +OK"}) {
      INFO(name << ": " << row(r, name).result.said);
      CHECK(row(r, name).result.outcome == check::Outcome::Pass);
    }
    // Nothing was deleted by the probe.
    auto again = check::check_pop3(url(pop3), options());
    CHECK(row(again, "STAT '+OK n size'").result.said.rfind("+OK 1 ", 0) == 0);
  }

  SECTION("DNS") {
    auto opt = options();
    opt.name = "mx.b.example";
    auto r = check::check_dns(url("dns://127.0.0.1:" + std::to_string(lab.port(2)) + "/b.example"), opt);
    require_no_must_failure(r);
    for (const char* name : {"SOA answered, AA set", "ID and question echoed", "MX answered",
                             "MX targets have addresses", "NXDOMAIN carries the SOA", "NODATA carries the SOA",
                             "SOA over TCP", "malformed query -> FORMERR/silence", "--name resolves",
                             "question case kept (0x20)", "EDNS(0) answered", "EDNS version 1 -> BADVERS",
                             "AXFR over TCP"}) {
      INFO(name << ": " << row(r, name).result.said);
      CHECK(row(r, name).result.outcome == check::Outcome::Pass);
    }
  }
}

TEST_CASE("an SMTP server answering 250 to everything fails the unknown-command MUST") {
  FakeSmtpServer fake;
  std::ostringstream out, err;
  check::Options opt = options();
  opt.url = "smtp://127.0.0.1:" + std::to_string(fake.port());
  CHECK(check::run(opt, out, err) == 1);
  INFO(out.str());
  CHECK(out.str().find("unknown command -> 500") != std::string::npos);
  // With --rcpt: the fake serves one connection at a time, so the probe's raw connection
  // must be closed before the engine's transactions; the content arrives dot-stuffed.
  opt.rcpt = "bob@b.example";
  auto r = check::check_smtp(url(opt.url), opt, nullptr);
  INFO(table(r));
  CHECK(row(r, "unknown command -> 500, session goes on").result.outcome == check::Outcome::Fail);
  CHECK(row(r, "RCPT before MAIL -> 503").result.outcome == check::Outcome::Fail);
  CHECK(row(r, "greeting 220").result.outcome == check::Outcome::Pass);
  CHECK(row(r, "dot-stuffing transaction").result.outcome == check::Outcome::Pass);
  CHECK(row(r, "998-octet line accepted").result.outcome == check::Outcome::Pass);
  bool stuffed = false;
  for (const auto& m : fake.messages())
    stuffed = stuffed || m.find("\r\n..\r\n...\r\n..leading dot\r\n....three\r\n.. \r\n..\r\nend\r\n") !=
                             std::string::npos;
  CHECK(stuffed);
}

TEST_CASE("a 554 greeting fails the first MUST and the rest skip") {
  FakeTcp fake([](int fd) {
    Lines io{fd, {}};
    io.say("554 5.7.1 no service for you\r\n");
    while (auto l = io.line()) {
      if (upper_verb(*l) == "QUIT") {
        io.say("221 2.0.0 bye\r\n");
        return;
      }
      io.say("503 5.5.1 go away\r\n");
    }
  });
  auto r = check::check_smtp(url("smtp://127.0.0.1:" + std::to_string(fake.port())), options(), nullptr);
  CHECK(r.rows().front().result.outcome == check::Outcome::Fail);
  CHECK(r.rows().front().result.said.rfind("554 5.7.1", 0) == 0);
  CHECK(r.count(check::Outcome::Skip) == r.rows().size() - 1);
  CHECK(r.exit_code() == 1);
}

TEST_CASE("an unreachable server: the first check fails with the socket error") {
  auto r = check::check_pop3(url("pop3://u:p@127.0.0.1:1"), options());
  CHECK(r.rows().front().result.outcome == check::Outcome::Fail);
  CHECK(r.rows().front().result.said.find("refused") != std::string::npos);
  CHECK(r.count(check::Outcome::Skip) == r.rows().size() - 1);
  CHECK(r.exit_code() == 1);
}

TEST_CASE("a POP3 server that deletes on disconnect fails RFC 1939 6") {
  std::mutex mu;
  std::vector<std::string> maildrop{"Subject: one\r\n\r\nbody one\r\n", "Subject: two\r\n\r\nbody two\r\n"};
  FakeTcp fake([&](int fd) {
    Lines io{fd, {}};
    io.say("+OK fake POP3\r\n");
    std::lock_guard<std::mutex> g(mu);
    std::set<std::size_t> deleted;
    bool authed = false;
    std::string user;
    auto live = [&] {
      std::vector<std::size_t> v;
      for (std::size_t i = 0; i < maildrop.size(); ++i)
        if (!deleted.count(i)) v.push_back(i);
      return v;
    };
    auto msg = [&](const std::string& arg) -> std::optional<std::size_t> {
      std::size_t n = static_cast<std::size_t>(std::atoi(arg.c_str()));
      if (n == 0 || n > maildrop.size() || deleted.count(n - 1)) return std::nullopt;
      return n - 1;
    };
    while (auto l = io.line()) {
      const std::string verb = upper_verb(*l);
      const std::string arg = l->find(' ') == std::string::npos ? "" : l->substr(l->find(' ') + 1);
      if (verb == "QUIT") {
        io.say("+OK bye\r\n");
        break;
      }
      if (!authed) {
        if (verb == "USER") user = arg, io.say("+OK\r\n");
        else if (verb == "PASS" && user == "u" && arg == "p") authed = true, io.say("+OK logged in\r\n");
        else io.say("-ERR no\r\n");
        continue;
      }
      if (verb == "STAT") {
        std::size_t size = 0;
        for (auto i : live()) size += maildrop[i].size();
        io.say("+OK " + std::to_string(live().size()) + " " + std::to_string(size) + "\r\n");
      } else if (verb == "LIST" || verb == "UIDL") {
        std::string body = "+OK\r\n";
        for (auto i : live())
          body += std::to_string(i + 1) + " " + (verb == "LIST" ? std::to_string(maildrop[i].size()) : "uid" + maildrop[i].substr(9, 3)) + "\r\n";
        io.say(body + ".\r\n");
      } else if (verb == "RETR" && msg(arg)) {
        io.say("+OK\r\n" + maildrop[*msg(arg)] + ".\r\n");
      } else if (verb == "DELE" && msg(arg)) {
        deleted.insert(*msg(arg));
        io.say("+OK deleted\r\n");
      } else if (verb == "RSET") {
        deleted.clear();
        io.say("+OK\r\n");
      } else if (verb == "NOOP") {
        io.say("+OK\r\n");
      } else {
        io.say("-ERR unknown\r\n");
      }
    }
    // The bug: deletions are committed whether or not QUIT came.
    std::vector<std::string> kept;
    for (auto i : live()) kept.push_back(maildrop[i]);
    maildrop = kept;
  });
  auto r = check::check_pop3(url("pop3://u:p@127.0.0.1:" + std::to_string(fake.port())), options());
  INFO(table(r));
  CHECK(row(r, "USER/PASS -> +OK").result.outcome == check::Outcome::Pass);
  CHECK(row(r, "RETR 1 terminated, unstuffed").result.outcome == check::Outcome::Pass);
  CHECK(row(r, "no QUIT: nothing deleted").result.outcome == check::Outcome::Fail);
  CHECK(r.exit_code() == 1);
}

TEST_CASE("a DNS server replying with the wrong ID fails RFC 1035 4.1.1") {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  const std::uint16_t port = ntohs(a.sin_port);
  std::atomic<bool> stop{false};
  std::thread t([&] {
    while (!stop) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      char buf[2048];
      sockaddr_in from{};
      socklen_t fl = sizeof from;
      ssize_t n = ::recvfrom(fd, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &fl);
      if (n <= 0) continue;
      auto q = dns::decode(std::string_view(buf, static_cast<std::size_t>(n)));
      if (!q.ok()) continue;
      dns::Message reply = dns::make_reply(q.message);
      reply.id = static_cast<std::uint16_t>(q.message.id + 1);  // the bug
      reply.aa = true;
      reply.answers.push_back(dns::ResourceRecord::soa("b.example", 60, {"ns.example", "h.b.example", 1, 2, 3, 4, 5}));
      const std::string w = dns::encode(reply);
      ::sendto(fd, w.data(), w.size(), 0, reinterpret_cast<sockaddr*>(&from), fl);
    }
  });
  auto r = check::check_dns(url("dns://127.0.0.1:" + std::to_string(port) + "/b.example"),
                            options(std::chrono::milliseconds(3000)));
  stop = true;
  t.join();
  ::close(fd);
  INFO(table(r));
  CHECK(row(r, "SOA answered, AA set").result.outcome == check::Outcome::Pass);
  CHECK(row(r, "ID and question echoed").result.outcome == check::Outcome::Fail);
  CHECK(row(r, "ID and question echoed").result.said.find("reply ID") != std::string::npos);
  // It also lowercases the question (DNS 0x20) and ignores EDNS.
  CHECK(row(r, "question case kept (0x20)").result.outcome == check::Outcome::Fail);
  CHECK(row(r, "EDNS(0) answered").result.outcome == check::Outcome::Warn);
  CHECK(row(r, "EDNS version 1 -> BADVERS").result.outcome == check::Outcome::Skip);
  CHECK(r.exit_code() == 1);
}

namespace {
std::pair<int, std::string> shell(const std::string& command) {
  std::string out;
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  REQUIRE(p);
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int status = ::pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}
}  // namespace

TEST_CASE("maillab check: exit 1 when nothing listens, 2 for a bad URL") {
  auto [rc, out] = shell(std::string(MAILLAB_BINARY) + " check smtp://127.0.0.1:1 --timeout 2");
  INFO(out);
  CHECK(rc == 1);
  CHECK(out.find("greeting 220") != std::string::npos);
  CHECK(out.find("0 passed, 1 failed (1 MUST), 0 warnings, 23 skipped") != std::string::npos);
  std::tie(rc, out) = shell(std::string(MAILLAB_BINARY) + " check ftp://127.0.0.1");
  CHECK(rc == 2);
  CHECK(out.find("unknown scheme") != std::string::npos);
  std::tie(rc, out) = shell(std::string(MAILLAB_BINARY) + " check dns://127.0.0.1:1");
  CHECK(rc == 2);
  std::tie(rc, out) = shell(std::string(MAILLAB_BINARY) + " check smtp://127.0.0.1:1 --format html");
  CHECK(rc == 2);
}
