// Same seed, same bytes: two independent worlds (each its own OpenSSL library context, CA,
// keys and caches) running the same connections put byte-identical TLS on the wire,
// resumed connection included; another seed gives other bytes.
#include <catch2/catch.hpp>

#include <cstring>
#include <string>

#include <openssl/rand.h>

#include "tls_pair.hpp"

using namespace maillab::tls;
using namespace maillab::tls::test;

namespace {

struct Run {
  std::string wire;            // every byte both ways, in order, connection after connection
  std::string ca_pem;
  std::vector<std::string> key_log;
  bool second_resumed = false;
};

void exchange(World& w, UnixTime now, Run& run, bool& resumed) {
  Session server(w.server, now);
  Session client(w.client, params_for("mx.b.example", "mx.b.example:25"), now);
  Wire wire;
  REQUIRE(pump(client, server, &wire));
  REQUIRE(server.send("220 mx.b.example ESMTP\r\n") == Status::Ok);
  REQUIRE(pump(client, server, &wire));
  REQUIRE(client.send("EHLO pc.a.example\r\nMAIL FROM:<alice@a.example>\r\n") == Status::Ok);
  REQUIRE(pump(client, server, &wire));
  REQUIRE(server.send("250 mx.b.example\r\n250 2.1.0 Ok\r\n") == Status::Ok);
  client.close();
  server.close();
  REQUIRE(pump(client, server, &wire));
  REQUIRE(client.plaintext() == "220 mx.b.example ESMTP\r\n250 mx.b.example\r\n250 2.1.0 Ok\r\n");
  resumed = client.info().resumed;
  run.wire += wire.to_server;
  run.wire += wire.to_client;
}

// OpenSSL stamps sessions with the wall clock; moving every stamp back is what a wall
// clock running on between two connections looks like to OpenSSL.
void age_by_wall_clock(SessionCache& cache, long seconds) {
  cache.for_each([&](std::string_view, SSL_SESSION* s) { SSL_SESSION_set_time(s, SSL_SESSION_get_time(s) - seconds); });
}

Run run_world(std::uint64_t seed, bool tls12 = false, long wall_clock_gap = 0) {
  World w(seed);
  Run run;
  run.ca_pem = w.ca.certificate_pem();
  w.server.set_key_log([&](std::string_view line) { run.key_log.emplace_back(line); });
  if (tls12) SSL_CTX_set_max_proto_version(w.client.native(), TLS1_2_VERSION);
  bool resumed = false;
  exchange(w, kStart, run, resumed);
  REQUIRE_FALSE(resumed);
  age_by_wall_clock(w.client.session_cache(), wall_clock_gap);
  age_by_wall_clock(w.server.session_cache(), wall_clock_gap);
  exchange(w, kStart + 30, run, run.second_resumed);
  return run;
}

}  // namespace

TEST_CASE("two worlds with the same seed put the same TLS bytes on the wire") {
  const bool tls12 = GENERATE(false, true);
  const Run a = run_world(42, tls12);
  const Run b = run_world(42, tls12);
  CHECK(a.second_resumed);
  CHECK(b.second_resumed);
  CHECK(a.ca_pem == b.ca_pem);
  CHECK(a.wire.size() > 1000);
  CHECK(a.wire == b.wire);
  CHECK(a.key_log == b.key_log);

  const Run c = run_world(43, tls12);
  CHECK(c.second_resumed);
  CHECK(c.ca_pem != a.ca_pem);
  CHECK(c.wire != a.wire);
  CHECK(c.key_log != a.key_log);
}

TEST_CASE("the wall clock between two connections does not reach the wire") {
  // Two real hours between the connections (past OpenSSL's own session timeout, and a
  // ticket age OpenSSL would put in the ClientHello): the same bytes, resumed all the same.
  const bool tls12 = GENERATE(false, true);
  const Run quick = run_world(8, tls12);
  const Run slow = run_world(8, tls12, 7200);
  CHECK(slow.second_resumed);
  CHECK(slow.wire == quick.wire);
}

TEST_CASE("interleaved worlds do not disturb each other's bytes") {
  // One world alone, then the same world run while another world draws randomness
  // between its steps: each library context has its own stream.
  const Run alone = run_world(7);
  World noisy(7);
  World other(99);
  Run run;
  bool resumed = false;
  {
    Session s_other(other.server, kStart);
    Session c_other(other.client, params_for("mx.b.example"), kStart);  // draws from world 99
    exchange(noisy, kStart, run, resumed);
    REQUIRE(pump(c_other, s_other));
  }
  exchange(noisy, kStart + 30, run, resumed);
  CHECK(resumed);
  CHECK(run.wire == alone.wire);
}

TEST_CASE("rekey restarts a context's stream as a fresh context of that seed starts it") {
  auto used = LibraryContext::deterministic(5);
  unsigned char first[32], again[32], fresh[32];
  REQUIRE(RAND_bytes_ex(used->get(), first, sizeof first, 0) == 1);
  REQUIRE(RAND_bytes_ex(used->get(), again, sizeof again, 0) == 1);
  CHECK(std::memcmp(first, again, sizeof first) != 0);
  used->rekey(5);
  REQUIRE(RAND_bytes_ex(used->get(), again, sizeof again, 0) == 1);
  REQUIRE(RAND_bytes_ex(LibraryContext::deterministic(5)->get(), fresh, sizeof fresh, 0) == 1);
  CHECK(std::memcmp(first, again, sizeof first) == 0);
  CHECK(std::memcmp(first, fresh, sizeof first) == 0);
  used->rekey(5, "other");
  REQUIRE(RAND_bytes_ex(used->get(), again, sizeof again, 0) == 1);
  CHECK(std::memcmp(first, again, sizeof first) != 0);
}

TEST_CASE("system mode draws real randomness") {
  auto lib = LibraryContext::system();
  CHECK_FALSE(lib->is_deterministic());
  CertificateAuthority ca1(LibraryContext::system(), kStart);
  CertificateAuthority ca2(LibraryContext::system(), kStart);
  CHECK(ca1.certificate_der() != ca2.certificate_der());
  CHECK(LibraryContext::deterministic(1)->is_deterministic());
}
