// Small helpers around OpenSSL's C API for protocols/tls/: owning pointers with the right
// free function, and the text of the error queue.
//
// Invariants: every OpenSSL object this module keeps is held by one of these pointers, so
// nothing leaks on an early return; the error queue is per thread and shared by every
// OpenSSL user in the process, so a caller clears it before the call whose errors it reads.
#pragma once

#include <memory>
#include <string>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace maillab::tls {

template <class T, void (*Free)(T*)>
struct OsslDeleter {
  void operator()(T* p) const noexcept { Free(p); }
};

using BioPtr = std::unique_ptr<BIO, OsslDeleter<BIO, BIO_free_all>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, OsslDeleter<EVP_PKEY, EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, OsslDeleter<X509, X509_free>>;
using SslPtr = std::unique_ptr<SSL, OsslDeleter<SSL, SSL_free>>;
using SslCtxPtr = std::unique_ptr<SSL_CTX, OsslDeleter<SSL_CTX, SSL_CTX_free>>;

// The reasons on this thread's OpenSSL error queue, oldest first, joined with "; " (empty
// when the queue is empty). Empties the queue.
std::string drain_openssl_errors();

// Throws std::runtime_error("tls: <what>: <queued OpenSSL reasons>") when !ok. For set-up
// only (contexts, the CA): never on a connection's path.
void check_setup(bool ok, const char* what);

}  // namespace maillab::tls
