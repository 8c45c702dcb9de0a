// SASL SCRAM-SHA-256 (RFC 7677, the SCRAM of RFC 5802 with SHA-256), server side, as
// SMTP AUTH (RFC 4954), POP3 AUTH and IMAP AUTHENTICATE carry it once base64 is decoded:
//   C: client-first   n,,n=user,r=<client nonce>          (RFC 5802 7: gs2-header + bare)
//   S: server-first   r=<client nonce><server nonce>,s=<base64 salt>,i=<iterations>
//   C: client-final   c=biws,r=<both nonces>,p=<base64 ClientProof>
//   S: server-final   v=<base64 ServerSignature>
// Keys (RFC 5802 3): SaltedPassword = PBKDF2-HMAC-SHA-256(password, salt, i);
// ClientKey = HMAC(SaltedPassword, "Client Key"); StoredKey = SHA-256(ClientKey);
// ServerKey = HMAC(SaltedPassword, "Server Key"). The server keeps StoredKey and
// ServerKey only. Invariants: no channel binding (the "-PLUS" variant is not offered, so
// "p=" in the gs2 header fails and "y" is accepted, RFC 5802 6); no proxy authorisation
// (an authzid other than the user fails); mandatory extensions ("m=") fail; names are
// printable ASCII (no SASLprep beyond that). A peer's malformed message is nullopt,
// never an exception. OpenSSL 3 (libcrypto) computes PBKDF2, HMAC and SHA-256.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace maillab::message {

struct ScramVerifier {
  std::string salt;  // raw octets
  int iterations = 4096;
  std::string stored_key;  // 32 octets
  std::string server_key;  // 32 octets
};

// A salt for `user` (16 octets): SHA-256 of `secret` NUL lowercased user, so a host gives
// each user the same salt every time, and an unknown user one that looks no different.
std::string scram_salt(std::string_view secret, std::string_view user);

// The verifier of `password` (RFC 5802 3). An empty password is refused by callers.
ScramVerifier scram_sha256_verifier(std::string_view password, std::string_view salt, int iterations);

struct ScramClientFirst {
  std::string gs2_header;  // "n,," or "y,," (with the authzid when it names the user)
  std::string user;        // saslname decoded ("=2C" ",", "=3D" "=")
  std::string nonce;
  std::string bare;  // client-first-message-bare, for the AuthMessage
};
std::optional<ScramClientFirst> parse_scram_client_first(std::string_view message);

// "r=<client nonce><server nonce>,s=<base64 salt>,i=<iterations>". `server_nonce` is
// printable ASCII without ','.
std::string scram_server_first(const ScramClientFirst& client, std::string_view server_nonce,
                               const ScramVerifier& verifier);

struct ScramClientFinal {
  std::string channel_binding;  // c=, decoded
  std::string nonce;            // r=
  std::string proof;            // p=, decoded (32 octets)
  std::string without_proof;    // client-final-message-without-proof
};
std::optional<ScramClientFinal> parse_scram_client_final(std::string_view message);

// Checks the client's proof (and that its nonce and channel binding repeat the exchange's);
// the server-final "v=..." when it proves knowledge of the password, nullopt otherwise.
std::optional<std::string> scram_verify(const ScramVerifier& verifier, const ScramClientFirst& first,
                                        std::string_view server_first, const ScramClientFinal& final_msg);

// The client side of one exchange (tests and `maillab check`): the client-final for
// `password`, given the messages so far.
std::string scram_client_final(std::string_view password, const ScramClientFirst& first,
                               std::string_view server_first);

}  // namespace maillab::message
