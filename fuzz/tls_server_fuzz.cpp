// tls_server_fuzz: arbitrary client bytes into a server-side tls::Session (the lab's
// ServerContext with a lab CA certificate, deterministic library context), split into many
// receive() calls (fuzz_support.hpp).
//
// Flags: bit 0 a lab client completes a handshake first, and the payload comes after it;
// bit 1 (with bit 0) the payload is plaintext the client encrypts with send(), else raw
// bytes injected into the record stream; bit 2 the lab client offers TLS 1.2 at most;
// bit 3 the session ends with receive_eof() instead of the client's close_notify.
//
// The world (CA, certificate, library context, server and client contexts) is made once;
// each input restarts the library context's random stream (LibraryContext::rekey), so an
// input always meets the same randoms and a crash replays.
//
// Checks:
// - no plaintext without a lab client's handshake: raw bytes never complete a handshake
//   (nobody but the client holds the keys) and never yield plaintext; raw bytes injected
//   after a handshake never yield plaintext either (they cannot pass the record MAC);
// - plaintext sent by the lab client arrives exactly, whatever the split, and the session
//   neither fails nor closes;
// - a failure is an error result with a kind (never kInternal: memory BIOs never fail),
//   and a failed session stays failed: later bytes give kFailed and no new output;
// - what the server writes stays small (its handshake flight and alerts: < 16 kB);
// - receive_eof() is orderly exactly when close_notify came first.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "fuzz/fuzz_support.hpp"
#include "protocols/tls/certificate_authority.hpp"
#include "protocols/tls/context.hpp"
#include "protocols/tls/session_pair.hpp"

using namespace maillab;
using namespace maillab::tls;
using fuzz::Input;

namespace {

constexpr UnixTime kStart = 1772442000;

struct Lab {
  CertificateAuthority ca{LibraryContext::deterministic(1, "ca"), kStart};
  std::shared_ptr<const Credentials> cred = ca.issue({"mx.b.example"});
  std::shared_ptr<LibraryContext> lib = LibraryContext::deterministic(1);
  ServerContext server{lib, *cred};
  ClientContext client{lib, ca.certificate_pem()};
  ClientContext client12{lib, ca.certificate_pem()};

  Lab() { SSL_CTX_set_max_proto_version(client12.native(), TLS1_2_VERSION); }
};

Lab& lab() {
  static Lab instance;
  return instance;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Input in = Input::from(data, size);
  const bool handshake_first = in.flag(0);
  const bool as_plaintext = handshake_first && in.flag(1);

  Lab& w = lab();
  w.lib->rekey(1);
  Session server(w.server, kStart);
  Session client(in.flag(2) ? w.client12 : w.client, ClientParams{"mx.b.example", {"mx.b.example"}, ""}, kStart);
  if (handshake_first) {
    FUZZ_CHECK(pump(client, server), server.error().detail);
    FUZZ_CHECK(server.handshake_done() && client.handshake_done(), "the lab's own handshake failed");
  }

  std::string wrote;  // server output since the handshake
  bool failed_before = false;
  in.feed_chunks([&](std::string_view chunk) {
    if (as_plaintext) {
      FUZZ_CHECK(client.send(chunk) == Status::Ok, client.error().detail);
      FUZZ_CHECK(server.receive(client.output()) == Status::Ok, server.error().detail);
      client.clear_output();
    } else {
      const std::size_t before = server.output().size();
      const Status st = server.receive(chunk);
      FUZZ_CHECK((st == Status::Failed) == server.failed(), "status and failed() disagree");
      if (failed_before) FUZZ_CHECK(st == Status::Failed && server.output().size() == before, "a failed session moved");
      failed_before = server.failed();
    }
    wrote += server.output();
    server.clear_output();
  });

  if (server.failed()) {
    FUZZ_CHECK(server.error().kind != ErrorKind::None && server.error().kind != ErrorKind::Internal,
               std::string(to_string(server.error().kind)) + ": " + server.error().detail);
    FUZZ_CHECK(!server.error().detail.empty(), "an error without a reason");
  }
  FUZZ_CHECK(wrote.size() < 16384, "the server wrote " + std::to_string(wrote.size()) + " bytes");
  if (as_plaintext) {
    FUZZ_CHECK(!server.failed() && !server.peer_closed(), server.error().detail);
    FUZZ_CHECK(server.plaintext() == in.payload, "plaintext changed on the way");
  } else {
    FUZZ_CHECK(server.plaintext().empty(), "plaintext from bytes without the keys");
    if (!handshake_first) FUZZ_CHECK(!server.handshake_done(), "a handshake without a client");
  }

  if (!in.flag(3) && handshake_first && !server.failed()) {
    client.close();
    pump(client, server);
  }
  const bool was_failed = server.failed();
  const Status eof = server.receive_eof();
  if (!was_failed) FUZZ_CHECK((eof == Status::Ok) == server.peer_closed(), "orderly end without close_notify");
  if (eof == Status::Failed && !was_failed) FUZZ_CHECK(server.error().kind == ErrorKind::Truncated, "wrong end");
  return 0;
}
