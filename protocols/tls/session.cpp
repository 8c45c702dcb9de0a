#include "protocols/tls/session.hpp"

#include <array>
#include <ctime>

#include <openssl/err.h>
#include <openssl/x509v3.h>

namespace maillab::tls {

namespace {

constexpr std::size_t kReadChunk = 16384;  // one TLS record's plaintext at most (RFC 8446 5.1)

bool is_version_reason(int reason) {
  switch (reason) {
    case SSL_R_UNSUPPORTED_PROTOCOL:
    case SSL_R_UNSUPPORTED_SSL_VERSION:
    case SSL_R_VERSION_TOO_LOW:
    case SSL_R_NO_PROTOCOLS_AVAILABLE:
    case SSL_R_TLSV1_ALERT_PROTOCOL_VERSION: return true;
    default: return false;
  }
}

// The client cache key: the peer, then what the session was verified against, so that a
// session is only resumed for the same SNI and the same expected names.
std::string client_cache_key(const ClientParams& p) {
  if (p.cache_key.empty()) return {};
  std::string key = p.cache_key;
  key += '\n';
  key += p.server_name;
  for (const std::string& name : p.verify_names) {
    key += '\n';
    key += name;
  }
  return key;
}

std::string_view server_cache_key(const unsigned char* id, unsigned int len) {
  return {reinterpret_cast<const char*>(id), len};
}

// OpenSSL 3.0 ages a session by the wall clock (time()): a client reports the ticket age
// as time() - the session's time, a server refuses a session older than its timeout by
// time(). The lab ages sessions by its own clock (SessionCache), so a session handed to
// OpenSSL gets time() as its time: the age on the wire is then always 0 s (OpenSSL rounds
// down by a second), whatever real time passed, and the bytes stay the same run to run.
void align_with_openssl_clock(SSL_SESSION* session) {
  SSL_SESSION_set_time(session, static_cast<long>(std::time(nullptr)));
}

}  // namespace

Session::Session(ServerContext& ctx, UnixTime now) : ctx_(&ctx), role_(Role::Server) {
  init(now);
  if (ssl_) SSL_set_accept_state(ssl_.get());
}

Session::Session(ClientContext& ctx, ClientParams params, UnixTime now) : ctx_(&ctx), role_(Role::Client) {
  init(now);
  if (!ssl_) return;
  SSL* s = ssl_.get();
  SSL_set_connect_state(s);
  info_.server_name = params.server_name;
  bool ok = params.server_name.empty() || SSL_set_tlsext_host_name(s, params.server_name.c_str()) == 1;
  X509_VERIFY_PARAM* vp = SSL_get0_param(s);
  X509_VERIFY_PARAM_set_hostflags(vp, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  for (std::size_t i = 0; ok && i < params.verify_names.size(); ++i) {
    const std::string& name = params.verify_names[i];
    ok = (i == 0 ? X509_VERIFY_PARAM_set1_host(vp, name.c_str(), name.size())
                 : X509_VERIFY_PARAM_add1_host(vp, name.c_str(), name.size())) == 1;
  }
  if (!ok) {
    fail(SSL_ERROR_SSL);
    error_.kind = ErrorKind::Internal;
    return;
  }
  cache_key_ = client_cache_key(params);
  offer_cached_session();
  advance();  // the ClientHello
}

Session::Session(Session&& other) noexcept
    : ctx_(other.ctx_),
      role_(other.role_),
      ssl_(std::move(other.ssl_)),
      in_(std::exchange(other.in_, nullptr)),
      out_(std::exchange(other.out_, nullptr)),
      now_(other.now_),
      cache_key_(std::move(other.cache_key_)),
      output_(std::move(other.output_)),
      plaintext_(std::move(other.plaintext_)),
      pending_(std::move(other.pending_)),
      handshake_done_(other.handshake_done_),
      peer_closed_(other.peer_closed_),
      close_sent_(other.close_sent_),
      alert_sent_(other.alert_sent_),
      alert_received_(other.alert_received_),
      info_(std::move(other.info_)),
      error_(std::move(other.error_)) {
  if (ssl_) SSL_set_app_data(ssl_.get(), this);
}

Session::~Session() = default;

void Session::init(UnixTime now) {
  ssl_.reset(SSL_new(ctx_->native()));
  in_ = BIO_new(BIO_s_mem());
  out_ = BIO_new(BIO_s_mem());
  if (!ssl_ || in_ == nullptr || out_ == nullptr) {
    BIO_free(in_);
    BIO_free(out_);
    in_ = out_ = nullptr;
    ssl_.reset();
    error_ = {ErrorKind::Internal, "cannot allocate a TLS session", {}, {}};
    return;
  }
  BIO_set_mem_eof_return(in_, -1);  // an empty input is "want more", not end of stream
  SSL_set_bio(ssl_.get(), in_, out_);
  SSL_set_app_data(ssl_.get(), this);
  set_time(now);
}

void Session::set_time(UnixTime now) {
  now_ = now;
  if (ssl_) X509_VERIFY_PARAM_set_time(SSL_get0_param(ssl_.get()), static_cast<time_t>(now));
}

void Session::offer_cached_session() {
  if (cache_key_.empty()) return;
  SSL_SESSION* cached = ctx_->cache_.find(cache_key_, now_);
  if (cached == nullptr || SSL_SESSION_is_resumable(cached) != 1) return;
  align_with_openssl_clock(cached);
  SSL_set_session(ssl_.get(), cached);
}

Status Session::receive(std::string_view ciphertext) {
  if (failed()) return Status::Failed;
  if (peer_closed_) return Status::Ok;  // nothing follows close_notify
  if (!ciphertext.empty() && BIO_write(in_, ciphertext.data(), static_cast<int>(ciphertext.size())) <= 0) {
    error_ = {ErrorKind::Internal, "cannot buffer ciphertext", {}, {}};
    return Status::Failed;
  }
  return advance();
}

Status Session::advance() {
  ERR_clear_error();
  if (!handshake_done_) {
    const int r = SSL_do_handshake(ssl_.get());
    if (r != 1) {
      const int e = SSL_get_error(ssl_.get(), r);
      if (e != SSL_ERROR_WANT_READ) return fail(e);
      drain_output();
      return Status::Ok;
    }
    on_handshake_done();
    if (!pending_.empty() && send(std::exchange(pending_, {})) != Status::Ok) return Status::Failed;
  }
  const Status st = read_plaintext();
  drain_output();
  return st;
}

Status Session::read_plaintext() {
  thread_local std::array<char, kReadChunk> buf;
  while (!peer_closed_) {
    std::size_t n = 0;
    const int r = SSL_read_ex(ssl_.get(), buf.data(), buf.size(), &n);
    if (r == 1) {
      plaintext_.append(buf.data(), n);
      continue;
    }
    const int e = SSL_get_error(ssl_.get(), r);
    if (e == SSL_ERROR_WANT_READ) return Status::Ok;
    if (e != SSL_ERROR_ZERO_RETURN) return fail(e);
    peer_closed_ = true;
  }
  return Status::Ok;
}

Status Session::send(std::string_view plaintext) {
  if (failed() || close_sent_) return Status::Failed;
  if (!handshake_done_) {
    pending_.append(plaintext);
    return Status::Ok;
  }
  ERR_clear_error();
  while (!plaintext.empty()) {
    std::size_t n = 0;
    const int r = SSL_write_ex(ssl_.get(), plaintext.data(), plaintext.size(), &n);
    if (r != 1) return fail(SSL_get_error(ssl_.get(), r));
    plaintext.remove_prefix(n);
  }
  drain_output();
  return Status::Ok;
}

void Session::close() {
  if (failed() || close_sent_) return;
  close_sent_ = true;
  pending_.clear();
  if (!handshake_done_) return;
  ERR_clear_error();
  SSL_shutdown(ssl_.get());  // queues close_notify; does not wait for the peer's
  ERR_clear_error();
  drain_output();
}

Status Session::receive_eof() {
  if (failed()) return Status::Failed;
  if (peer_closed_ || close_sent_) return Status::Ok;
  error_ = {ErrorKind::Truncated,
            handshake_done_ ? "connection closed without close_notify" : "connection closed during the handshake",
            alert_sent_, alert_received_};
  return Status::Failed;
}

Phase Session::phase() const {
  if (failed()) return Phase::Failed;
  if (peer_closed_ || close_sent_) return Phase::Closed;
  return handshake_done_ ? Phase::Open : Phase::Handshaking;
}

PeerCertificate Session::peer_certificate() const {
  return describe_certificate(ssl_ ? SSL_get0_peer_certificate(ssl_.get()) : nullptr);
}

Status Session::fail(int ssl_error) {
  const unsigned long first = ERR_peek_error();
  std::string detail = drain_openssl_errors();
  ErrorKind kind = ErrorKind::Internal;
  if (ssl_error == SSL_ERROR_SSL) {
    kind = ErrorKind::Protocol;
    if (!alert_received_.empty()) kind = ErrorKind::PeerAlert;
    if ((ERR_GET_LIB(first) == ERR_LIB_SSL && is_version_reason(ERR_GET_REASON(first))) ||
        alert_received_ == "protocol version" || alert_sent_ == "protocol version") {
      kind = ErrorKind::Version;
    }
  }
  if (detail.empty()) detail = "TLS failure (SSL_get_error " + std::to_string(ssl_error) + ")";
  error_ = {kind, std::move(detail), alert_sent_, alert_received_};
  drain_output();  // the fatal alert, if OpenSSL wrote one
  return Status::Failed;
}

void Session::on_handshake_done() {
  handshake_done_ = true;
  SSL* s = ssl_.get();
  info_.version = SSL_get_version(s);
  if (const SSL_CIPHER* c = SSL_get_current_cipher(s)) {
    info_.cipher = SSL_CIPHER_get_name(c);
    info_.cipher_bits = SSL_CIPHER_get_bits(c, &info_.cipher_alg_bits);
  }
  if (const int group = SSL_get_negotiated_group(s); group != NID_undef) {
    if (const char* name = SSL_group_to_name(s, group)) info_.group = name;
  }
  info_.resumed = SSL_session_reused(s) == 1;
  if (role_ == Role::Server) {
    if (const char* sni = SSL_get_servername(s, TLSEXT_NAMETYPE_host_name)) info_.server_name = sni;
  }
  if (SSL_get0_peer_certificate(s) != nullptr) {
    info_.verify_code = SSL_get_verify_result(s);
    info_.verification = classify_verify_result(info_.verify_code);
    info_.verify_detail = X509_verify_cert_error_string(info_.verify_code);
  }
}

void Session::drain_output() {
  const std::size_t n = BIO_ctrl_pending(out_);
  if (n == 0) return;
  const std::size_t old = output_.size();
  output_.resize(old + n);
  const int got = BIO_read(out_, output_.data() + old, static_cast<int>(n));
  output_.resize(old + (got > 0 ? static_cast<std::size_t>(got) : 0));
}

// OpenSSL's callbacks: the SSL's app data is its Session, the SSL_CTX's its Context.

Session* Session::of(const SSL* ssl) { return static_cast<Session*>(SSL_get_app_data(ssl)); }

void Session::install_callbacks(SSL_CTX* ctx, Role role) {
  SSL_CTX_set_info_callback(ctx, on_info);
  SSL_CTX_sess_set_new_cb(ctx, on_new_session);
  if (role == Role::Server) {
    SSL_CTX_sess_set_get_cb(ctx, on_get_session);
    SSL_CTX_sess_set_remove_cb(ctx, on_remove_session);
  }
}

void Session::on_info(const SSL* ssl, int where, int ret) {
  if ((where & SSL_CB_ALERT) == 0) return;
  Session* s = of(ssl);
  if (s == nullptr || std::string_view(SSL_alert_type_string_long(ret)) != "fatal") return;
  const std::string_view desc = SSL_alert_desc_string_long(ret);
  ((where & SSL_CB_READ) != 0 ? s->alert_received_ : s->alert_sent_) = desc;
}

int Session::on_new_session(SSL* ssl, SSL_SESSION* session) {
  Session* s = of(ssl);
  if (s == nullptr) return 0;
  if (s->role_ == Role::Server) {
    unsigned int len = 0;
    const unsigned char* id = SSL_SESSION_get_id(session, &len);
    s->ctx_->cache_.put(server_cache_key(id, len), session, s->now_);
  } else if (!s->cache_key_.empty() && SSL_SESSION_is_resumable(session) == 1) {
    s->ctx_->cache_.put(s->cache_key_, session, s->now_);
  }
  return 0;  // the cache took its own reference
}

SSL_SESSION* Session::on_get_session(SSL* ssl, const unsigned char* id, int len, int* copy) {
  *copy = 0;
  Session* s = of(ssl);
  if (s == nullptr || len < 0) return nullptr;
  SSL_SESSION* found = s->ctx_->cache_.find(server_cache_key(id, static_cast<unsigned int>(len)), s->now_);
  if (found == nullptr) return nullptr;
  align_with_openssl_clock(found);
  *copy = 1;  // OpenSSL takes a reference of its own
  return found;
}

void Session::on_remove_session(SSL_CTX* ctx, SSL_SESSION* session) {
  auto* c = static_cast<Context*>(SSL_CTX_get_app_data(ctx));
  if (c == nullptr) return;
  unsigned int len = 0;
  const unsigned char* id = SSL_SESSION_get_id(session, &len);
  c->cache_.erase(server_cache_key(id, len));
}

}  // namespace maillab::tls
