// The webmail in the simulated world (scenario-format 1.1 "Webmail"): a host with
// `webmail`, `send ... via` (the browser logs in over HTTP, the webmail submits with AUTH
// as the user and APPENDs to Sent), `fetch ... protocol: webmail` (the browser opens each
// new message), a wrong password refused, a hostile message shown escaped, and what the
// loader refuses.
#include <catch2/catch.hpp>

#include "scenarios/expectations.hpp"
#include "scenarios/library.hpp"
#include "scenarios/loader.hpp"
#include "scenarios/world.hpp"

using namespace maillab;
using namespace maillab::scenario;

namespace {

std::unique_ptr<World> run_text(const std::string& text, bool all_pass = true) {
  auto loaded = load_scenario_text(text, "t.yaml");
  if (auto* e = std::get_if<LoadError>(&loaded)) FAIL(e->str());
  const Scenario& s = std::get<Scenario>(loaded);
  auto built = World::build(s, s.seed);
  REQUIRE(std::holds_alternative<std::unique_ptr<World>>(built));
  auto w = std::move(std::get<std::unique_ptr<World>>(built));
  w->run_until(s.duration_ns);
  if (all_pass) {
    for (const auto& r : check_expectations(*w)) {
      INFO(r.what << " found " << r.found);
      CHECK(r.passed);
    }
  }
  return w;
}

// The messages of `user`'s `folder` on `host`, as stored.
std::vector<std::string> folder_contents(World& w, const std::string& host, const std::string& user,
                                         const std::string& folder) {
  std::vector<std::string> out;
  HostNode* h = w.host(host);
  REQUIRE(h != nullptr);
  REQUIRE(h->mailboxes != nullptr);
  const mda::Folder* f = h->mailboxes->folder(user, folder);
  if (f == nullptr) return out;
  for (const auto& m : f->messages) {
    if (auto bytes = h->mailboxes->content(user, f->id, m.uid)) out.push_back(*bytes);
  }
  return out;
}

const char* kWorld = R"(scenario: t
duration: 1h
hosts:
  ns.example:
    address: 192.0.2.53
    dns:
      zones:
        - "$ORIGIN a.example.\n$TTL 300\n@ IN MX 10 mail.a.example.\nmail IN A 192.0.2.10\n"
        - "$ORIGIN b.example.\n$TTL 300\n@ IN MX 10 mx.b.example.\nmx IN A 192.0.2.20\n"
  mail.a.example:
    address: 192.0.2.10
    resolver: 192.0.2.53
    mta: {domains: [a.example]}
    users: {alice: {password: wonderland}}
  mx.b.example:
    address: 192.0.2.20
    resolver: 192.0.2.53
    mta: {domains: [b.example], submission: true}
    imap: true
    users: {bob: {password: builder}, carol: {password: secret}}
  webmail.b.example:
    address: 192.0.2.80
    webmail: {imap: mx.b.example, submission: mx.b.example}
  laptop.bob:
    address: 198.51.100.7
)";

std::string load_error(const std::string& text) {
  auto r = load_scenario_text(text, "t.yaml");
  if (std::holds_alternative<Scenario>(r)) return "loaded";
  return std::get<LoadError>(r).str();
}

}  // namespace

TEST_CASE("webmail: the built-in scenario sends, saves to Sent, reads and refuses a wrong password") {
  auto loaded = load_scenario("webmail");
  REQUIRE(std::holds_alternative<Scenario>(loaded));
  const Scenario& s = std::get<Scenario>(loaded);
  auto built = World::build(s, s.seed);
  REQUIRE(std::holds_alternative<std::unique_ptr<World>>(built));
  auto& w = *std::get<std::unique_ptr<World>>(built);
  w.run_until(s.duration_ns);
  for (const auto& r : check_expectations(w)) {
    INFO(r.what << " found " << r.found);
    CHECK(r.passed);
  }
  // The copy in Sent is the message the webmail submitted, From the user's address.
  auto sent = folder_contents(w, "mx.b.example", "bob", "Sent");
  REQUIRE(sent.size() == 1);
  CHECK(sent[0].find("From: bob@b.example\r\n") != std::string::npos);
  CHECK(sent[0].find("Subject: Lunch\r\n") != std::string::npos);
  CHECK(sent[0].find("Lunch at noon?") != std::string::npos);
  // The browser opened Alice's answer: the page shows it.
  REQUIRE(w.fetches().size() == 1);
  CHECK(w.fetches()[0].server == "webmail.b.example");
  CHECK(w.fetches()[0].client == "laptop.bob");
  REQUIRE(w.fetches()[0].result.messages.size() == 1);
  CHECK(w.fetches()[0].result.messages[0].content.find("Yes, see you.") != std::string::npos);
  // The wrong password: the IMAP login was refused and nothing was submitted.
  REQUIRE(w.submissions().size() == 3);  // Bob's, Alice's answer, the forged one
  CHECK(w.submissions()[0].accepted);
  CHECK_FALSE(w.submissions()[2].accepted);
  CHECK(w.submissions()[2].client == "cafe.example");
  CHECK(w.submissions()[2].detail == "login refused (401)");
  // The hops: the MSA saw AUTH from the webmail's address, never the browser's.
  bool auth_from_webmail = false, http_from_laptop = false;
  for (const auto& e : w.trace().events()) {
    if (e.host == "mx.b.example" && e.event == "auth.ok") auth_from_webmail = e.get("peer") == "192.0.2.80";
    if (e.host == "webmail.b.example" && e.event == "http.in" && e.get("command") == "POST /send")
      http_from_laptop = e.get("peer") == "198.51.100.7";
    CHECK_FALSE((e.host == "mx.b.example" && e.get("peer") == "198.51.100.7"));
  }
  CHECK(auth_from_webmail);
  CHECK(http_from_laptop);
}

TEST_CASE("webmail: a message with HTML and script is shown escaped, never as markup") {
  const std::string text = std::string(kWorld) + R"(events:
  - {at: 1m, send: {from: alice@a.example, to: bob@b.example, subject: "<b>hi</b>", body: "<script>alert(1)</script> & <img src=x onerror=alert(2)>", server: mail.a.example}}
  - {at: 10m, fetch: {user: bob, server: webmail.b.example, client: laptop.bob, protocol: webmail}}
expect:
  - fetched: {user: bob, count: 1}
)";
  auto w = run_text(text);
  REQUIRE(w->fetches().size() == 1);
  REQUIRE(w->fetches()[0].result.messages.size() == 1);
  const std::string& page = w->fetches()[0].result.messages[0].content;
  CHECK(page.find("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(2)&gt;") != std::string::npos);
  CHECK(page.find("&lt;b&gt;hi&lt;/b&gt;") != std::string::npos);
  CHECK(page.find("<script") == std::string::npos);
  CHECK(page.find("<img") == std::string::npos);
  CHECK(page.find("<b>hi") == std::string::npos);
}

TEST_CASE("webmail: a fetch with the wrong password reads nothing; a second fetch finds nothing new") {
  const std::string text = std::string(kWorld) + R"(events:
  - {at: 1m, send: {from: alice@a.example, to: [bob@b.example], subject: One, server: mail.a.example}}
  - {at: 2m, send: {from: alice@a.example, to: [bob@b.example], subject: Two, server: mail.a.example}}
  - {at: 10m, fetch: {user: bob, server: webmail.b.example, client: laptop.bob, protocol: webmail, password: nope}}
  - {at: 11m, fetch: {user: bob, server: webmail.b.example, client: laptop.bob, protocol: webmail}}
  - {at: 12m, fetch: {user: bob, server: webmail.b.example, client: laptop.bob, protocol: webmail}}
expect:
  - fetched: {user: bob, count: 2}
  - stored: {user: bob, host: mx.b.example, count: 2, seen: 2}
)";
  auto w = run_text(text);
  REQUIRE(w->fetches().size() == 3);
  CHECK_FALSE(w->fetches()[0].result.ok);
  CHECK(w->fetches()[0].result.detail == "login refused (401)");
  CHECK(w->fetches()[1].result.messages.size() == 2);
  CHECK(w->fetches()[2].result.ok);
  CHECK(w->fetches()[2].result.messages.empty());
}

TEST_CASE("webmail: send via the webmail to a local user and to cc; the webmail down refuses") {
  const std::string text = std::string(kWorld) + R"(events:
  - {at: 1m, send: {from: bob@b.example, to: carol@b.example, cc: alice@a.example, subject: Hello, body: "Hi all", client: laptop.bob, server: mx.b.example, via: webmail.b.example}}
  - {at: 5m, down: webmail.b.example}
  - {at: 6m, send: {from: bob@b.example, to: carol@b.example, subject: Lost, client: laptop.bob, via: webmail.b.example}}
expect:
  - delivered: {to: carol@b.example, subject: Hello}
  - delivered: {to: alice@a.example, subject: Hello}
  - not_delivered: {to: carol@b.example, subject: Lost}
  - stored: {user: bob, host: mx.b.example, folder: Sent, count: 1}
)";
  auto w = run_text(text);
  REQUIRE(w->submissions().size() == 2);
  CHECK(w->submissions()[0].accepted);
  CHECK(w->submissions()[0].server == "mx.b.example");
  CHECK_FALSE(w->submissions()[1].accepted);
  CHECK(w->submissions()[1].detail == "connection timed out");
}

TEST_CASE("webmail: the loader refuses bad webmail settings at their line and column") {
  std::string head = std::string(kWorld);
  auto with = [&](const std::string& webmail_line) {
    std::string t = head;
    const std::string old = "    webmail: {imap: mx.b.example, submission: mx.b.example}\n";
    t.replace(t.find(old), old.size(), webmail_line);
    return load_error(t);
  };
  CHECK_THAT(with("    webmail: {submission: mx.b.example}\n"),
             Catch::Contains("t.yaml:23:5") && Catch::Contains("imap"));
  CHECK_THAT(with("    webmail: {imap: mail.a.example, submission: mx.b.example}\n"),
             Catch::Contains("t.yaml:23:21") && Catch::Contains("does not run IMAP"));
  CHECK_THAT(with("    webmail: {imap: mx.b.example, submission: laptop.bob}\n"),
             Catch::Contains("t.yaml:23:47") && Catch::Contains("has no `mta`"));
  CHECK_THAT(with("    webmail: {imap: mx.b.example, submission: mx.b.example, smtp: x}\n"),
             Catch::Contains("t.yaml:23:61") && Catch::Contains("smtp"));
  CHECK_THAT(with("    webmail: true\n"), Catch::Contains("t.yaml:23:14"));
  CHECK_THAT(load_error(head + "events:\n  - {at: 1m, send: {from: bob@b.example, to: x@a.example, via: mx.b.example}}\n"),
             Catch::Contains("t.yaml:27:64") && Catch::Contains("runs no webmail"));
  CHECK_THAT(load_error(head + "events:\n  - {at: 1m, fetch: {user: bob, server: mx.b.example, protocol: webmail}}\n"),
             Catch::Contains("t.yaml:27:41") && Catch::Contains("runs no webmail"));
  CHECK_THAT(load_error(head + "events:\n  - {at: 1m, fetch: {user: bob, server: webmail.b.example, protocol: web}}\n"),
             Catch::Contains("t.yaml:27:70") && Catch::Contains("pop3, imap or webmail"));
}

// kWorld with the host of the line `anchor` given a certificate (`tls`), of the given kind.
std::string with_certificate(const std::string& anchor, const std::string& certificate) {
  std::string text = kWorld;
  text.replace(text.find(anchor), anchor.size(), anchor + "    tls: {certificate: " + certificate + "}\n");
  return text;
}

// ... the IMAP/submission host.
std::string tls_world(const std::string& certificate) { return with_certificate("    imap: true\n", certificate); }

TEST_CASE("webmail: on a TLS host the webmail uses STARTTLS before LOGIN and AUTH (spec: STARTTLS if offered)") {
  const std::string text = tls_world("valid") + R"(events:
  - {at: 1m, send: {from: bob@b.example, to: carol@b.example, subject: Hello, body: "Hi", client: laptop.bob, via: webmail.b.example}}
  - {at: 5m, fetch: {user: carol, server: webmail.b.example, client: laptop.bob, protocol: webmail}}
expect:
  - delivered: {to: carol@b.example, subject: Hello}
  - stored: {user: bob, host: mx.b.example, folder: Sent, count: 1}
  - fetched: {user: carol, count: 1}
)";
  auto w = run_text(text);
  // The MSA's Received header: the webmail logged in inside TLS.
  auto inbox = folder_contents(*w, "mx.b.example", "carol", "INBOX");
  REQUIRE(inbox.size() == 1);
  CHECK(inbox[0].find("with ESMTPSA") != std::string::npos);
  // Every IMAP LOGIN the webmail sent came right after its STARTTLS on that connection.
  int logins = 0;
  std::string previous;
  for (const auto& e : w->trace().events()) {
    if (e.host != "webmail.b.example" || e.event != "imap.out") continue;
    const std::string command(e.get("command"));
    if (command.rfind("LOGIN", 0) == 0) {
      ++logins;
      CHECK(previous == "STARTTLS");
    }
    previous = command;
  }
  CHECK(logins >= 2);
}

TEST_CASE("webmail: an IMAP server whose certificate does not verify gets no password") {
  const std::string text = tls_world("expired") + R"(events:
  - {at: 1m, send: {from: bob@b.example, to: carol@b.example, subject: Hello, client: laptop.bob, via: webmail.b.example}}
expect:
  - not_delivered: {to: carol@b.example, subject: Hello}
)";
  auto w = run_text(text);
  REQUIRE(w->submissions().size() == 1);
  CHECK_FALSE(w->submissions()[0].accepted);
  for (const auto& e : w->trace().events()) {
    CHECK_FALSE((e.host == "mx.b.example" && e.event == "imap.login"));
    CHECK_FALSE((e.host == "webmail.b.example" && std::string(e.get("command")).rfind("LOGIN", 0) == 0));
  }
}

// kWorld with the webmail's own host given a certificate: HTTPS on 443 (spec: "443 when
// the host has tls").
std::string https_world(const std::string& certificate) {
  return with_certificate("    webmail: {imap: mx.b.example, submission: mx.b.example}\n", certificate);
}
TEST_CASE("webmail: on a tls host the browser speaks HTTPS on 443, verifying the lab CA") {
  const std::string text = https_world("valid") + R"(events:
  - {at: 1m, send: {from: bob@b.example, to: carol@b.example, subject: Hello, body: "Hi", client: laptop.bob, via: webmail.b.example}}
  - {at: 5m, fetch: {user: carol, server: webmail.b.example, client: laptop.bob, protocol: webmail}}
expect:
  - delivered: {to: carol@b.example, subject: Hello}
  - fetched: {user: carol, count: 1}
)";
  auto w = run_text(text);
  int handshakes = 0, exchanges = 0;
  for (const auto& e : w->trace().events()) {
    if (e.host == "webmail.b.example" && e.event == "tls.established") {
      ++handshakes;
      CHECK(std::string(e.get("sni")) == "webmail.b.example");
    }
    if (e.event == "http.in" || e.event == "http.out") {
      ++exchanges;
      CHECK(std::string(e.get("port")) == "443");
    }
  }
  CHECK(handshakes == 2);  // one connection per browser job
  CHECK(exchanges >= 14);
}

TEST_CASE("webmail: a webmail whose certificate does not verify gets no request, and port 80 redirects") {
  const std::string text = https_world("expired") + R"(events:
  - {at: 1m, send: {from: bob@b.example, to: carol@b.example, subject: Hello, client: laptop.bob, via: webmail.b.example}}
expect:
  - not_delivered: {to: carol@b.example, subject: Hello}
)";
  auto w = run_text(text);
  REQUIRE(w->submissions().size() == 1);
  CHECK_FALSE(w->submissions()[0].accepted);
  CHECK_THAT(w->submissions()[0].detail, Catch::Contains("TLS") && Catch::Contains("certificate"));
  for (const auto& e : w->trace().events()) CHECK(e.event != "http.in");

  // A browser that types http:// gets the HTTPS address of the same page, nothing else.
  HostNode* laptop = w->host("laptop.bob");
  REQUIRE(laptop != nullptr);
  webmail::BrowserJob job;
  job.server_address = "192.0.2.80";
  job.server_name = "webmail.b.example";
  job.user = "bob";
  job.password = "builder";
  std::optional<webmail::BrowserResult> result;
  webmail::Browser b(*laptop->runtime, job, [&](const webmail::BrowserResult& r) { result = r; });
  b.start();
  w->run_until(w->simulator().now() + 60'000'000'000LL);
  REQUIRE(result);
  CHECK_FALSE(result->logged_in);
  CHECK(result->detail == "no login form (301)");
  std::size_t redirects = 0;
  for (const auto& e : w->trace().events()) {
    if (e.event != "http.in") continue;
    ++redirects;
    CHECK(std::string(e.get("reply")) == "301 Moved Permanently");
    CHECK(std::string(e.get("port")).empty());
  }
  CHECK(redirects == 1);
}
