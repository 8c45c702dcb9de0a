// ServerSession: waiting for a decision the host could not make at once (a hook returned
// pending(): SPF at MAIL FROM, DKIM and DMARC at the end of DATA, a write waiting for the
// disk), as OpenSMTPD's filters answer with proceed/reject later. The command's arguments
// wait in an Awaited, the input behind it in held_input_ (bounded as in a pause), and the
// command completes in decide(): its reply goes out in its place among the replies
// (RFC 2920 3.1), then what waited is read.
#include <cassert>
#include <utility>

#include "protocols/smtp/server_session.hpp"

namespace maillab::smtp {

ServerSession::Awaited& ServerSession::await(Awaiting what) {
  assert(awaiting_ == Awaiting::None && "one decision at a time");
  if (!awaited_) awaited_ = std::make_unique<Awaited>();
  awaiting_ = what;
  awaited_->line.assign(trace_line_);
  return *awaited_;
}

void ServerSession::abandon() {
  if (awaiting_ == Awaiting::None) return;
  awaiting_ = Awaiting::None;
  handler_.on_abandoned();
}

void ServerSession::decide(Reply reply) {
  assert(deciding() && "decide() answers a hook that returned pending()");
  assert(!is_pending(reply) && "a decision is a reply");
  const Awaiting what = std::exchange(awaiting_, Awaiting::None);
  if (what == Awaiting::None || state_ == State::Closed) return;
  Awaited& a = *awaited_;
  trace_line_ = a.line;
  switch (what) {
    case Awaiting::Helo:
      helo_decided(std::move(reply), a.helo, a.esmtp);
      break;
    case Awaiting::Mail:
      mail_decided(std::move(reply), std::move(a.from), std::move(a.params));
      break;
    case Awaiting::Rcpt:
      rcpt_decided(std::move(reply), std::move(a.rcpt));
      break;
    case Awaiting::Data:
      data_decided(std::move(reply));
      break;
    case Awaiting::Message:
      message_decided(std::move(reply));
      trace_line_ = {};
      return receive(std::exchange(held_input_, {}));
    case Awaiting::None:
      break;
  }
  trace_line_ = {};
  after_command();
  // The commands that waited behind this one, in order (they may wait again).
  receive(std::exchange(held_input_, {}));
}

}  // namespace maillab::smtp
