// DKIM keys (RFC 6376 3.3, 3.6; RFC 8463 for Ed25519; RFC 8301 for the 1024-bit minimum
// and the end of rsa-sha1), on OpenSSL's libcrypto (EVP_PKEY, EVP_DigestSign/Verify).
//
// DkimPrivateKey::generate makes a key pair from seed bytes alone, so a simulated run
// with the same seed publishes and signs with the same keys on every machine:
// - ed25519: the 32-byte private key is SHA-256("maillab dkim ed25519" || seed) (RFC 8032
//   keys are 32 random bytes; this is those bytes).
// - rsa (2048 bits, e = 65537): each prime is the first probable prime (BN_check_prime,
//   with gcd(p-1, e) = 1) at or above a 1024-bit odd number whose two top bits are set,
//   read from SHA-256 in counter mode over the seed. Independent of OpenSSL's own key
//   generation, which may change between versions; the primes are as strong as the seed
//   is secret (a lab's keys are not meant to be).
// Signing and verifying (RFC 6376 3.3.1, RFC 8463 3): rsa-sha256 is RSASSA-PKCS1-v1_5 with
// SHA-256 over the data; ed25519-sha256 is PureEd25519 over SHA-256(data).
// A key object is parsed once and shared (std::shared_ptr): keys are immutable.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/types.h>

namespace maillab::auth {

enum class DkimAlgorithm { RsaSha256, Ed25519Sha256, RsaSha1 };
std::string_view to_string(DkimAlgorithm algorithm);
std::optional<DkimAlgorithm> parse_dkim_algorithm(std::string_view text);

std::string sha256(std::string_view data);
std::string sha1(std::string_view data);  // rsa-sha1 only (RFC 8301: historic)

class DkimPrivateKey {
 public:
  static DkimPrivateKey generate(DkimAlgorithm algorithm, std::string_view seed);
  // A PEM private key (PKCS#8 or PKCS#1 RSA, or an Ed25519 PKCS#8); nullopt otherwise.
  static std::optional<DkimPrivateKey> from_pem(std::string_view pem);
  // An Ed25519 key from its 32 raw bytes (RFC 8032 5.1.5); nullopt for another length.
  static std::optional<DkimPrivateKey> from_ed25519_raw(std::string_view raw);

  DkimAlgorithm algorithm() const { return algorithm_; }
  std::string private_pem() const;         // PKCS#8
  std::string ed25519_seed_base64() const;  // the raw 32-byte key (dkimpy's form); "" for RSA
  std::string public_key_base64() const;    // the p= value (RFC 6376 3.6.1, RFC 8463 4)
  std::string dns_record() const;           // "v=DKIM1; k=rsa; p=..."
  // The signature over `data` (raw bytes, not base64); "" if libcrypto fails.
  std::string sign(std::string_view data) const;

 private:
  DkimPrivateKey(DkimAlgorithm algorithm, std::shared_ptr<EVP_PKEY> key)
      : algorithm_(algorithm), key_(std::move(key)) {}
  DkimAlgorithm algorithm_;
  std::shared_ptr<EVP_PKEY> key_;
};

// A key record (RFC 6376 3.6.1) as the verifier uses it.
struct DkimPublicKey {
  std::string key_type = "rsa";     // k=
  std::vector<std::string> hashes;  // h= (empty: any)
  bool testing = false;             // t=y
  bool strict = false;              // t=s: i= must be in d= exactly
  bool revoked = false;             // p= empty
  std::shared_ptr<EVP_PKEY> key;    // null when revoked
  int bits = 0;
};

struct DkimKeyParse {
  std::optional<DkimPublicKey> key;
  std::string error;  // why the record cannot be used
};
DkimKeyParse parse_dkim_key_record(std::string_view text);

// True when `signature` is right for `data` under `key` and `algorithm`.
bool dkim_verify(const DkimPublicKey& key, DkimAlgorithm algorithm, std::string_view data,
                 std::string_view signature);

}  // namespace maillab::auth
