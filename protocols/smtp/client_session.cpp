// ClientSession: bytes in and out, matching replies to commands, and what happens when
// the server fails us (lost connection, timeout, garbage, 421). The conversation itself
// is in client_steps.cpp.
#include "protocols/smtp/client_session.hpp"

#include <cassert>
#include <utility>

#include "protocols/smtp/text_scan.hpp"

namespace maillab::smtp {

ClientSession::ClientSession(ClientConfig config) : config_(std::move(config)) {
  if (config_.helo_name.empty()) config_.helo_name = "localhost";
  // Room for a pipelined group (RSET MAIL RCPT.. DATA) and its trace lines at once.
  pending_.reserve(8);
  trace_.reserve(128);
  // The commands of a session, but the content, fit: one allocation when the driver sends
  // from this buffer (output(), clear_output()).
  out_.reserve(256);
  expect(Cmd::Greeting, 0, "");  // 4.3.1: the server speaks first
}

void ClientSession::add(OutgoingMessage message) {
  assert(!message.rcpts.empty() && "a mail transaction needs a recipient");
  Transaction t;
  t.outcome.rcpts.reserve(message.rcpts.size());
  for (const auto& r : message.rcpts) t.outcome.rcpts.push_back(RcptOutcome{r.path, Reply{}});
  t.message = std::move(message);
  if (state_ == State::Closed || state_ == State::Quitting || failure_) {
    finalize(t, failure_ ? *failure_
                         : Reply::make(421, "4.4.2", "connection with " + config_.peer_name + " closed"));
    return;
  }
  queue_.push_back(std::move(t));
  advance();
}

void ClientSession::finish() {
  finish_ = true;
  advance();
}

void ClientSession::receive(std::string_view data) {
  if (state_ == State::Closed || wants_tls_) return;
  parser_.receive(data);
  // The replies are read into one Reply whose buffers go back and forth with the parser's,
  // so a session's replies reuse the same allocations. A local keeps it safe should
  // handle() lead back here.
  Reply reply = std::move(spare_reply_);
  while (state_ != State::Closed && !wants_tls_ && parser_.next(reply)) handle(reply, parser_.last_malformed());
  spare_reply_ = std::move(reply);
}

void ClientSession::receive_eof() {
  if (state_ == State::Closed) return;
  if (state_ == State::Quitting && queue_.empty()) {
    state_ = State::Closed;
    return;
  }
  fail_connection("lost connection with " + config_.peer_name + " while " + phase());
}

std::string ClientSession::take_output() { return std::exchange(out_, {}); }

void ClientSession::clear_output() { detail::clear_output_buffer(out_); }

std::chrono::milliseconds ClientSession::timeout() const {
  if (state_ == State::Closed) return std::chrono::milliseconds{0};
  if (pending_.empty()) return config_.idle_timeout;
  return config_.*(step(pending_.front().cmd).timeout);
}

void ClientSession::on_timeout() {
  if (state_ == State::Closed) return;
  if (pending_.empty()) {
    // Idle for too long: say goodbye and hang up without waiting for the 221 (the
    // driver closes the connection after a timeout anyway).
    finish_ = true;
    advance();
    if (!failure_) failure_ = Reply::make(421, "4.4.2", "connection with " + config_.peer_name + " closed (idle)");
    state_ = State::Closed;
    return;
  }
  fail_connection("conversation with " + config_.peer_name + " timed out while " + phase());
}

bool ClientSession::idle() const {
  return state_ == State::Ready && pending_.empty() && queue_.empty() && !need_rset_;
}

std::vector<TransactionOutcome> ClientSession::take_outcomes() { return std::exchange(outcomes_, {}); }

void ClientSession::handle(const Reply& reply, bool malformed) {
  if (malformed) {
    // The stream is out of step: no later reply can be trusted to match a command.
    return fail_connection("malformed reply from " + config_.peer_name + " while " + phase(), "4.5.0");
  }
  if (pending_.empty()) {
    // A reply nobody asked for (a server's "421 timeout" while we were idle, or noise).
    if (reply.code == 421) {
      fail_remaining(reply);
      state_ = State::Closed;
      return;
    }
    return fail_connection("unexpected reply from " + config_.peer_name + ": " + reply.summary(), "4.5.0");
  }
  if (!(step(pending_.front().cmd).classes & (1u << (reply.code / 100)))) {
    // E.g. 250 to DATA: the server is not following the protocol; nothing it says can be
    // taken as an acceptance.
    return fail_connection("protocol error: unexpected reply from " + config_.peer_name + " while " + phase() +
                               ": " + reply.summary(),
                           "4.5.0");
  }
  const Pending p = pending_.front();
  pending_.pop_front();
  if (on_exchange) {
    // The observer gets its own copy of the line (on the stack when short): should it
    // lead back into this session, new commands may reuse trace_.
    std::string_view line = std::string_view(trace_).substr(p.trace, p.trace_len);
    char buffer[256];
    std::string long_line;
    if (line.size() <= sizeof buffer) {
      line = std::string_view(buffer, line.copy(buffer, line.size()));
    } else {
      long_line.assign(line);
      line = long_line;
    }
    on_exchange(line, reply);
  }
  closing_ = reply.code == 421;
  (this->*step(p.cmd).on_reply)(p, reply);
  // RFC 5321 3.8: after a 421 the server closes; whatever is unfinished gets the 421.
  if (reply.code == 421 && state_ != State::Closed) {
    fail_remaining(reply);
    state_ = State::Closed;
  }
}

void ClientSession::send(Cmd cmd, std::string_view line, std::size_t rcpt, std::string_view trace) {
  const std::size_t start = out_.size();
  out_ += line;
  sent(cmd, start, rcpt, trace);
}

void ClientSession::sent(Cmd cmd, std::size_t start, std::size_t rcpt, std::string_view trace) {
  expect(cmd, rcpt, trace.empty() ? std::string_view(out_).substr(start) : trace);
  out_ += "\r\n";
}

void ClientSession::expect(Cmd cmd, std::size_t rcpt, std::string_view trace) {
  if (pending_.empty()) trace_.clear();  // no reply is waiting: no trace line is needed any more
  pending_.push_back(Pending{cmd, rcpt, trace_.size(), trace.size()});
  trace_ += trace;
}

std::string ClientSession::phase() const {
  if (!pending_.empty()) return std::string(step(pending_.front().cmd).phase);
  switch (state_) {
    case State::Greeting:
      return std::string(step(Cmd::Greeting).phase);
    case State::Quitting:
      return std::string(step(Cmd::Quit).phase);
    default:
      return "waiting for the next transaction";
  }
}

void ClientSession::finalize(Transaction& t, const Reply& reply) {
  if (t.outcome.mail_reply.code == 0) t.outcome.mail_reply = reply;
  for (auto& r : t.outcome.rcpts)
    if (r.reply.code == 0) r.reply = reply;
  outcomes_.push_back(std::move(t.outcome));
}

void ClientSession::fail_remaining(const Reply& reply) {
  for (auto& t : queue_) finalize(t, reply);
  queue_.clear();
  pending_.clear();
  if (!failure_) failure_ = reply;
}

void ClientSession::fail_connection(std::string_view what, const char* enhanced) {
  fail_remaining(Reply::make(421, enhanced, what));
  state_ = State::Closed;
}

}  // namespace maillab::smtp
