// SessionDriver as the TLS record layer (docs/tls.md "Integration"): the SMTP server engine
// behind STARTTLS and behind implicit TLS, driven by a real tls::Session client over a
// recording connection. What a peer would see: the greeting and the 220 in clear, then
// only TLS records; nothing pipelined behind STARTTLS (POP3 STLS, IMAP STARTTLS) answered; EHLO inside TLS without
// STARTTLS; close_notify before the connection closes.
#include <catch2/catch.hpp>

#include <memory>
#include <optional>
#include <string>
#include <tuple>

#include "protocols/imap/server_session.hpp"
#include "protocols/pop3/memory_maildrop_store.hpp"
#include "protocols/pop3/server_session.hpp"
#include "protocols/services/session_driver.hpp"
#include "protocols/smtp/server_handler.hpp"
#include "protocols/smtp/server_session.hpp"
#include "protocols/tls/certificate_authority.hpp"
#include "protocols/tls/context.hpp"
#include "protocols/tls/library_context.hpp"
#include "protocols/tls/session.hpp"

#include "driver_test_support.hpp"

using namespace maillab;
using services::test::RecordingConnection;
using services::test::TimerRuntime;

namespace {

constexpr tls::UnixTime kStart = 1772442000;  // the simulation's time 0

struct Lab {
  std::shared_ptr<tls::LibraryContext> lib = tls::LibraryContext::deterministic(7);
  tls::CertificateAuthority ca{tls::LibraryContext::deterministic(7, "ca"), kStart};
  std::shared_ptr<const tls::Credentials> creds = ca.issue({"mx.example.org"});
  tls::ServerContext server{lib, *creds};
  tls::ClientContext client{lib, ca.certificate_pem()};
};

using Driver = services::SessionDriver<smtp::ServerSession>;

smtp::ServerConfig tls_config() {
  smtp::ServerConfig c;
  c.hostname = "mx.example.org";
  c.starttls = true;
  return c;
}

// Everything the driver sent since the last call.
std::string drain(RecordingConnection& conn, std::size_t& seen) {
  std::string out;
  for (; seen < conn.sent.size(); ++seen) out += conn.sent[seen];
  return out;
}

// The client's side of the wire: TLS records to and from the driver until the client's
// handshake is done and nothing more moves.
struct Peer {
  explicit Peer(RecordingConnection& c) : conn(c) {}
  RecordingConnection& conn;
  std::size_t seen = 0;
  std::optional<tls::Session> tls;

  std::string clear() { return drain(conn, seen); }
  void start(tls::ClientContext& ctx) {
    tls.emplace(ctx, tls::ClientParams{"mx.example.org", {"mx.example.org"}, ""}, kStart);
    exchange();
  }
  // Moves records both ways until neither side has more to say.
  void exchange() {
    for (int i = 0; i < 10; ++i) {
      const std::string out = tls->take_output();
      if (!out.empty()) conn.handler->on_data(out);
      const std::string in = drain(conn, seen);
      if (out.empty() && in.empty()) return;
      if (!in.empty()) REQUIRE(tls->receive(in) == tls::Status::Ok);
    }
  }
  std::string say(const std::string& line) {
    REQUIRE(tls->send(line) == tls::Status::Ok);
    exchange();
    return tls->take_plaintext();
  }
};

// An SMTP server engine behind a driver with the lab's server context, on a recording
// connection; `finished` is set when the driver's session ends.
struct Server {
  explicit Server(bool implicit) {
    driver->use_tls(lab.server, implicit);
    driver->start([this](io::CloseKind) { finished = true; });
  }
  Lab lab;
  TimerRuntime rt;
  smtp::ServerHandler handler;
  std::shared_ptr<RecordingConnection> conn = std::make_shared<RecordingConnection>();
  std::shared_ptr<Driver> driver = std::make_shared<Driver>(rt, conn, tls_config(), handler);
  bool finished = false;
};

}  // namespace

TEST_CASE("STARTTLS through the driver: 220 in clear, the rest inside TLS, CVE-2011-0411", "[services][tls]") {
  Server server(false);
  auto [lab, conn, driver] = std::tie(server.lab, server.conn, server.driver);
  Peer peer{*conn};
  CHECK(peer.clear() == "220 mx.example.org ESMTP maillab\r\n");
  conn->handler->on_data("EHLO c.example\r\n");
  CHECK(peer.clear().find("250-STARTTLS\r\n") != std::string::npos);
  conn->handler->on_data("STARTTLS\r\nRSET\r\n");  // one write: the RSET is never answered
  CHECK(peer.clear() == "220 2.0.0 Ready to start TLS\r\n");
  peer.start(lab.client);
  REQUIRE(peer.tls->handshake_done());
  CHECK(peer.tls->info().verified());
  CHECK(driver->engine().tls_on());
  const std::string ehlo = peer.say("EHLO c.example\r\n");
  CHECK(ehlo.rfind("250-mx.example.org\r\n", 0) == 0);  // no 250 for the dropped RSET before it
  CHECK(ehlo.find("STARTTLS") == std::string::npos);
  CHECK(peer.say("QUIT\r\n") == "221 2.0.0 Bye\r\n");
  CHECK(peer.tls->peer_closed());  // close_notify, then the connection closes
  CHECK(conn->closed);
}

TEST_CASE("implicit TLS through the driver: the greeting only inside TLS (RFC 8314)", "[services][tls]") {
  Server server(true);
  auto [lab, conn] = std::tie(server.lab, server.conn);
  Peer peer{*conn};
  CHECK(peer.clear().empty());  // the server waits for the ClientHello
  peer.start(lab.client);
  REQUIRE(peer.tls->handshake_done());
  CHECK(peer.tls->take_plaintext() == "220 mx.example.org ESMTP maillab\r\n");
  CHECK(peer.say("EHLO c.example\r\n").find("STARTTLS") == std::string::npos);
}

TEST_CASE("plaintext where TLS records are expected ends the session", "[services][tls]") {
  Server server(false);
  auto& conn = server.conn;
  const bool& finished = server.finished;
  Peer peer{*conn};
  conn->handler->on_data("EHLO c.example\r\nSTARTTLS\r\n");
  peer.clear();
  conn->handler->on_data("MAIL FROM:<a@c.example>\r\n");  // a client that ignored the 220
  const std::string out = peer.clear();
  CHECK(out.find("250") == std::string::npos);  // no SMTP reply: at most a TLS alert
  CHECK(conn->closed);
  CHECK(finished);
}

namespace {

// Any server engine behind a driver doing STARTTLS-style TLS with the lab's context.
template <class Engine, class Handler, class Config>
struct EngineServer {
  EngineServer(Config cfg, Handler& h) : driver(std::make_shared<services::SessionDriver<Engine>>(rt, conn, cfg, h)) {
    driver->use_tls(lab.server, false);
    driver->engine().start();
    driver->start([](io::CloseKind) {});
  }
  Lab lab;
  TimerRuntime rt;
  std::shared_ptr<RecordingConnection> conn = std::make_shared<RecordingConnection>();
  std::shared_ptr<services::SessionDriver<Engine>> driver;
};

struct ImapHost final : imap::ServerHandler {
  bool check_password(std::string_view, std::string_view) override { return false; }
  mda::MailboxStore* open_store(std::string_view) override { return nullptr; }
  std::int64_t now_ns() override { return 0; }
  std::uint64_t unique() override { return 1; }
  void on_exchange(std::string_view, std::string_view) override {}
  void on_auth_failure(std::string_view) override {}
  void on_output_ready() override {}
};

}  // namespace

TEST_CASE("STLS through the driver: USER pipelined behind it gets no reply (CVE-2011-0411)", "[services][tls][pop3]") {
  pop3::MemoryMaildropStore store;
  store.add_user("x", "secret");
  pop3::ServerConfig cfg;
  cfg.hostname = "mx.example.org";
  cfg.stls = true;
  cfg.plaintext_auth = false;
  EngineServer<pop3::ServerSession, pop3::MemoryMaildropStore, pop3::ServerConfig> server(cfg, store);
  Peer peer{*server.conn};
  CHECK(peer.clear().rfind("+OK ", 0) == 0);
  server.conn->handler->on_data("STLS\r\nUSER x\r\n");  // one write
  CHECK(peer.clear() == "+OK Begin TLS negotiation now.\r\n");
  peer.start(server.lab.client);
  REQUIRE(peer.tls->handshake_done());
  CHECK(server.driver->engine().tls_active());
  // The USER was dropped: PASS finds no user, and nothing else came before its answer.
  CHECK(peer.say("PASS secret\r\n") == "-ERR give USER first\r\n");
  CHECK(peer.say("USER x\r\n") == "+OK send PASS\r\n");
}

TEST_CASE("IMAP STARTTLS through the driver: LOGIN pipelined behind it gets no reply", "[services][tls][imap]") {
  ImapHost host;
  imap::ServerConfig cfg;
  cfg.hostname = "mx.example.org";
  cfg.starttls = true;
  cfg.plaintext_auth = false;
  EngineServer<imap::ServerSession, ImapHost, imap::ServerConfig> server(cfg, host);
  Peer peer{*server.conn};
  CHECK(peer.clear().find("STARTTLS LOGINDISABLED") != std::string::npos);
  server.conn->handler->on_data("a1 STARTTLS\r\na2 LOGIN x secret\r\n");  // one write
  CHECK(peer.clear() == "a1 OK Begin TLS negotiation now.\r\n");
  peer.start(server.lab.client);
  REQUIRE(peer.tls->handshake_done());
  const std::string caps = peer.say("a3 CAPABILITY\r\n");
  CHECK(caps.rfind("* CAPABILITY ", 0) == 0);  // no a2 answer before it
  CHECK(caps.find("a2 ") == std::string::npos);
  CHECK(caps.find("STARTTLS") == std::string::npos);
  CHECK(caps.find("AUTH=PLAIN") != std::string::npos);
}
