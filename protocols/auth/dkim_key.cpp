#include "protocols/auth/dkim_key.hpp"

#include <cstring>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "protocols/auth/tag_list.hpp"
#include "protocols/auth/text.hpp"
#include "protocols/message/base64.hpp"

namespace maillab::auth {

namespace {

std::shared_ptr<EVP_PKEY> own(EVP_PKEY* key) { return {key, EVP_PKEY_free}; }

using BnPtr = std::unique_ptr<BIGNUM, decltype(&BN_free)>;
BnPtr bn() { return {BN_new(), BN_free}; }

// SHA-256 in counter mode over the seed: a reproducible byte stream for key generation.
class SeedStream {
 public:
  SeedStream(std::string_view seed, std::string_view label) : base_(std::string(label) + '\0' + std::string(seed)) {}
  std::string bytes(std::size_t n) {
    std::string out;
    while (out.size() < n) {
      std::string block = base_;
      for (int s = 24; s >= 0; s -= 8) block += static_cast<char>((counter_ >> s) & 0xff);
      ++counter_;
      out += sha256(block);
    }
    out.resize(n);
    return out;
  }

 private:
  std::string base_;
  std::uint32_t counter_ = 0;
};

BnPtr find_prime(SeedStream& stream, const BIGNUM* e, BN_CTX* ctx) {
  while (true) {
    auto raw = stream.bytes(128);
    BnPtr p(BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()), 128, nullptr), BN_free);
    BN_set_bit(p.get(), 1023);
    BN_set_bit(p.get(), 1022);
    BN_set_bit(p.get(), 0);
    auto p1 = bn(), g = bn();
    while (BN_num_bits(p.get()) == 1024) {
      if (BN_check_prime(p.get(), ctx, nullptr) == 1) {
        BN_sub(p1.get(), p.get(), BN_value_one());
        BN_gcd(g.get(), p1.get(), e, ctx);
        if (BN_is_one(g.get())) return p;
      }
      BN_add_word(p.get(), 2);
    }
  }
}

std::shared_ptr<EVP_PKEY> rsa_from_seed(std::string_view seed) {
  std::unique_ptr<BN_CTX, decltype(&BN_CTX_free)> ctx(BN_CTX_new(), BN_CTX_free);
  auto e = bn();
  BN_set_word(e.get(), 65537);
  SeedStream stream(seed, "maillab dkim rsa-2048");
  auto p = find_prime(stream, e.get(), ctx.get());
  auto q = find_prime(stream, e.get(), ctx.get());
  while (BN_cmp(p.get(), q.get()) == 0) q = find_prime(stream, e.get(), ctx.get());
  auto n = bn(), p1 = bn(), q1 = bn(), phi = bn(), d = bn(), dmp1 = bn(), dmq1 = bn(), iqmp = bn();
  BN_mul(n.get(), p.get(), q.get(), ctx.get());
  BN_sub(p1.get(), p.get(), BN_value_one());
  BN_sub(q1.get(), q.get(), BN_value_one());
  BN_mul(phi.get(), p1.get(), q1.get(), ctx.get());
  BN_mod_inverse(d.get(), e.get(), phi.get(), ctx.get());
  BN_mod(dmp1.get(), d.get(), p1.get(), ctx.get());
  BN_mod(dmq1.get(), d.get(), q1.get(), ctx.get());
  BN_mod_inverse(iqmp.get(), q.get(), p.get(), ctx.get());

  std::unique_ptr<OSSL_PARAM_BLD, decltype(&OSSL_PARAM_BLD_free)> bld(OSSL_PARAM_BLD_new(), OSSL_PARAM_BLD_free);
  OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get());
  OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get());
  OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_D, d.get());
  OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_FACTOR1, p.get());
  OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_FACTOR2, q.get());
  OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_EXPONENT1, dmp1.get());
  OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_EXPONENT2, dmq1.get());
  OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_COEFFICIENT1, iqmp.get());
  std::unique_ptr<OSSL_PARAM, decltype(&OSSL_PARAM_free)> params(OSSL_PARAM_BLD_to_param(bld.get()), OSSL_PARAM_free);
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> pctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr),
                                                                    EVP_PKEY_CTX_free);
  EVP_PKEY* key = nullptr;
  if (EVP_PKEY_fromdata_init(pctx.get()) <= 0 ||
      EVP_PKEY_fromdata(pctx.get(), &key, EVP_PKEY_KEYPAIR, params.get()) <= 0) {
    return nullptr;
  }
  return own(key);
}

// The RSA key of a SubjectPublicKeyInfo whose algorithm is rsaEncryption (RFC 3279
// 2.3.1), read without OpenSSL 3's decoder framework: d2i_PUBKEY builds an OSSL_DECODER
// context per call (about 270 us in OpenSSL 3.0, most of a key record's parse), while
// the DER around an RSAPublicKey is three headers. Null for anything else (another
// algorithm, trailing bytes, a malformed header): the caller then tries d2i_PUBKEY.
EVP_PKEY* rsa_from_spki(const unsigned char* der, long size) {
  static constexpr unsigned char kRsaAlgorithm[] = {0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7,
                                                    0x0D, 0x01, 0x01, 0x01, 0x05, 0x00};
  const unsigned char* p = der;
  const unsigned char* const end = der + size;
  long len = 0;
  int tag = 0, cls = 0;
  auto header = [&](int want_tag, bool constructed) {  // 0x80: error, 1: indefinite length
    const int r = ASN1_get_object(&p, &len, &tag, &cls, end - p);
    return (r & 0x81) == 0 && ((r & V_ASN1_CONSTRUCTED) != 0) == constructed && tag == want_tag &&
           cls == V_ASN1_UNIVERSAL && len <= end - p;
  };
  if (!header(V_ASN1_SEQUENCE, true) || p + len != end) return nullptr;
  if (!header(V_ASN1_SEQUENCE, true)) return nullptr;
  const bool with_null = len == static_cast<long>(sizeof kRsaAlgorithm);
  if (!with_null && len != static_cast<long>(sizeof kRsaAlgorithm) - 2) return nullptr;
  if (std::memcmp(p, kRsaAlgorithm, static_cast<std::size_t>(len)) != 0) return nullptr;
  p += len;
  if (!header(V_ASN1_BIT_STRING, false) || p + len != end || len < 2 || *p != 0) return nullptr;
  const unsigned char* inner = p + 1;
  EVP_PKEY* key = d2i_PublicKey(EVP_PKEY_RSA, nullptr, &inner, len - 1);
  if (key && inner != end) {
    EVP_PKEY_free(key);
    key = nullptr;
  }
  return key;
}

std::string bio_string(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(len));
}

bool digest_sign_or_verify(EVP_PKEY* key, DkimAlgorithm algorithm, std::string_view data,
                           std::string* signature_out, std::string_view signature_in) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  std::string input(data);
  const EVP_MD* md = algorithm == DkimAlgorithm::RsaSha1 ? EVP_sha1() : EVP_sha256();
  if (algorithm == DkimAlgorithm::Ed25519Sha256) {
    input = sha256(data);
    md = nullptr;
  }
  auto in = reinterpret_cast<const unsigned char*>(input.data());
  if (signature_out) {
    std::size_t len = 0;
    if (EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, key) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &len, in, input.size()) != 1) {
      return false;
    }
    signature_out->resize(len);
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature_out->data()), &len, in,
                       input.size()) != 1) {
      return false;
    }
    signature_out->resize(len);
    return true;
  }
  return EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, key) == 1 &&
         EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature_in.data()),
                          signature_in.size(), in, input.size()) == 1;
}

}  // namespace

std::string_view to_string(DkimAlgorithm algorithm) {
  switch (algorithm) {
    case DkimAlgorithm::RsaSha256: return "rsa-sha256";
    case DkimAlgorithm::Ed25519Sha256: return "ed25519-sha256";
    case DkimAlgorithm::RsaSha1: return "rsa-sha1";
  }
  return "?";
}

std::optional<DkimAlgorithm> parse_dkim_algorithm(std::string_view text) {
  if (text == "rsa-sha256") return DkimAlgorithm::RsaSha256;
  if (text == "ed25519-sha256") return DkimAlgorithm::Ed25519Sha256;
  if (text == "rsa-sha1") return DkimAlgorithm::RsaSha1;
  return std::nullopt;
}

std::string sha256(std::string_view data) {
  unsigned char out[32];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out, &len, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string sha1(std::string_view data) {
  unsigned char out[20];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out, &len, EVP_sha1(), nullptr);
  return std::string(reinterpret_cast<char*>(out), len);
}

DkimPrivateKey DkimPrivateKey::generate(DkimAlgorithm algorithm, std::string_view seed) {
  if (algorithm == DkimAlgorithm::Ed25519Sha256) {
    return *from_ed25519_raw(sha256("maillab dkim ed25519" + std::string(1, '\0') + std::string(seed)));
  }
  return DkimPrivateKey(DkimAlgorithm::RsaSha256, rsa_from_seed(seed));
}

std::optional<DkimPrivateKey> DkimPrivateKey::from_pem(std::string_view pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  if (!key) return std::nullopt;
  auto owned = own(key);
  if (EVP_PKEY_is_a(key, "ED25519")) return DkimPrivateKey(DkimAlgorithm::Ed25519Sha256, owned);
  if (EVP_PKEY_is_a(key, "RSA")) return DkimPrivateKey(DkimAlgorithm::RsaSha256, owned);
  return std::nullopt;
}

std::optional<DkimPrivateKey> DkimPrivateKey::from_ed25519_raw(std::string_view raw) {
  if (raw.size() != 32) return std::nullopt;
  auto* key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr,
                                           reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
  if (!key) return std::nullopt;
  return DkimPrivateKey(DkimAlgorithm::Ed25519Sha256, own(key));
}

std::string DkimPrivateKey::private_pem() const {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr);
  return bio_string(bio.get());
}

std::string DkimPrivateKey::ed25519_seed_base64() const {
  if (algorithm_ != DkimAlgorithm::Ed25519Sha256) return "";
  unsigned char raw[32];
  std::size_t len = sizeof raw;
  if (EVP_PKEY_get_raw_private_key(key_.get(), raw, &len) != 1) return "";
  return message::base64_encode(std::string_view(reinterpret_cast<char*>(raw), len));
}

std::string DkimPrivateKey::public_key_base64() const {
  if (algorithm_ == DkimAlgorithm::Ed25519Sha256) {
    unsigned char raw[32];
    std::size_t len = sizeof raw;
    if (EVP_PKEY_get_raw_public_key(key_.get(), raw, &len) != 1) return "";
    return message::base64_encode(std::string_view(reinterpret_cast<char*>(raw), len));
  }
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(key_.get(), &der);
  if (len <= 0) return "";
  std::string out = message::base64_encode(std::string_view(reinterpret_cast<char*>(der), static_cast<std::size_t>(len)));
  OPENSSL_free(der);
  return out;
}

std::string DkimPrivateKey::dns_record() const {
  return std::string("v=DKIM1; k=") + (algorithm_ == DkimAlgorithm::Ed25519Sha256 ? "ed25519" : "rsa") +
         "; p=" + public_key_base64();
}

std::string DkimPrivateKey::sign(std::string_view data) const {
  std::string sig;
  if (!key_ || !digest_sign_or_verify(key_.get(), algorithm_, data, &sig, {})) return "";
  return sig;
}

DkimKeyParse parse_dkim_key_record(std::string_view text) {
  DkimKeyParse out;
  std::string why;
  auto tags = parse_tag_list(text, &why);
  if (!tags) {
    out.error = "key record syntax: " + why;
    return out;
  }
  if (auto v = tags->find("v"); v && (v != &tags->tags.front() || v->value != "DKIM1")) {
    out.error = "key record v= is not DKIM1 first";
    return out;
  }
  DkimPublicKey key;
  if (auto k = tags->value("k")) key.key_type = *k;
  if (key.key_type != "rsa" && key.key_type != "ed25519") {
    out.error = "unknown key type k=" + key.key_type;
    return out;
  }
  if (auto h = tags->value("h")) key.hashes = split_list(*h, ':');
  if (auto s = tags->value("s")) {
    bool email = false;
    for (const auto& service : split_list(*s, ':')) email = email || service == "*" || service == "email";
    if (!email) {
      out.error = "key not for email (s=)";
      return out;
    }
  }
  if (auto t = tags->value("t")) {
    for (const auto& flag : split_list(*t, ':')) {
      key.testing = key.testing || flag == "y";
      key.strict = key.strict || flag == "s";
    }
  }
  auto p = tags->value("p");
  if (!p) {
    out.error = "key record without p=";
    return out;
  }
  auto b64 = strip_whitespace(*p);
  if (b64.empty()) {
    key.revoked = true;
    out.key = std::move(key);
    return out;
  }
  auto der = message::base64_decode(b64);
  if (!der) {
    out.error = "key p= is not base64";
    return out;
  }
  auto bytes = reinterpret_cast<const unsigned char*>(der->data());
  EVP_PKEY* pkey = nullptr;
  if (key.key_type == "ed25519") {
    if (der->size() == 32) pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, bytes, 32);
  } else {
    const unsigned char* cursor = bytes;
    pkey = rsa_from_spki(bytes, static_cast<long>(der->size()));
    if (!pkey) pkey = d2i_PUBKEY(nullptr, &cursor, static_cast<long>(der->size()));
    if (!pkey) {  // an RSAPublicKey without the SubjectPublicKeyInfo around it
      cursor = bytes;
      pkey = d2i_PublicKey(EVP_PKEY_RSA, nullptr, &cursor, static_cast<long>(der->size()));
    }
    if (pkey && !EVP_PKEY_is_a(pkey, "RSA")) {
      EVP_PKEY_free(pkey);
      pkey = nullptr;
    }
  }
  if (!pkey) {
    out.error = "key p= is not a " + key.key_type + " public key";
    return out;
  }
  key.key = own(pkey);
  key.bits = EVP_PKEY_get_bits(pkey);
  if (key.key_type == "rsa" && key.bits < 1024) {
    out.error = "RSA key of " + std::to_string(key.bits) + " bits (RFC 8301: at least 1024)";
    return out;
  }
  out.key = std::move(key);
  return out;
}

bool dkim_verify(const DkimPublicKey& key, DkimAlgorithm algorithm, std::string_view data,
                 std::string_view signature) {
  if (!key.key) return false;
  return digest_sign_or_verify(key.key.get(), algorithm, data, nullptr, signature);
}

}  // namespace maillab::auth
