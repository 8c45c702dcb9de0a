#include "protocols/tls/deterministic_random.hpp"

#include <climits>
#include <cstring>
#include <new>

#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/provider.h>
#include <openssl/rand.h>

namespace maillab::tls::detail {

void DeterministicStream::shut_down() {
  std::lock_guard<std::mutex> guard(lock);
  EVP_CIPHER_CTX_free(cipher);
  cipher = nullptr;
}

bool DeterministicStream::rekey(const std::array<unsigned char, 32>& key) {
  std::lock_guard<std::mutex> guard(lock);
  const unsigned char iv[16] = {};  // counter and nonce start at zero: the key is unique
  return cipher != nullptr && EVP_EncryptInit_ex2(cipher, nullptr, key.data(), iv, nullptr) == 1;
}

bool DeterministicStream::generate(unsigned char* out, std::size_t n) {
  std::lock_guard<std::mutex> guard(lock);
  if (cipher == nullptr) return false;
  // The keystream is ChaCha20 applied to zeros, in place.
  std::memset(out, 0, n);
  while (n > 0) {
    const int chunk = n > static_cast<std::size_t>(INT_MAX / 2) ? INT_MAX / 2 : static_cast<int>(n);
    int len = 0;
    if (EVP_EncryptUpdate(cipher, out, &len, out, chunk) != 1 || len != chunk) return false;
    out += chunk;
    n -= static_cast<std::size_t>(chunk);
  }
  return true;
}

namespace {

constexpr const char* kProviderName = "maillab-drbg";
constexpr const char* kAlgorithmName = "MAILLAB-DRBG";
constexpr const char* kProperties = "provider=maillab-drbg";

// OSSL_PROVIDER_add_builtin takes a plain function: the stream to hand to the provider
// being loaded travels through this, set only around OSSL_PROVIDER_try_load (which runs
// the init function before it returns).
thread_local DeterministicStream* loading = nullptr;

// One DRBG instance (primary, public, private or seed source): a view of the stream.
struct Instance {
  DeterministicStream* stream;
  int state = EVP_RAND_STATE_UNINITIALISED;
};

void* rand_newctx(void* provctx, void* /*parent*/, const OSSL_DISPATCH* /*parent_calls*/) {
  return new (std::nothrow) Instance{static_cast<DeterministicStream*>(provctx)};
}

void rand_freectx(void* vctx) { delete static_cast<Instance*>(vctx); }

int rand_instantiate(void* vctx, unsigned int /*strength*/, int /*prediction_resistance*/,
                     const unsigned char* /*pstr*/, size_t /*pstr_len*/, const OSSL_PARAM* /*params*/) {
  static_cast<Instance*>(vctx)->state = EVP_RAND_STATE_READY;
  return 1;
}

int rand_uninstantiate(void* vctx) {
  static_cast<Instance*>(vctx)->state = EVP_RAND_STATE_UNINITIALISED;
  return 1;
}

// Additional input and prediction resistance are ignored: taking entropy from anywhere
// but the seed would break determinism.
int rand_generate(void* vctx, unsigned char* out, size_t outlen, unsigned int strength,
                  int /*prediction_resistance*/, const unsigned char* /*adin*/, size_t /*adinlen*/) {
  auto* inst = static_cast<Instance*>(vctx);
  if (inst->state != EVP_RAND_STATE_READY || strength > 256) return 0;
  return inst->stream->generate(out, outlen) ? 1 : 0;
}

int rand_reseed(void* /*vctx*/, int /*prediction_resistance*/, const unsigned char* /*ent*/,
                size_t /*ent_len*/, const unsigned char* /*adin*/, size_t /*adin_len*/) {
  return 1;  // the stream is its own seed
}

int rand_enable_locking(void* /*vctx*/) { return 1; }  // the stream has its own lock

int rand_get_ctx_params(void* vctx, OSSL_PARAM params[]) {
  auto* inst = static_cast<Instance*>(vctx);
  OSSL_PARAM* p = OSSL_PARAM_locate(params, OSSL_RAND_PARAM_STATE);
  if (p != nullptr && !OSSL_PARAM_set_int(p, inst->state)) return 0;
  p = OSSL_PARAM_locate(params, OSSL_RAND_PARAM_STRENGTH);
  if (p != nullptr && !OSSL_PARAM_set_uint(p, 256)) return 0;
  p = OSSL_PARAM_locate(params, OSSL_RAND_PARAM_MAX_REQUEST);
  if (p != nullptr && !OSSL_PARAM_set_size_t(p, 1u << 16)) return 0;
  return 1;
}

const OSSL_PARAM* rand_gettable_ctx_params(void* /*vctx*/, void* /*provctx*/) {
  static const OSSL_PARAM known[] = {
      OSSL_PARAM_int(OSSL_RAND_PARAM_STATE, nullptr),
      OSSL_PARAM_uint(OSSL_RAND_PARAM_STRENGTH, nullptr),
      OSSL_PARAM_size_t(OSSL_RAND_PARAM_MAX_REQUEST, nullptr),
      OSSL_PARAM_END,
  };
  return known;
}

using Fn = void (*)();

const OSSL_DISPATCH kRandFunctions[] = {
    {OSSL_FUNC_RAND_NEWCTX, reinterpret_cast<Fn>(rand_newctx)},
    {OSSL_FUNC_RAND_FREECTX, reinterpret_cast<Fn>(rand_freectx)},
    {OSSL_FUNC_RAND_INSTANTIATE, reinterpret_cast<Fn>(rand_instantiate)},
    {OSSL_FUNC_RAND_UNINSTANTIATE, reinterpret_cast<Fn>(rand_uninstantiate)},
    {OSSL_FUNC_RAND_GENERATE, reinterpret_cast<Fn>(rand_generate)},
    {OSSL_FUNC_RAND_RESEED, reinterpret_cast<Fn>(rand_reseed)},
    {OSSL_FUNC_RAND_ENABLE_LOCKING, reinterpret_cast<Fn>(rand_enable_locking)},
    {OSSL_FUNC_RAND_GETTABLE_CTX_PARAMS, reinterpret_cast<Fn>(rand_gettable_ctx_params)},
    {OSSL_FUNC_RAND_GET_CTX_PARAMS, reinterpret_cast<Fn>(rand_get_ctx_params)},
    {0, nullptr},
};

const OSSL_ALGORITHM kRandAlgorithms[] = {
    {kAlgorithmName, kProperties, kRandFunctions, "maillab deterministic DRBG (simulation only)"},
    {nullptr, nullptr, nullptr, nullptr},
};

const OSSL_ALGORITHM* provider_query(void* /*provctx*/, int operation_id, int* no_store) {
  *no_store = 0;
  return operation_id == OSSL_OP_RAND ? kRandAlgorithms : nullptr;
}

void provider_teardown(void* /*provctx*/) {}  // the stream belongs to the LibraryContext

const OSSL_DISPATCH kProviderFunctions[] = {
    {OSSL_FUNC_PROVIDER_TEARDOWN, reinterpret_cast<Fn>(provider_teardown)},
    {OSSL_FUNC_PROVIDER_QUERY_OPERATION, reinterpret_cast<Fn>(provider_query)},
    {0, nullptr},
};

int provider_init(const OSSL_CORE_HANDLE* /*handle*/, const OSSL_DISPATCH* /*in*/,
                  const OSSL_DISPATCH** out, void** provctx) {
  if (loading == nullptr) return 0;
  *provctx = loading;
  *out = kProviderFunctions;
  return 1;
}

}  // namespace

OSSL_PROVIDER* install_deterministic_random(OSSL_LIB_CTX* ctx, DeterministicStream& stream,
                                  const std::array<unsigned char, 32>& key) {
  EVP_CIPHER* chacha = EVP_CIPHER_fetch(ctx, "ChaCha20", nullptr);
  if (chacha == nullptr) return nullptr;
  stream.cipher = EVP_CIPHER_CTX_new();
  const bool keyed = stream.cipher != nullptr &&
                     EVP_EncryptInit_ex2(stream.cipher, chacha, nullptr, nullptr, nullptr) == 1 &&
                     stream.rekey(key);
  EVP_CIPHER_free(chacha);
  if (!keyed) return nullptr;

  if (OSSL_PROVIDER_add_builtin(ctx, kProviderName, provider_init) != 1) return nullptr;
  loading = &stream;
  OSSL_PROVIDER* prov = OSSL_PROVIDER_try_load(ctx, kProviderName, 1);
  loading = nullptr;
  if (prov == nullptr) return nullptr;
  // Before any draw in this context: the primary DRBG is made on first use.
  if (RAND_set_DRBG_type(ctx, kAlgorithmName, kProperties, nullptr, nullptr) != 1 ||
      RAND_set_seed_source_type(ctx, kAlgorithmName, kProperties) != 1 || RAND_get0_primary(ctx) == nullptr) {
    OSSL_PROVIDER_unload(prov);
    return nullptr;
  }
  return prov;
}

}  // namespace maillab::tls::detail
