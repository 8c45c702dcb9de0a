#include "protocols/tls/context.hpp"

#include <utility>

#include <openssl/pem.h>

#include "protocols/tls/session.hpp"

namespace maillab::tls {

namespace {

constexpr unsigned char kSessionIdContext[] = "maillab";

}  // namespace

Context::Context(std::shared_ptr<LibraryContext> lib, Role role, SessionCacheOptions cache)
    : lib_(std::move(lib)), role_(role), cache_(cache) {
  const SSL_METHOD* method = role == Role::Server ? TLS_server_method() : TLS_client_method();
  ctx_.reset(SSL_CTX_new_ex(lib_->get(), nullptr, method));
  check_setup(ctx_ != nullptr, "SSL_CTX_new_ex");
  SSL_CTX* c = ctx_.get();
  SSL_CTX_set_app_data(c, this);
  check_setup(SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION) == 1 &&
                  SSL_CTX_set_max_proto_version(c, TLS1_3_VERSION) == 1,
              "limiting the protocol versions to TLS 1.2 and 1.3");
  SSL_CTX_set_options(c, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
  // OpenSSL's built-in defaults, whatever a machine's openssl.cnf says (a system_default
  // section would otherwise change the handshake, and with it the simulation's bytes).
  SSL_CTX_set_security_level(c, 2);
  check_setup(SSL_CTX_set_ciphersuites(c, OSSL_default_ciphersuites()) == 1 &&
                  SSL_CTX_set_cipher_list(c, OSSL_default_cipher_list()) == 1,
              "setting the cipher suites");
  SSL_CTX_set_timeout(c, static_cast<long>(cache.lifetime));
  Session::install_callbacks(c, role);
}

Context::~Context() = default;

void Context::set_key_log(KeyLogFn fn) {
  key_log_ = std::move(fn);
  SSL_CTX_set_keylog_callback(ctx_.get(), key_log_ ? on_key_log : nullptr);
}

void Context::on_key_log(const SSL* ssl, const char* line) {
  auto* ctx = static_cast<Context*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
  if (ctx != nullptr && ctx->key_log_ && line != nullptr) ctx->key_log_(line);
}

ServerContext::ServerContext(std::shared_ptr<LibraryContext> lib, const Credentials& credentials,
                             ServerOptions options)
    : Context(std::move(lib), Role::Server, options.session_cache) {
  SSL_CTX* c = native();
  OSSL_LIB_CTX* libctx = library()->get();
  X509Ptr cert(X509_new_ex(libctx, nullptr));
  X509* raw_cert = cert.get();
  const auto* p = reinterpret_cast<const unsigned char*>(credentials.certificate_der.data());
  check_setup(raw_cert != nullptr &&
                  d2i_X509(&raw_cert, &p, static_cast<long>(credentials.certificate_der.size())) != nullptr,
              "reading the host certificate");
  p = reinterpret_cast<const unsigned char*>(credentials.private_key_der.data());
  PkeyPtr key(d2i_AutoPrivateKey_ex(nullptr, &p, static_cast<long>(credentials.private_key_der.size()),
                                    libctx, nullptr));
  check_setup(key != nullptr, "reading the host key");
  check_setup(SSL_CTX_use_certificate(c, raw_cert) == 1 && SSL_CTX_use_PrivateKey(c, key.get()) == 1 &&
                  SSL_CTX_check_private_key(c) == 1,
              "installing the host certificate");
  certificate_ = describe_certificate(raw_cert);
  SSL_CTX_set_options(c, SSL_OP_NO_TICKET);
  SSL_CTX_set_num_tickets(c, 1);
  SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_SERVER | SSL_SESS_CACHE_NO_INTERNAL |
                                        SSL_SESS_CACHE_NO_AUTO_CLEAR);
  check_setup(SSL_CTX_set_session_id_context(c, kSessionIdContext, sizeof kSessionIdContext - 1) == 1,
              "setting the session id context");
  SSL_CTX_set_verify(c, SSL_VERIFY_NONE, nullptr);
}

ClientContext::ClientContext(std::shared_ptr<LibraryContext> lib, std::string_view trusted_pem,
                             ClientOptions options)
    : Context(std::move(lib), Role::Client, options.session_cache) {
  SSL_CTX* c = native();
  X509_STORE* store = SSL_CTX_get_cert_store(c);
  BioPtr bio(BIO_new_mem_buf(trusted_pem.data(), static_cast<int>(trusted_pem.size())));
  check_setup(bio != nullptr, "reading the trusted certificates");
  int added = 0;
  for (;;) {
    X509Ptr cert(X509_new_ex(library()->get(), nullptr));
    X509* raw = cert.get();
    if (raw == nullptr || PEM_read_bio_X509(bio.get(), &raw, nullptr, nullptr) == nullptr) break;
    check_setup(X509_STORE_add_cert(store, raw) == 1, "trusting a certificate");
    ++added;
  }
  drain_openssl_errors();  // the end of the PEM text is queued as an error
  check_setup(added > 0 || trusted_pem.empty(), "no certificate in the trusted PEM text");
  SSL_CTX_set_verify(c, SSL_VERIFY_NONE, nullptr);
  SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
}

}  // namespace maillab::tls
