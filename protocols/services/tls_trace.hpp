// trace_tls_established: the `tls.established` trace event of a server that finished a
// TLS handshake (SMTP, POP3, IMAP alike: docs/trace.md), so the timeline can put a
// padlock on what follows on that connection and name the certificate it showed.
//
// Invariant: only a host name's characters of the client's SNI reach the trace (it is
// the peer's text); the certificate is the server's own, described once by its context.
#pragma once

#include <string>

#include "protocols/io/runtime.hpp"
#include "protocols/tls/context.hpp"
#include "protocols/tls/session_info.hpp"

namespace maillab::services {

void trace_tls_established(io::Runtime& rt, io::trace::Agent agent, const std::string& peer,
                           const tls::HandshakeInfo& info, const tls::ServerContext* context);

}  // namespace maillab::services
