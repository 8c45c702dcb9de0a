// tls::Session: one TLS connection, sans-I/O (OpenSSL 3 over two memory BIOs). Ciphertext
// in, plaintext out; plaintext in, ciphertext out; no socket, no clock, no thread. It sits
// between an io::Connection and an engine (docs/tls.md, "Integration"):
//
//   wire bytes   -> receive()        -> plaintext() -> engine.receive()
//   engine bytes -> send()           -> output()    -> connection.send()
//
// Same conventions as the engines (docs/architecture.md): output()/clear_output() or
// take_output() is what to put on the wire; plaintext()/clear_plaintext() or
// take_plaintext() is what the peer's application sent. A client writes its ClientHello
// as soon as it is made. send() before the handshake is done is queued and sent once it
// is. Time is a value (`now`, Unix seconds, the lab's clock): certificates are judged
// and cached sessions aged by it; the session never reads a clock for a decision.
//
// Results, never exceptions: receive(), send() and receive_eof() return Status; after a
// failure (Phase::Failed) error() says why, output() may still hold the fatal alert to
// send, and every later call returns kFailed and does nothing.
//
// Closing (RFC 8446 6.1): close() queues close_notify; the peer's close_notify makes
// peer_closed() true (an orderly end); receive_eof() without it is a truncation.
//
// Resumption: a client with a cache_key offers the session its context cached for that
// key (and the names it verifies); HandshakeInfo::resumed says whether the server took
// it. A server resumes from its context's cache (context.hpp).
//
// Invariants: the context outlives the session; memory per session is bounded by what
// the application leaves unread in plaintext()/output() plus one TLS record.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocols/tls/context.hpp"
#include "protocols/tls/openssl_util.hpp"
#include "protocols/tls/session_info.hpp"

namespace maillab::tls {

struct ClientParams {
  std::string server_name;                // SNI (RFC 6066 3): a host name, never an address; empty: none
  std::vector<std::string> verify_names;  // names the certificate must carry; empty: chain only
  std::string cache_key;                  // the peer, e.g. "mx.b.example:25"; empty: no resumption
};

enum class Status { Ok, Failed };
enum class Phase { Handshaking, Open, Closed, Failed };

class Session {
 public:
  Session(ServerContext& ctx, UnixTime now);
  Session(ClientContext& ctx, ClientParams params, UnixTime now);
  Session(Session&& other) noexcept;
  Session& operator=(Session&&) = delete;
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  ~Session();

  Role role() const { return role_; }
  void set_time(UnixTime now);

  Status receive(std::string_view ciphertext);
  Status send(std::string_view plaintext);
  void close();  // close_notify (once the handshake is done; else nothing to say)
  Status receive_eof();

  std::string_view output() const { return output_; }
  void clear_output() { output_.clear(); }
  std::string take_output() { return std::exchange(output_, {}); }
  std::string_view plaintext() const { return plaintext_; }
  void clear_plaintext() { plaintext_.clear(); }
  std::string take_plaintext() { return std::exchange(plaintext_, {}); }

  Phase phase() const;
  bool handshake_done() const { return handshake_done_; }
  bool failed() const { return error_.kind != ErrorKind::None; }
  bool peer_closed() const { return peer_closed_; }
  bool close_sent() const { return close_sent_; }

  const HandshakeInfo& info() const { return info_; }  // filled when handshake_done()
  PeerCertificate peer_certificate() const;             // the peer's, or present = false
  const Error& error() const { return error_; }

 private:
  friend class Context;
  static void install_callbacks(SSL_CTX* ctx, Role role);
  static Session* of(const SSL* ssl);
  static void on_info(const SSL* ssl, int where, int ret);
  static int on_new_session(SSL* ssl, SSL_SESSION* session);
  static SSL_SESSION* on_get_session(SSL* ssl, const unsigned char* id, int len, int* copy);
  static void on_remove_session(SSL_CTX* ctx, SSL_SESSION* session);

  void init(UnixTime now);
  void offer_cached_session();
  Status advance();
  Status read_plaintext();
  Status fail(int ssl_error);
  void on_handshake_done();
  void drain_output();

  Context* ctx_;
  Role role_;
  SslPtr ssl_;
  BIO* in_ = nullptr;   // owned by ssl_ (ciphertext from the peer)
  BIO* out_ = nullptr;  // owned by ssl_ (ciphertext for the peer)
  UnixTime now_ = 0;
  std::string cache_key_;  // client: cache_key + names; empty: no resumption
  std::string output_;
  std::string plaintext_;
  std::string pending_;  // send() before the handshake is done
  bool handshake_done_ = false;
  bool peer_closed_ = false;
  bool close_sent_ = false;
  std::string_view alert_sent_;
  std::string_view alert_received_;
  HandshakeInfo info_;
  Error error_;
};

}  // namespace maillab::tls
