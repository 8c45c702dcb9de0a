// check::TlsSetup and the TLS steps every probe of `maillab check` shares (cli.md, "TLS"):
// the client context (trusting only --cafile: without it no chain can verify, which the
// TLS rows report as a warning, never a failure), the parameters of a handshake (SNI and
// the name to verify are the URL's host, unless it is an address literal), and opening a
// connection as the URL says (TLS from the first byte for smtps/pop3s/imaps).
//
// The probe never stops at a certificate that does not verify: the TLS rows say what is
// wrong with it, and the protocol rows run inside TLS all the same (as `curl -k` would).
// Randomness is the system's (tls::LibraryContext::system), time the wall clock.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "bridge/check/probe_socket.hpp"
#include "bridge/check/url.hpp"
#include "protocols/tls/context.hpp"

namespace maillab::check {

struct TlsSetup {
  std::shared_ptr<tls::LibraryContext> library;
  std::unique_ptr<tls::ClientContext> client;  // TLS 1.2 and 1.3, trusting --cafile
  std::unique_ptr<tls::ClientContext> legacy;  // TLS 1.0 and 1.1 only: the RFC 8996 probe
  bool has_cafile = false;
};

// nullptr and *error when --cafile cannot be read or holds no certificate.
std::shared_ptr<TlsSetup> make_tls_setup(const std::string& cafile, std::string* error);

// "127.0.0.1", "::1": a literal address (no SNI, no DNS name to match).
bool is_address(const std::string& host);
tls::ClientParams client_params(const Url& url);

// TLS on `stream` (connected) with the URL's setup; false and *error when it fails.
bool start_tls(TcpStream& stream, const Url& url, std::chrono::milliseconds timeout, std::string* error);
// Connects, and for smtps/pop3s/imaps runs the handshake; false and *error otherwise.
bool open_stream(TcpStream& stream, const Url& url, std::chrono::milliseconds timeout, std::string* error);
// STARTTLS (STLS) on a plain connection after the capabilities were read. `offered`: they
// list it; `ask` sends the command and returns the refusal ("" for the go-ahead, after
// which the caller's reader must be empty) or nullopt when the connection broke. Clear:
// go on without TLS (not offered or refused, and not --starttls); Tls: TLS is on; Failed:
// *error says why and the stream is closed.
enum class Upgrade { Clear, Tls, Failed };
template <class Ask>
Upgrade upgrade(TcpStream& stream, const Url& url, std::chrono::milliseconds timeout, const std::string& verb,
                bool offered, Ask ask, std::string* error) {
  const bool required = url.tls == Url::Tls::Required;
  std::optional<std::string> refusal;
  if (offered && !(refusal = ask())) return Upgrade::Failed;
  if (!offered || !refusal->empty()) {
    if (!required) return Upgrade::Clear;
    *error = offered ? verb + ": " + *refusal : "--starttls: the server does not offer " + verb;
  } else if (start_tls(stream, url, timeout, error)) {
    return Upgrade::Tls;
  }
  stream.close();
  return Upgrade::Failed;
}

// STARTTLS/STLS is to be used on this URL's plain connection when the server offers it.
inline bool wants_starttls(const Url& url) {
  return url.tls_setup && (url.tls == Url::Tls::Opportunistic || url.tls == Url::Tls::Required);
}

}  // namespace maillab::check
