#include "protocols/tls/library_context.hpp"

#include <array>
#include <cassert>
#include <string>

#include <openssl/evp.h>
#include <openssl/provider.h>

#include "protocols/tls/deterministic_random.hpp"
#include "protocols/tls/openssl_util.hpp"

namespace maillab::tls {

namespace {

// key = SHA-256("maillab tls drbg" | seed, little-endian | label)
std::array<unsigned char, 32> stream_key(OSSL_LIB_CTX* ctx, std::uint64_t seed, std::string_view label) {
  std::string material = "maillab tls drbg";
  for (int i = 0; i < 8; ++i) material.push_back(static_cast<char>((seed >> (8 * i)) & 0xff));
  material.append(label);
  std::array<unsigned char, 32> key{};
  size_t key_len = 0;
  check_setup(EVP_Q_digest(ctx, "SHA256", nullptr, material.data(), material.size(), key.data(), &key_len) == 1 &&
                  key_len == key.size(),
              "deriving the deterministic DRBG key");
  return key;
}

}  // namespace

void LibraryContext::load_default_provider() {
  ctx_ = OSSL_LIB_CTX_new();
  check_setup(ctx_ != nullptr, "OSSL_LIB_CTX_new");
  OSSL_PROVIDER* prov = OSSL_PROVIDER_load(ctx_, "default");
  check_setup(prov != nullptr, "loading the default provider");
  providers_.push_back(prov);
}

std::shared_ptr<LibraryContext> LibraryContext::deterministic(std::uint64_t seed, std::string_view label) {
  std::shared_ptr<LibraryContext> lib(new LibraryContext());
  lib->load_default_provider();
  lib->stream_ = std::make_unique<detail::DeterministicStream>();

  OSSL_PROVIDER* drbg =
      detail::install_deterministic_random(lib->ctx_, *lib->stream_, stream_key(lib->ctx_, seed, label));
  check_setup(drbg != nullptr, "installing the deterministic DRBG");
  lib->providers_.push_back(drbg);
  return lib;
}

void LibraryContext::rekey(std::uint64_t seed, std::string_view label) {
  assert(stream_ != nullptr);  // deterministic contexts only
  check_setup(stream_->rekey(stream_key(ctx_, seed, label)), "rekeying the deterministic DRBG");
}

std::shared_ptr<LibraryContext> LibraryContext::system() {
  std::shared_ptr<LibraryContext> lib(new LibraryContext());
  lib->load_default_provider();
  return lib;
}

LibraryContext::~LibraryContext() {
  // The cipher was fetched from ctx_, so it goes first; nothing draws random bytes while
  // the context is being freed.
  if (stream_) stream_->shut_down();
  for (auto it = providers_.rbegin(); it != providers_.rend(); ++it) OSSL_PROVIDER_unload(*it);
  OSSL_LIB_CTX_free(ctx_);
}

}  // namespace maillab::tls
