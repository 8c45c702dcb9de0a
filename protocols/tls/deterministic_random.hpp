// The lab's deterministic EVP_RAND (internal to protocols/tls/): a provider, added to one
// library context with OSSL_PROVIDER_add_builtin, whose only algorithm "MAILLAB-DRBG" is
// a ChaCha20 keystream. LibraryContext::deterministic() installs it as the context's DRBG
// and seed source; see library_context.hpp for why.
//
// Invariants: every DRBG instance of one context (primary, and each thread's public and
// private) draws from the one DeterministicStream of that context, under its lock, so the
// bytes depend only on the key and the order of the draws; the stream outlives the
// library context's use of it (the context frees the cipher before it frees the library
// context, after which no draw can happen).
#pragma once

#include <array>
#include <cstdint>
#include <mutex>

#include <openssl/evp.h>
#include <openssl/types.h>

namespace maillab::tls::detail {

struct DeterministicStream {
  std::mutex lock;
  EVP_CIPHER_CTX* cipher = nullptr;  // ChaCha20 keyed from the seed; null once shut down

  ~DeterministicStream() { shut_down(); }
  void shut_down();
  // Restarts the keystream from `key` (counter zero). False once shut down.
  bool rekey(const std::array<unsigned char, 32>& key);
  // Fills out[0..n) with the next n bytes of the keystream. False once shut down.
  bool generate(unsigned char* out, std::size_t n);
};

// Keys `stream` (ChaCha20 fetched from `ctx`, key = SHA-256(seed, label)), registers the
// provider in `ctx` and makes it the context's DRBG and seed source. Returns the loaded
// provider (the caller unloads it), or nullptr on failure (the OpenSSL error queue says why).
OSSL_PROVIDER* install_deterministic_random(OSSL_LIB_CTX* ctx, DeterministicStream& stream,
                                  const std::array<unsigned char, 32>& key);

}  // namespace maillab::tls::detail
