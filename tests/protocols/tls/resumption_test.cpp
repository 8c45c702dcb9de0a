// Session resumption: the client's cache keyed by peer (Postfix smtp_tls_session_cache),
// the server's cache (TLS 1.2 session ids, TLS 1.3 stateful tickets), aged by lab time.
#include <catch2/catch.hpp>

#include "tls_pair.hpp"

using namespace maillab::tls;
using namespace maillab::tls::test;

namespace {

// One connection: handshake, a command and its reply, orderly close by both.
HandshakeInfo connect(World& w, const ClientParams& params, UnixTime now) {
  Session server(w.server, now);
  Session client(w.client, params, now);
  REQUIRE(pump(client, server));
  REQUIRE(client.handshake_done());
  REQUIRE(client.send("EHLO pc.a.example\r\n") == Status::Ok);
  REQUIRE(pump(client, server));
  REQUIRE(server.send("250 mx.b.example\r\n") == Status::Ok);
  REQUIRE(pump(client, server));
  REQUIRE(client.plaintext() == "250 mx.b.example\r\n");
  client.close();
  server.close();
  REQUIRE(pump(client, server));
  CHECK(server.info().resumed == client.info().resumed);
  return client.info();
}

}  // namespace

TEST_CASE("the second connection to the same peer resumes the first one's session") {
  World w(21);
  const ClientParams p = params_for("mx.b.example", "mx.b.example:25");
  SECTION("TLS 1.3") {
    CHECK_FALSE(connect(w, p, kStart).resumed);
    const HandshakeInfo second = connect(w, p, kStart + 60);
    CHECK(second.resumed);
    CHECK(second.version == "TLSv1.3");
    CHECK(second.verified());  // the verification of the first handshake is remembered
    CHECK(connect(w, p, kStart + 120).resumed);  // the resumed connection left a new ticket
  }
  SECTION("TLS 1.2") {
    SSL_CTX_set_max_proto_version(w.client.native(), TLS1_2_VERSION);
    CHECK_FALSE(connect(w, p, kStart).resumed);
    const HandshakeInfo second = connect(w, p, kStart + 60);
    CHECK(second.resumed);
    CHECK(second.version == "TLSv1.2");
    CHECK(second.verified());
  }
  CHECK(w.client.session_cache().size() == 1);
}

TEST_CASE("no resumption across peers, names, or past the cache lifetime") {
  World w(22);
  const ClientParams p = params_for("mx.b.example", "mx.b.example:25");
  REQUIRE_FALSE(connect(w, p, kStart).resumed);

  CHECK_FALSE(connect(w, params_for("mx.b.example", "mx.b.example:587"), kStart + 1).resumed);
  CHECK_FALSE(connect(w, params_for("mail.b.example", "mx.b.example:25"), kStart + 2).resumed);
  CHECK_FALSE(connect(w, params_for("mx.b.example", ""), kStart + 3).resumed);  // no cache key
  // 3600 s (smtp_tls_session_cache_timeout) by the lab's clock, whatever the wall clock says.
  CHECK(connect(w, p, kStart + 3600).resumed);
  CHECK_FALSE(connect(w, p, kStart + 3600 + 3601).resumed);
}

TEST_CASE("the server forgets sessions past its own lifetime") {
  auto lib = LibraryContext::deterministic(23);
  CertificateAuthority ca(LibraryContext::deterministic(23, "ca"), kStart);
  auto cred = ca.issue({"mx.b.example"});
  ServerContext server(lib, *cred, ServerOptions{SessionCacheOptions{300, 16}});
  ClientContext client(lib, ca.certificate_pem());
  const ClientParams p = params_for("mx.b.example", "mx.b.example:25");
  auto once = [&](UnixTime now) {
    Session s(server, now);
    Session c(client, p, now);
    REQUIRE(pump(c, s));
    REQUIRE(c.handshake_done());
    REQUIRE(pump(c, s));
    c.close();
    s.close();
    REQUIRE(pump(c, s));
    return c.info().resumed;
  };
  CHECK_FALSE(once(kStart));
  CHECK(once(kStart + 299));
  CHECK_FALSE(once(kStart + 299 + 301));  // the client still offers it; the server declines
  CHECK(once(kStart + 299 + 302));
}

TEST_CASE("a session dropped without close_notify is not resumed (as OpenSSL clears bad sessions)") {
  World w(24);
  const ClientParams p = params_for("mx.b.example", "mx.b.example:25");
  {
    Session server(w.server, kStart);
    Session client(w.client, p, kStart);
    REQUIRE(pump(client, server));
    REQUIRE(server.send("220 ready\r\n") == Status::Ok);
    REQUIRE(pump(client, server));  // the ticket arrives with the reply
  }  // both dropped: a reset
  CHECK_FALSE(connect(w, p, kStart + 1).resumed);
}

TEST_CASE("session caches are bounded and keep the newest entries") {
  SessionCache cache(SessionCacheOptions{3600, 2});
  SSL_SESSION* a = SSL_SESSION_new();
  SSL_SESSION* b = SSL_SESSION_new();
  SSL_SESSION* c = SSL_SESSION_new();
  cache.put("a", a, 0);
  cache.put("b", b, 1);
  cache.put("a", a, 2);  // refreshes "a": "b" is now the oldest
  cache.put("c", c, 3);
  CHECK(cache.size() == 2);
  CHECK(cache.find("a", 3) == a);
  CHECK(cache.find("b", 3) == nullptr);
  CHECK(cache.find("c", 3) == c);
  CHECK(cache.find("c", 3 + 3601) == nullptr);
  CHECK(cache.size() == 1);
  SSL_SESSION_free(a);
  SSL_SESSION_free(b);
  SSL_SESSION_free(c);
}
