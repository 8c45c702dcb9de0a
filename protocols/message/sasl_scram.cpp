// SCRAM-SHA-256 (RFC 5802, RFC 7677): message parsing and the key arithmetic.
#include "protocols/message/sasl_scram.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <charconv>
#include <vector>

#include "base/ascii.hpp"
#include "protocols/message/base64.hpp"

namespace maillab::message {
namespace {

constexpr std::size_t kKeySize = 32;  // SHA-256
constexpr int kMaxIterations = 1000000;

std::string hmac(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &n);
  return std::string(reinterpret_cast<const char*>(out), n);
}

std::string sha256(std::string_view data) {
  unsigned char out[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), out);
  return std::string(reinterpret_cast<const char*>(out), sizeof out);
}

std::string salted_password(std::string_view password, std::string_view salt, int iterations) {
  std::string out(kKeySize, '\0');
  PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                    reinterpret_cast<const unsigned char*>(salt.data()), static_cast<int>(salt.size()),
                    iterations, EVP_sha256(), static_cast<int>(out.size()),
                    reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

std::string xor_of(std::string_view a, std::string_view b) {
  std::string out(a);
  for (std::size_t i = 0; i < out.size() && i < b.size(); ++i) out[i] = static_cast<char>(out[i] ^ b[i]);
  return out;
}

// The comma-separated attributes of a message: "x=value" each (RFC 5802 7).
std::vector<std::string_view> split_commas(std::string_view s) {
  std::vector<std::string_view> out;
  for (;;) {
    const std::size_t comma = s.find(',');
    out.push_back(s.substr(0, comma));
    if (comma == std::string_view::npos) return out;
    s.remove_prefix(comma + 1);
  }
}

bool attribute(std::string_view field, char name, std::string_view* value) {
  if (field.size() < 2 || field[0] != name || field[1] != '=') return false;
  *value = field.substr(2);
  return true;
}

// saslname (RFC 5802 7): printable ASCII, ',' as "=2C" and '=' as "=3D".
std::optional<std::string> decode_saslname(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c < 0x21 || c > 0x7e || c == ',') return std::nullopt;
    if (c != '=') {
      out += c;
      continue;
    }
    const std::string_view esc = s.substr(i + 1, 2);
    if (esc == "2C") out += ',';
    else if (esc == "3D") out += '=';
    else return std::nullopt;
    i += 2;
  }
  if (out.empty()) return std::nullopt;
  return out;
}

// nonce (RFC 5802 7): printable ASCII except ','.
bool valid_nonce(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < 0x21 || c > 0x7e || c == ',') return false;
  return true;
}

}  // namespace

std::string scram_salt(std::string_view secret, std::string_view user) {
  std::string in(secret);
  in += '\0';
  in += base::ascii_lower(user);
  return sha256(in).substr(0, 16);
}

ScramVerifier scram_sha256_verifier(std::string_view password, std::string_view salt, int iterations) {
  const std::string salted = salted_password(password, salt, iterations);
  ScramVerifier v;
  v.salt = std::string(salt);
  v.iterations = iterations;
  v.stored_key = sha256(hmac(salted, "Client Key"));
  v.server_key = hmac(salted, "Server Key");
  return v;
}

std::optional<ScramClientFirst> parse_scram_client_first(std::string_view message) {
  // gs2-header = gs2-cbind-flag "," [ authzid ] ","
  const std::size_t c1 = message.find(',');
  if (c1 == std::string_view::npos) return std::nullopt;
  const std::size_t c2 = message.find(',', c1 + 1);
  if (c2 == std::string_view::npos) return std::nullopt;
  const std::string_view flag = message.substr(0, c1);
  if (flag != "n" && flag != "y") return std::nullopt;  // "p=": channel binding, not offered
  const std::string_view authz = message.substr(c1 + 1, c2 - c1 - 1);
  ScramClientFirst out;
  out.gs2_header = std::string(message.substr(0, c2 + 1));
  out.bare = std::string(message.substr(c2 + 1));
  const auto fields = split_commas(out.bare);
  std::string_view user, nonce;
  if (fields.size() < 2 || !attribute(fields[0], 'n', &user) || !attribute(fields[1], 'r', &nonce))
    return std::nullopt;  // also "m=" (a mandatory extension) first
  auto name = decode_saslname(user);
  if (!name || !valid_nonce(nonce)) return std::nullopt;
  if (!authz.empty()) {
    std::string_view a;
    auto who = attribute(authz, 'a', &a) ? decode_saslname(a) : std::nullopt;
    if (!who || *who != *name) return std::nullopt;  // no proxy authorisation
  }
  out.user = std::move(*name);
  out.nonce = std::string(nonce);
  return out;
}

std::string scram_server_first(const ScramClientFirst& client, std::string_view server_nonce,
                               const ScramVerifier& verifier) {
  return "r=" + client.nonce + std::string(server_nonce) + ",s=" + base64_encode(verifier.salt) +
         ",i=" + std::to_string(verifier.iterations);
}

std::optional<ScramClientFinal> parse_scram_client_final(std::string_view message) {
  const std::size_t p = message.rfind(",p=");
  if (p == std::string_view::npos) return std::nullopt;
  ScramClientFinal out;
  out.without_proof = std::string(message.substr(0, p));
  auto proof = base64_decode(message.substr(p + 3));
  if (!proof || proof->size() != kKeySize) return std::nullopt;
  out.proof = std::move(*proof);
  const auto fields = split_commas(out.without_proof);
  std::string_view cb, nonce;
  if (fields.size() < 2 || !attribute(fields[0], 'c', &cb) || !attribute(fields[1], 'r', &nonce))
    return std::nullopt;
  auto binding = base64_decode(cb);
  if (!binding) return std::nullopt;
  out.channel_binding = std::move(*binding);
  out.nonce = std::string(nonce);
  return out;
}

std::optional<std::string> scram_verify(const ScramVerifier& verifier, const ScramClientFirst& first,
                                        std::string_view server_first, const ScramClientFinal& final_msg) {
  // The nonce must be the server-first's, the channel binding the gs2 header (RFC 5802 5.1).
  std::string_view sf = server_first;
  if (sf.substr(0, 2) != "r=") return std::nullopt;
  const std::string_view nonce = sf.substr(2, sf.find(',') - 2);
  if (final_msg.nonce != nonce || final_msg.channel_binding != first.gs2_header) return std::nullopt;
  if (verifier.stored_key.size() != kKeySize) return std::nullopt;
  const std::string auth_message = first.bare + "," + std::string(server_first) + "," + final_msg.without_proof;
  const std::string client_key = xor_of(final_msg.proof, hmac(verifier.stored_key, auth_message));
  const std::string stored = sha256(client_key);
  if (CRYPTO_memcmp(stored.data(), verifier.stored_key.data(), kKeySize) != 0) return std::nullopt;
  return "v=" + base64_encode(hmac(verifier.server_key, auth_message));
}

std::string scram_client_final(std::string_view password, const ScramClientFirst& first,
                               std::string_view server_first) {
  std::string_view nonce, salt_b64, iter_text;
  for (std::string_view f : split_commas(server_first)) {
    std::string_view v;
    if (attribute(f, 'r', &v)) nonce = v;
    else if (attribute(f, 's', &v)) salt_b64 = v;
    else if (attribute(f, 'i', &v)) iter_text = v;
  }
  int iterations = 0;
  std::from_chars(iter_text.data(), iter_text.data() + iter_text.size(), iterations);
  iterations = std::clamp(iterations, 1, kMaxIterations);
  const std::string salt = base64_decode(salt_b64).value_or("");
  const std::string salted = salted_password(password, salt, iterations);
  const std::string client_key = hmac(salted, "Client Key");
  const std::string without_proof = "c=" + base64_encode(first.gs2_header) + ",r=" + std::string(nonce);
  const std::string auth_message = first.bare + "," + std::string(server_first) + "," + without_proof;
  const std::string proof = xor_of(client_key, hmac(sha256(client_key), auth_message));
  return without_proof + ",p=" + base64_encode(proof);
}

}  // namespace maillab::message
