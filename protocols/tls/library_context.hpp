// tls::LibraryContext: one OpenSSL library context (OSSL_LIB_CTX) per simulated world, or
// one for the bridge. Every TLS object of the lab (keys, certificates, SSL_CTX, SSL) is
// made inside a LibraryContext, so two worlds in one process never share a random source.
//
// Two modes:
// - deterministic(seed, label): the context's random generator (the primary, public and
//   private DRBGs, and the seed source) is the lab's own EVP_RAND, a ChaCha20 keystream
//   keyed from (seed, label), registered with OSSL_PROVIDER_add_builtin and chosen for this
//   context only with RAND_set_DRBG_type / RAND_set_seed_source_type (the pattern of
//   OpenSSL's test/testutil/fake_random.c, public 3.0 API). Every random byte OpenSSL
//   draws in this context (client/server randoms, ECDHE keys, ECDSA nonces, session ids,
//   ticket keys, certificate keys and serials) comes from that stream, so the same seed,
//   label and sequence of calls give the same bytes. No entropy is ever read. Nothing
//   here is secret: it is a simulation.
// - system(): OpenSSL's own CTR-DRBG seeded from the operating system (the bridge).
//
// Invariants: the context outlives every object made in it (holders keep a shared_ptr);
// a deterministic context is used from one thread at a time (a world is single-threaded;
// the stream is locked anyway).
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include <openssl/types.h>

namespace maillab::tls {

namespace detail {
struct DeterministicStream;
}

class LibraryContext {
 public:
  // The label separates streams made from one seed (e.g. "tls" for a world's connections,
  // "ca" for its certificate authority): one stream per purpose.
  static std::shared_ptr<LibraryContext> deterministic(std::uint64_t seed,
                                                       std::string_view label = "tls");
  static std::shared_ptr<LibraryContext> system();

  ~LibraryContext();
  LibraryContext(const LibraryContext&) = delete;
  LibraryContext& operator=(const LibraryContext&) = delete;

  // Deterministic contexts only: restarts the random stream as deterministic(seed, label)
  // starts it. What is made afterwards draws what it would draw in a fresh context (the
  // fuzz target replays each input this way without paying for a new OSSL_LIB_CTX).
  void rekey(std::uint64_t seed, std::string_view label = "tls");

  OSSL_LIB_CTX* get() const { return ctx_; }
  bool is_deterministic() const { return stream_ != nullptr; }

 private:
  LibraryContext() = default;
  void load_default_provider();  // a new ctx_ with OpenSSL's default provider

  OSSL_LIB_CTX* ctx_ = nullptr;
  std::vector<OSSL_PROVIDER*> providers_;  // loaded by us, unloaded before ctx_ is freed
  std::unique_ptr<detail::DeterministicStream> stream_;
};

}  // namespace maillab::tls
