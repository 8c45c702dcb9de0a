// `maillab check` over TLS: smtps, pop3s, imaps and STARTTLS against the lab's own servers
// (a `tls` host, its CA written as --cafile), an expired and a wrong-name certificate
// failing their rows, no --cafile as a warning, and a scripted STARTTLS server that answers
// the command pipelined behind STARTTLS (CVE-2011-0411) or offers AUTH in clear.
#include <ctime>
#include <fstream>
#include <sstream>

#include "check_fixture.hpp"

#include "bridge/check/tls_probe.hpp"
#include "protocols/tls/certificate_authority.hpp"
#include "protocols/tls/session.hpp"

using namespace maillab;
using namespace maillab::bridge::test;
using namespace maillab::check::test;

namespace {

const std::string kTlsLab = R"(scenario: check-tls-lab
title: maillab check over TLS
duration: 1d
hosts:
  mx.b.example:
    address: 192.0.2.20
    tls: {names: [localhost, mx.b.example]}
    mta:
      domains: [b.example]
      mynetworks: [127.0.0.0/8]
      submission: true
      smtps: true
    pop3: true
    pop3s: true
    imap: true
    imaps: true
    users:
      bob: {password: builder}
  old.b.example:
    address: 192.0.2.21
    tls: {names: [localhost], certificate: expired}
    mta:
      domains: [c.example]
      smtps: true
  wrong.b.example:
    address: 192.0.2.22
    tls: {names: [localhost], certificate: wrong-name}
    mta:
      domains: [d.example]
      smtps: true
  plain.b.example:
    address: 192.0.2.23
    mta:
      domains: [e.example]
)";

struct TlsLab {
  TlsLab() : lab(kTlsLab, listeners(), world_options()) {
    std::ofstream(cafile) << lab.world().tls_ca_pem();
  }
  ~TlsLab() { std::remove(cafile.c_str()); }
  static bridge::ServeOptions listeners() {
    bridge::ServeOptions o;
    using S = scenario::Service;
    for (auto [host, s] : std::initializer_list<std::pair<const char*, S>>{
             {"mx.b.example", S::Smtps}, {"mx.b.example", S::Submission}, {"mx.b.example", S::Pop3s},
             {"mx.b.example", S::Pop3}, {"mx.b.example", S::Imaps}, {"mx.b.example", S::Imap},
             {"old.b.example", S::Smtps}, {"wrong.b.example", S::Smtps}, {"plain.b.example", S::Smtp}})
      o.listen.push_back(listen_on(host, s));
    return o;
  }
  static scenario::WorldOptions world_options() {
    scenario::WorldOptions w;
    w.system_random = true;  // as serve: real sockets
    return w;
  }
  std::string at(const std::string& scheme, std::size_t i, const std::string& userinfo = "") const {
    return scheme + "://" + userinfo + "localhost:" + std::to_string(const_cast<Lab&>(lab).port(i));
  }
  Lab lab;
  std::string cafile = "/tmp/maillab-check-tls-ca-" + std::to_string(::getpid()) + ".pem";
};

// check::run's rows and exit code, parsed from its table.
struct Run {
  int code = -1;
  std::string out, err;
  // The result column and what was said of the row named `name` ("" when absent).
  std::string row(const std::string& name) const {
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);)
      if (line.rfind(name + "  ", 0) == 0) return line;
    return "";
  }
};

Run run_check(const std::string& url, const std::string& cafile, bool starttls = false,
              const std::string& user = "", const std::string& password = "") {
  auto opt = options(std::chrono::milliseconds(5000));
  opt.url = url;
  opt.cafile = cafile;
  opt.starttls = starttls;
  opt.user = user;
  opt.password = password;
  std::ostringstream out, err;
  Run r;
  r.code = check::run(opt, out, err);
  r.out = out.str();
  r.err = err.str();
  return r;
}

bool has(const std::string& row, const std::string& what) { return row.find(what) != std::string::npos; }

// The TLS rows alone (what run() puts first), without the protocol's rows.
Run tls_rows(const std::string& text, const std::string& cafile, bool starttls = false) {
  auto u = url(text);
  if (starttls) u.tls = check::Url::Tls::Required;
  std::string error;
  u.tls_setup = check::make_tls_setup(cafile, &error);
  INFO(error);
  REQUIRE(u.tls_setup);
  auto opt = options(std::chrono::milliseconds(5000));
  opt.cafile = cafile;
  auto report = check::check_tls(u, opt);
  Run r;
  r.out = table(report);
  r.code = report.exit_code();
  return r;
}

}  // namespace

TEST_CASE("check over TLS: smtps, pop3s, imaps and STARTTLS against the lab pass every MUST") {
  TlsLab t;
  // SMTP's protocol rows take a while (the lab sleeps after each error reply, as Postfix's
  // smtpd_error_sleep_time): they run once, in the next test.
  for (const auto& [url, starttls, full] : std::initializer_list<std::tuple<std::string, bool, bool>>{
           {t.at("smtps", 0), false, false},
           {t.at("smtp", 1), true, false},
           {t.at("pop3s", 2, "bob:builder@"), false, true},
           {t.at("pop3", 3, "bob:builder@"), true, true},
           {t.at("imaps", 4, "bob:builder@"), false, true},
           {t.at("imap", 5, "bob:builder@"), true, true}}) {
    auto r = full ? run_check(url, t.cafile, starttls) : tls_rows(url, t.cafile, starttls);
    INFO(url << (starttls ? " --starttls" : "") << "\n" << r.out << r.err);
    CHECK(r.code == 0);
    CHECK(has(r.row("TLS handshake (TLS 1.2 or 1.3)"), "pass    TLSv1.3"));
    CHECK(has(r.row("TLS 1.0 and 1.1 refused"), "pass"));
    CHECK(has(r.row("certificate names match the host"), "pass    localhost matches localhost"));
    CHECK(has(r.row("certificate dates valid"), "pass"));
    CHECK(has(r.row("certificate chain verified"), "pass    chains to --cafile"));
    if (starttls) {
      CHECK(has(r.row(url.rfind("pop3", 0) == 0 ? "STLS offered and accepted" : "STARTTLS offered and accepted"), "pass"));
      CHECK(has(r.out, "discarded"));
      CHECK(has(r.out, "pass    the injected command got no answer"));
    } else {
      CHECK_FALSE(has(r.out, "discarded"));
    }
    if (full) CHECK(has(r.out, " 0 failed (0 MUST)"));
  }
}

TEST_CASE("check over TLS: the protocol rows run inside TLS (AUTH after STARTTLS, LOGIN over imaps)") {
  TlsLab t;
  auto sub = run_check(t.at("smtp", 1), t.cafile, true, "bob", "builder");
  INFO(sub.out);
  CHECK(has(sub.row("AUTH only after STARTTLS"), "pass    AUTH PLAIN"));
  CHECK(has(sub.row("AUTH (--user/--password)"), "pass    235"));
  CHECK(has(sub.row("EHLO 250, keywords parse"), "AUTH"));  // the EHLO inside TLS
  CHECK(sub.code == 0);
  auto imap = run_check(t.at("imaps", 4, "bob:builder@"), t.cafile);
  INFO(imap.out);
  CHECK(has(imap.row("LOGIN -> OK"), "pass"));
  CHECK(has(imap.out, " 0 failed (0 MUST)"));
}

TEST_CASE("check over TLS: an expired or wrong-name certificate fails its row; no --cafile warns") {
  TlsLab t;
  auto old = tls_rows(t.at("smtps", 6), t.cafile);
  INFO(old.out);
  CHECK(has(old.row("certificate dates valid"), "FAIL    expired on "));
  CHECK(has(old.row("certificate chain verified"), "pass"));
  CHECK(has(old.row("certificate names match the host"), "pass"));
  CHECK(old.code == 1);

  auto wrong = tls_rows(t.at("smtps", 7), t.cafile);
  INFO(wrong.out);
  CHECK(has(wrong.row("certificate names match the host"),
            "FAIL    localhost is not among the certificate's names: DNS:wrong-name.invalid"));
  CHECK(has(wrong.row("certificate dates valid"), "pass"));
  CHECK(wrong.code == 1);

  auto unverified = tls_rows(t.at("smtps", 0), "");
  INFO(unverified.out);
  CHECK(has(unverified.row("certificate chain verified"), "warn    not verified: no --cafile"));
  CHECK(has(unverified.row("certificate names match the host"), "pass"));
  CHECK(unverified.code == 0);

  auto address = tls_rows("smtps://127.0.0.1:" + std::to_string(t.lab.port(0)), t.cafile);
  INFO(address.out);
  CHECK(has(address.row("certificate names match the host"), "skip    the URL names an address"));
}

TEST_CASE("check over TLS: plain URLs without STARTTLS stay as they were; --starttls requires it") {
  TlsLab t;
  auto plain = tls_rows(t.at("smtp", 8), t.cafile);
  INFO(plain.out);
  CHECK(has(plain.out, "0 passed, 0 failed (0 MUST), 0 warnings, 0 skipped"));  // no row at all

  auto required = run_check(t.at("smtp", 8), t.cafile, true);
  INFO(required.out);
  CHECK(has(required.row("STARTTLS offered and accepted"), "FAIL    not in the EHLO reply"));
  CHECK(has(required.row("TLS handshake (TLS 1.2 or 1.3)"), "skip"));
  CHECK(required.row("greeting 220").empty());  // no protocol rows without the TLS asked for
  CHECK(required.code == 1);
  auto refused = run_check("smtps://127.0.0.1:1", "");
  CHECK(has(refused.row("TLS handshake (TLS 1.2 or 1.3)"), "FAIL    connect to 127.0.0.1:1"));
  CHECK(refused.code == 1);
}

TEST_CASE("check over TLS: bad options exit 2") {
  auto r = run_check("smtps://127.0.0.1:1", "", true);
  CHECK(r.code == 2);
  CHECK(has(r.err, "--starttls is for the plain URLs"));
  r = run_check("smtps://127.0.0.1:1", "/nonexistent/ca.pem");
  CHECK(r.code == 2);
  CHECK(has(r.err, "--cafile: cannot read"));
  r = run_check("dns://127.0.0.1:1/b.example", "/tmp/x.pem");
  CHECK(r.code == 2);
  std::ofstream("/tmp/maillab-check-not-pem.txt") << "not a certificate\n";
  r = run_check("smtps://127.0.0.1:1", "/tmp/maillab-check-not-pem.txt");
  CHECK(r.code == 2);
  CHECK(has(r.err, "--cafile"));
  std::remove("/tmp/maillab-check-not-pem.txt");
}

namespace {

// A STARTTLS SMTP server on one connection. `vulnerable`: what it read after STARTTLS in
// clear is kept and answered inside TLS (Postfix before 2.8.4); `auth_in_clear`: AUTH in
// the EHLO reply before STARTTLS.
void starttls_server(int fd, tls::ServerContext& ctx, bool vulnerable, bool auth_in_clear) {
  Lines l{fd, {}};
  l.say("220 fake.test ESMTP\r\n");
  if (!l.line()) return;
  l.say(auth_in_clear ? "250-fake.test\r\n250-AUTH PLAIN LOGIN\r\n250 STARTTLS\r\n" : "250-fake.test\r\n250 STARTTLS\r\n");
  auto st = l.line();
  if (!st || upper_verb(*st) != "STARTTLS") return;
  l.say("220 2.0.0 Ready to start TLS\r\n");
  std::string plain = vulnerable ? l.buf : "";
  tls::Session s(ctx, static_cast<tls::UnixTime>(std::time(nullptr)));
  auto flush = [&] {
    std::string out = s.take_output();
    if (!out.empty()) l.say(out);
  };
  for (int rounds = 0; rounds < 100; ++rounds) {
    for (auto eol = plain.find("\r\n"); eol != std::string::npos; eol = plain.find("\r\n")) {
      const std::string verb = upper_verb(plain.substr(0, eol));
      plain.erase(0, eol + 2);
      if (verb == "QUIT") {
        s.send("221 2.0.0 Bye\r\n");
        flush();
        return;
      }
      s.send(verb == "RSET" ? "250 2.0.0 Ok\r\n"
             : verb == "HELP" ? "214 2.0.0 fake help\r\n"
             : verb == "EHLO" ? "250-fake.test\r\n250 AUTH PLAIN LOGIN\r\n"
                              : "502 5.5.2 Error: command not recognized\r\n");
    }
    flush();
    if (s.failed()) return;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 5000) <= 0) return;
    char tmp[4096];
    const ssize_t n = ::recv(fd, tmp, sizeof tmp, 0);
    if (n <= 0) return;
    s.receive(std::string_view(tmp, static_cast<std::size_t>(n)));
    plain += s.take_plaintext();
  }
}

}  // namespace

TEST_CASE("check over TLS: a server answering the command pipelined after STARTTLS fails (CVE-2011-0411)") {
  auto lib = tls::LibraryContext::system();
  tls::CertificateAuthority ca(lib, static_cast<tls::UnixTime>(std::time(nullptr)));
  tls::ServerContext ctx(lib, *ca.issue({"localhost"}));
  const std::string cafile = "/tmp/maillab-check-fake-ca-" + std::to_string(::getpid()) + ".pem";
  std::ofstream(cafile) << ca.certificate_pem();

  for (bool vulnerable : {true, false}) {
    FakeTcp server([&](int fd) { starttls_server(fd, ctx, vulnerable, true); });
    auto u = url("smtp://localhost:" + std::to_string(server.port()));
    std::string error;
    u.tls_setup = check::make_tls_setup(cafile, &error);
    REQUIRE(u.tls_setup);
    auto opt = options();
    opt.cafile = cafile;
    auto r = check::check_tls(u, opt);
    INFO(table(r));
    const auto& injected = row(r, "plaintext pipelined after STARTTLS discarded");
    CHECK(injected.result.outcome == (vulnerable ? check::Outcome::Fail : check::Outcome::Pass));
    if (vulnerable) CHECK(has(injected.result.said, "answered the command sent in clear: 250 2.0.0 Ok"));
    CHECK(row(r, "AUTH only after STARTTLS").result.outcome == check::Outcome::Warn);
    CHECK(has(row(r, "AUTH only after STARTTLS").result.said, "AUTH PLAIN LOGIN offered in clear"));
    CHECK(row(r, "certificate chain verified").result.outcome == check::Outcome::Pass);
  }
  std::remove(cafile.c_str());
}
