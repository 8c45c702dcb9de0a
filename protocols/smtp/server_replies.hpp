// smtp::ServerReplies: the replies every session of one SMTP listener sends alike - the
// greeting with the standard text, the EHLO reply with the listener's extensions, the 354
// go-ahead and the 221 goodbye - each with its wire form. A listener builds them once
// (make_server_replies) and hands them to its sessions in ServerConfig::replies, so a
// session builds none of them and the engine keeps no cache of its own: no static or
// thread_local state, two servers in one thread never share anything.
//
// Invariants: built from the ServerConfig that carries them (its hostname and extension
// fields, set before); a ServerSession given a config without replies builds its own.
// RFC 5321 4.2 (greeting), 4.1.1.1 (ehlo-ok-rsp), 4.1.1.4 (354), 4.1.1.10 (221).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "protocols/smtp/reply.hpp"

namespace maillab::smtp {

struct ServerConfig;

// A reply and its bytes on the wire (Reply::wire()), computed once.
struct PreparedReply {
  Reply reply;
  std::string wire;

  explicit PreparedReply(Reply r) : reply(std::move(r)), wire(reply.wire()) {}
};

struct ServerReplies {
  PreparedReply greeting;  // 220 <hostname> ESMTP maillab
  PreparedReply ehlo;      // 250 <hostname>, then one line per extension
  PreparedReply ehlo_tls;  // the same once TLS is on (no STARTTLS; AUTH under tls_auth_only)
  PreparedReply go_ahead;  // 354 End data with <CR><LF>.<CR><LF>
  PreparedReply bye;       // 221 2.0.0 Bye
};

// The greeting's standard text: "<hostname> ESMTP maillab".
std::string greeting_text(std::string_view hostname);
// The ehlo-ok-rsp keyword lines of `config`, one per extension in Postfix's order, after
// the lines already in `lines`; `tls_on`: the session runs inside TLS (RFC 3207 4.2).
void append_ehlo_keywords(const ServerConfig& config, ReplyLines& lines, bool tls_on = false);
// Every reply above for `config` (an empty hostname is "localhost", as in a session).
std::shared_ptr<const ServerReplies> make_server_replies(const ServerConfig& config);

}  // namespace maillab::smtp
