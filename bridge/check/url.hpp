// check::Url: the target of `maillab check` (cli.md): `smtp://host[:port]`,
// `pop3://user:pass@host[:port]`, `imap://user:pass@host[:port]`,
// `dns://host[:port]/zone`, and the implicit-TLS forms `smtps://` (465), `pop3s://` (995),
// `imaps://` (993) (RFC 8314). On the plain forms STARTTLS (STLS) is used when the server
// offers it (`--starttls`: required); `tls` says which, `tls_setup` is the client's TLS
// context (tls_probe.hpp), set by run() for every mail URL.
//
// host is an IPv4 address, a bracketed IPv6 address ("[::1]", kept without brackets) or a
// host name (resolved later with getaddrinfo). Default ports: smtp 25, pop3 110, imap 143, dns 53.
// user, password and path are percent-decoded (RFC 3986 2.1); a '%' not followed by two
// hex digits is an error. The path (without its '/') is the DNS zone; smtp and pop3 take
// no path other than "/" (and so does imap:
// the check works in a folder of its own).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace maillab::check {

struct TlsSetup;

struct Url {
  enum class Scheme { Smtp, Pop3, Imap, Dns };
  Scheme scheme = Scheme::Smtp;
  std::string user, password;  // decoded; empty when absent
  bool has_credentials = false;
  std::string host;            // without brackets
  std::uint16_t port = 0;
  std::string path;            // decoded, without the leading '/'
  // Opportunistic: STARTTLS when offered (smtp, pop3, imap); Required: --starttls;
  // Implicit: TLS from the first byte (smtps, pop3s, imaps); Off: dns.
  enum class Tls { Opportunistic, Required, Implicit, Off };
  Tls tls = Tls::Opportunistic;
  std::shared_ptr<const TlsSetup> tls_setup;  // null: TLS is never started

  // "127.0.0.1:25", "[::1]:110": for messages.
  std::string authority() const;
};

// nullopt and *error (one clear sentence) when `text` is not such a URL.
std::optional<Url> parse_url(std::string_view text, std::string* error);

// RFC 3986 2.1 percent-decoding; nullopt on a bad escape.
std::optional<std::string> percent_decode(std::string_view text);

}  // namespace maillab::check
