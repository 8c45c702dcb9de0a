// TLS for retrieval in a world (scenario format 1.1 "TLS"): POP3 STLS and pop3s on 995,
// IMAP STARTTLS and imaps on 993, `fetch.tls`, the `fetched.tls` check, Dovecot's
// disable_plaintext_auth on a TLS host, a MUA that never sends a password in clear, and
// byte-identical traces across runs with TLS.
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <variant>

#include "scenarios/expectations.hpp"
#include "scenarios/loader.hpp"
#include "scenarios/world.hpp"
#include "world_helpers.hpp"

using namespace maillab;
using namespace maillab::scenario;

namespace {

// mx.b.example holds one message for bob (sent at 1s over STARTTLS) and serves POP3 and
// IMAP; `host` adds lines to it (tls, pop3s, imaps), `events` follows the send.
std::string scenario_text(std::string_view host, std::string_view events, std::string_view expect = "") {
  std::string s = R"(scenario: retrieval-tls
duration: 1h
hosts:
  mx.b.example:
    address: 192.0.2.20
    users: {bob: {password: builder}}
    pop3: true
    imap: true
    mta:
      domains: [b.example]
)";
  s += host;
  s += R"(  pc.bob:
    address: 198.51.100.9
events:
  - at: 1s
    send: {from: bob@b.example, to: bob@b.example, subject: Hi, client: pc.bob, server: mx.b.example}
)";
  s += events;
  if (!expect.empty()) s += "expect:\n" + std::string(expect);
  return s;
}

// The world run to the scenario's end (1h), with the scenario's seed.
std::unique_ptr<World> run(const std::string& text) { return test::run_world(test::from_text(text)); }

std::string load_error(const std::string& text) {
  auto loaded = load_scenario_text(text, "retrieval-tls.yaml");
  if (auto* e = std::get_if<LoadError>(&loaded)) return e->str();
  return {};
}

const FetchRecord& only_fetch(const World& w) {
  REQUIRE(w.fetches().size() == 1);
  return w.fetches().front();
}

// Every client line the trace shows for `event` (what the MUA sent and what it was told).
std::string exchanges(const World& w, io::trace::Event event) {
  std::string out;
  for (const auto& e : w.trace().events())
    if (e.event == event) out += std::string(e.get(io::trace::key::kCommand)) + " -> " + std::string(e.get(io::trace::key::kReply)) + "\n";
  return out;
}

constexpr std::string_view kTlsHost = "    tls: true\n    pop3s: true\n    imaps: true\n";

}  // namespace

TEST_CASE("fetch over POP3 STLS and IMAP STARTTLS by default on a TLS host", "[scenarios][tls][retrieval]") {
  for (std::string protocol : {"pop3", "imap"}) {
    INFO(protocol);
    const std::string text =
        scenario_text(kTlsHost, "  - at: 1m\n    fetch: {user: bob, server: mx.b.example, client: pc.bob, protocol: " +
                                    protocol + "}\n",
                      "  - fetched: {user: bob, count: 1, tls: true}\n  - fetched: {user: bob, count: 0, tls: false}\n");
    auto w = run(text);
    const FetchRecord& f = only_fetch(*w);
    CHECK(f.result.ok);
    CHECK(f.result.tls);
    CHECK(f.result.messages.size() == 1);
    for (const auto& r : check_expectations(*w)) CHECK(r.passed);
    const std::string mua = exchanges(*w, protocol == "pop3" ? io::trace::ev::kPop3Out : io::trace::ev::kImapOut);
    CHECK(mua.find(protocol == "pop3" ? "STLS -> +OK Begin TLS negotiation now." : "STARTTLS -> A1 OK Begin TLS") !=
          std::string::npos);
    // Same seed, same bytes: the TLS included.
    CHECK(run(text)->trace().to_jsonl() == w->trace().to_jsonl());
  }
}

TEST_CASE("fetch.tls implicit: pop3s on 995 and imaps on 993", "[scenarios][tls][retrieval]") {
  for (std::string protocol : {"pop3", "imap"}) {
    INFO(protocol);
    auto w = run(scenario_text(kTlsHost, "  - at: 1m\n    fetch: {user: bob, server: mx.b.example, client: pc.bob, "
                                         "tls: implicit, protocol: " + protocol + "}\n"));
    const FetchRecord& f = only_fetch(*w);
    CHECK(f.result.ok);
    CHECK(f.result.tls);
    CHECK(f.result.messages.size() == 1);
    const std::string mua = exchanges(*w, protocol == "pop3" ? io::trace::ev::kPop3Out : io::trace::ev::kImapOut);
    CHECK(mua.find("STLS") == std::string::npos);
    CHECK(mua.find("STARTTLS") == std::string::npos);
  }
}

TEST_CASE("a TLS host takes no clear password (disable_plaintext_auth) from a MUA set to none", "[scenarios][tls][retrieval]") {
  for (std::string protocol : {"pop3", "imap"}) {
    INFO(protocol);
    auto w = run(scenario_text(kTlsHost, "  - at: 1m\n    fetch: {user: bob, server: mx.b.example, client: pc.bob, "
                                         "tls: none, protocol: " + protocol + "}\n"));
    const FetchRecord& f = only_fetch(*w);
    const std::string server = exchanges(*w, protocol == "pop3" ? io::trace::ev::kPop3In : io::trace::ev::kImapIn);
    if (protocol == "pop3") {
      // CAPA offers neither USER nor SASL PLAIN in clear: the MUA falls back on APOP, whose
      // digest is no clear password (Dovecot allows it too).
      CHECK(f.result.ok);
      CHECK_FALSE(f.result.tls);
      CHECK(server.find("USER") == std::string::npos);
      CHECK(server.find("APOP bob ") != std::string::npos);
    } else {
      CHECK_FALSE(f.result.ok);
      CHECK(f.result.messages.empty());
      // IMAP's client sees LOGINDISABLED and does not even try.
      CHECK(server.find("LOGINDISABLED") != std::string::npos);
      CHECK(server.find("LOGIN bob") == std::string::npos);
    }
  }
}

TEST_CASE("a MUA set to starttls never sends the password to a server without TLS", "[scenarios][tls][retrieval]") {
  for (std::string protocol : {"pop3", "imap"}) {
    for (std::string mode : {"starttls", "implicit"}) {
      INFO(protocol << " " << mode);
      auto w = run(scenario_text("", "  - at: 1m\n    fetch: {user: bob, server: mx.b.example, client: pc.bob, tls: " +
                                         mode + ", protocol: " + protocol + "}\n"));
      const FetchRecord& f = only_fetch(*w);
      CHECK_FALSE(f.result.ok);
      CHECK_FALSE(f.result.tls);
      const std::string trace = w->trace().to_jsonl();
      CHECK(trace.find("builder") == std::string::npos);
      CHECK(trace.find("USER bob") == std::string::npos);
      CHECK(trace.find("LOGIN") == std::string::npos);
      CHECK(trace.find("AUTHENTICATE") == std::string::npos);
    }
  }
}

TEST_CASE("a certificate that does not verify: the MUA gives up before the password", "[scenarios][tls][retrieval]") {
  for (std::string protocol : {"pop3", "imap"}) {
    INFO(protocol);
    auto w = run(scenario_text("    tls: {certificate: expired}\n",
                               "  - at: 1m\n    fetch: {user: bob, server: mx.b.example, client: pc.bob, protocol: " +
                                   protocol + "}\n"));
    const FetchRecord& f = only_fetch(*w);
    CHECK_FALSE(f.result.ok);
    CHECK(f.result.detail.find("server certificate not verified: expired") != std::string::npos);
    const std::string server = exchanges(*w, protocol == "pop3" ? io::trace::ev::kPop3In : io::trace::ev::kImapIn);
    CHECK(server.find("USER") == std::string::npos);
    CHECK(server.find("LOGIN bob") == std::string::npos);
    CHECK(server.find("AUTHENTICATE") == std::string::npos);
  }
}

TEST_CASE("pop3s and imaps need tls (and their plaintext service); fetch.tls takes three values", "[scenarios][tls][retrieval]") {
  CHECK(load_error(scenario_text("    pop3s: true\n", "")).find("`pop3s` is implicit TLS and needs the host's `tls`") !=
        std::string::npos);
  CHECK(load_error(scenario_text("    imaps: true\n", "")).find("`imaps` is implicit TLS and needs the host's `tls`") !=
        std::string::npos);
  CHECK(load_error(scenario_text("    tls: true\n",
                                 "  - at: 1m\n    fetch: {user: bob, server: mx.b.example, tls: always}\n"))
            .find("`fetch.tls` must be starttls, implicit or none, found `always`") != std::string::npos);
}

TEST_CASE("idle and save_sent on a TLS host log in over STARTTLS (or 993 with send.tls implicit)",
          "[scenarios][tls][retrieval]") {
  // The spec's IMAP examples name no `tls` for idle and save_sent: they are set up like a
  // fetch (starttls by default on a TLS host), so they do not stop at LOGINDISABLED.
  auto w = run(scenario_text(
      "      submission: true\n      smtps: true\n" + std::string(kTlsHost),
      "  - at: 1m\n    idle: {user: bob, server: mx.b.example, client: pc.bob, until: 30m}\n"
      "  - at: 2m\n    send: {from: bob@b.example, to: bob@b.example, subject: Again, client: pc.bob,"
      " server: mx.b.example, save_sent: true}\n"
      "  - at: 3m\n    send: {from: bob@b.example, to: bob@b.example, subject: Third, client: pc.bob,"
      " server: mx.b.example, save_sent: true, tls: implicit}\n",
      "  - stored: {user: bob, host: mx.b.example, folder: Sent, count: 2}\n"
      "  - fetched: {user: bob, count: 3, tls: true}\n"));
  for (const auto& r : check_expectations(*w)) {
    INFO(r.what << " found " << r.found);
    CHECK(r.passed);
  }
  const std::string mua = exchanges(*w, io::trace::ev::kImapOut);
  CHECK(mua.find("LOGOUT -> A1 OK") == std::string::npos);
}

TEST_CASE("refuse/accept take the implicit-TLS ports apart from their plaintext ones", "[scenarios][tls][retrieval]") {
  // imaps refused: the MUA set to implicit fails, one set to starttls (143) still fetches;
  // after accept, 993 answers again.
  auto w = run(scenario_text(kTlsHost,
                             "  - at: 1m\n    refuse: {host: mx.b.example, service: imaps}\n"
                             "  - at: 2m\n    fetch: {user: bob, server: mx.b.example, client: pc.bob, protocol: imap, tls: implicit}\n"
                             "  - at: 3m\n    fetch: {user: bob, server: mx.b.example, client: pc.bob, protocol: imap}\n"
                             "  - at: 4m\n    accept: {host: mx.b.example, service: imaps}\n"
                             "  - at: 5m\n    refuse: {host: mx.b.example, service: pop3s}\n"
                             "  - at: 6m\n    fetch: {user: bob, server: mx.b.example, client: pc.bob, protocol: pop3, tls: implicit}\n"
                             "  - at: 7m\n    fetch: {user: bob, server: mx.b.example, client: pc.bob, protocol: imap, tls: implicit}\n"));
  REQUIRE(w->fetches().size() == 4);
  CHECK_FALSE(w->fetches()[0].result.ok);
  CHECK(w->fetches()[1].result.ok);
  CHECK_FALSE(w->fetches()[2].result.ok);
  CHECK(w->fetches()[3].result.ok);
  CHECK(load_error(scenario_text(kTlsHost, "  - at: 1m\n    accept: {host: mx.b.example, service: https}\n")).empty());
}
