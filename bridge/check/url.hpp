// check::Url: the target of `maillab check` (cli.md): `smtp://host[:port]`,
// `pop3://user:pass@host[:port]`, `imap://user:pass@host[:port]`,
// `dns://host[:port]/zone`.
//
// host is an IPv4 address, a bracketed IPv6 address ("[::1]", kept without brackets) or a
// host name (resolved later with getaddrinfo). Default ports: smtp 25, pop3 110, imap 143, dns 53.
// user, password and path are percent-decoded (RFC 3986 2.1); a '%' not followed by two
// hex digits is an error. The path (without its '/') is the DNS zone; smtp and pop3 take
// no path other than "/" (and so does imap:
// the check works in a folder of its own).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace maillab::check {

struct Url {
  enum class Scheme { Smtp, Pop3, Imap, Dns };
  Scheme scheme = Scheme::Smtp;
  std::string user, password;  // decoded; empty when absent
  bool has_credentials = false;
  std::string host;            // without brackets
  std::uint16_t port = 0;
  std::string path;            // decoded, without the leading '/'

  // "127.0.0.1:25", "[::1]:110": for messages.
  std::string authority() const;
};

// nullopt and *error (one clear sentence) when `text` is not such a URL.
std::optional<Url> parse_url(std::string_view text, std::string* error);

// RFC 3986 2.1 percent-decoding; nullopt on a bad escape.
std::optional<std::string> percent_decode(std::string_view text);

}  // namespace maillab::check
