// ServerSession: framing (commands, DATA content, AUTH lines), replies, error counting,
// timeouts and closing. The commands themselves are in server_commands.cpp.
#include "protocols/smtp/server_session.hpp"

#include <algorithm>
#include <cassert>
#include <utility>

#include "protocols/smtp/text_scan.hpp"

namespace maillab::smtp {
namespace {

using detail::ascii_upper;

bool printable(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u >= 32 && u <= 126;
}

// What the trace shows of a line: printable ASCII, anything else as '?'.
void assign_printable(std::string& out, std::string_view line) {
  out.assign(line);
  for (char& c : out)
    if (!printable(c)) c = '?';
}

}  // namespace

ServerSession::ServerSession(ServerConfig config, ServerHandler& handler)
    : config_(std::move(config)),
      handler_(handler),
      lines_(config_.max_line),
      data_(config_.max_text_line, config_.size_limit) {
  assert(config_.max_line >= 3 && "a command line holds at least CRLF and a byte");
  if (config_.hostname.empty()) config_.hostname = kDefaultHostname;
  // The greeting and the usual replies (EHLO's too) fit: one allocation when the driver
  // sends from this buffer (output(), clear_output()).
  out_.reserve(256);
  if (!config_.replies) config_.replies = make_server_replies(config_);
  assert(config_.replies->greeting.reply.lines.front() == greeting_text(config_.hostname) &&
         "the replies are the ones of this configuration");
  // RFC 5321 3.1, 4.2: 220 opens the session, 554 refuses it (then only QUIT is
  // served), 421 closes at once.
  Reply greeting = handler_.greeting();
  const int code = greeting.code;
  if (greeting.lines.empty() && code == 220 && greeting.enhanced.empty()) {
    announce(config_.replies->greeting);
  } else {
    if (greeting.lines.empty()) greeting.lines.push_back(greeting_text(config_.hostname));
    announce(greeting);
  }
  if (code / 100 == 5) {
    state_ = State::Rejected;
  } else if (code / 100 != 2) {
    close();
  }
}

void ServerSession::receive(std::string_view data) {
  while (!data.empty() && state_ != State::Closed && !wants_tls_) {
    // Read once the held reply is out, or the decision is in.
    if (paused()) return hold_input(data);
    data.remove_prefix(receive_some(data, std::string::npos));
  }
}

std::size_t ServerSession::receive_some(std::string_view data, std::size_t output_limit) {
  const std::size_t size = data.size();
  // A pause (the error sleep, a decision awaited) stops it too: what follows stays with the
  // caller, who reads no more until the held reply is out (services::SessionDriver).
  while (!data.empty() && state_ != State::Closed && !paused() && !wants_tls_ && out_.size() < output_limit) {
    if (state_ == State::Data) {
      data.remove_prefix(data_.put(data));
      if (data_.done()) end_of_data();
    } else if (state_ == State::Chunk) {
      data.remove_prefix(chunks_.put(data));
      if (chunks_.remaining() == 0) end_of_chunk();
    } else {
      data.remove_prefix(lines_.put(data));
      if (lines_.ready()) handle_line();
    }
  }
  // After 220 to STARTTLS, what the client sent behind it is dropped unread (RFC 3207
  // 4.2, CVE-2011-0411): consumed, so the caller hands it on to nobody.
  return state_ == State::Closed || wants_tls_ ? size : size - data.size();
}

void ServerSession::receive_eof() {
  // The peer went away: a partial message is dropped, never delivered (the client still
  // owns it, DESIGN.md "A crash before it leaves the sender owning the message").
  if (state_ == State::Data) data_.reset(config_.max_text_line, config_.size_limit);
  abandon();
  state_ = State::Closed;
}

std::string ServerSession::take_output() { return std::exchange(out_, {}); }

void ServerSession::clear_output() { detail::clear_output_buffer(out_); }

std::chrono::milliseconds ServerSession::timeout() const {
  if (paused_ && state_ != State::Closed) return config_.error_sleep_time;
  if (deciding() && state_ != State::Closed) return config_.decision_timeout;
  switch (state_) {
    case State::Closed:
      return std::chrono::milliseconds{0};
    case State::Data:
    case State::Chunk:
      return config_.data_timeout;
    default:
      return config_.command_timeout;
  }
}

void ServerSession::on_timeout() {
  if (state_ == State::Closed) return;
  if (paused_) return resume();
  if (deciding()) {
    // The host's check never answered: a temporary failure, never a hang.
    handler_.on_abandoned();
    return decide(Reply::make(451, "4.7.1", "Error: the check of this command timed out; try again later"));
  }
  if (state_ == State::Data) data_.reset(config_.max_text_line, config_.size_limit);
  // Postfix: "421 4.4.2 <myhostname> Error: timeout exceeded".
  announce(Reply::make(421, "4.4.2", config_.hostname + " Error: timeout exceeded"));
  close();
}

void ServerSession::handle_line() {
  const bool too_long = lines_.too_long();
  const std::string_view line = lines_.line();  // read where it lies: handled before the next put()
  if (state_ == State::Auth) {
    trace_line_ = line == "*" ? "*" : "****";
    if (too_long) {
      auth_step_ = AuthStep::None;
      state_ = State::Ready;
      lines_.set_max(config_.max_line);
      answer(Reply::make(500, "5.5.6", "Authentication exchange line is too long"));  // RFC 4954 4
    } else {
      auth_response(line);
    }
    lines_.clear();
    trace_line_ = {};
    return after_command();
  }
  if (!too_long && std::all_of(line.begin(), line.end(), printable)) {
    trace_line_ = line;  // the usual case: shown as it is, no copy
  } else {
    assign_printable(trace_buf_, line);
    // 4.5.3.1.4, 4.2.2: the line was discarded up to its CRLF; the session goes on.
    if (too_long) trace_buf_ += "...";
    trace_line_ = trace_buf_;
  }
  if (too_long) {
    answer(Reply::make(500, "5.5.0", "Line too long"));
  } else if (line.find('\0') != std::string::npos) {
    answer(Reply::make(500, "5.5.2", "Error: NUL character in command"));
  } else {
    dispatch(line);
  }
  lines_.clear();
  trace_line_ = {};  // it may point into the line just cleared
  after_command();
}

void ServerSession::dispatch(std::string_view line) {
  // Command = verb [SP arguments] (4.1.1); verbs are case-insensitive (2.4). Trailing
  // blanks are tolerated, as Postfix does.
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
  const std::string_view verb = line.substr(0, line.find(' '));
  std::string_view args = line.substr(verb.size());
  while (!args.empty() && args.front() == ' ') args.remove_prefix(1);
  if (verb.empty()) return answer(Reply::make(500, "5.5.2", "Error: bad syntax"));
  // Upper-cased once (no verb is longer than 8), then plain comparisons with the table.
  char upper_verb[8];
  if (verb.size() <= sizeof upper_verb) {
    for (std::size_t i = 0; i < verb.size(); ++i) upper_verb[i] = ascii_upper(verb[i]);
  }
  const std::string_view key(upper_verb, verb.size() <= sizeof upper_verb ? verb.size() : 0);
  for (const Command& c : commands()) {
    if (key != c.verb) continue;
    command_ = &c;
    if (!(c.allowed & bit(state_))) {
      answer(ordering_error());
    } else if ((c.args == Args::None && !args.empty()) || (c.args == Args::Required && args.empty())) {
      answer(syntax_error());
    } else {
      (this->*c.act)(args);
    }
    command_ = nullptr;
    return;
  }
  answer(Reply::make(500, "5.5.2", "Error: command not recognized"));
}

Reply ServerSession::ordering_error() const {
  // 3.1, 4.1.4 and 3.3; Postfix's wording. 503 = bad sequence of commands.
  auto bad_sequence = [](std::string_view text) { return Reply::make(503, "5.5.1", text); };
  if (state_ == State::Rejected) return bad_sequence("Error: no SMTP service here");
  // Every command refused before HELO/EHLO is one that needs it.
  if (state_ == State::Connected) return bad_sequence("Error: send HELO/EHLO first");
  // RFC 3030 3: between chunks only BDAT goes on; Postfix names the command ("DATA after
  // BDAT" is the RFC's MUST).
  if (state_ == State::Bdat) return bad_sequence("Error: " + std::string(command_->verb) + " after BDAT");
  return bad_sequence(command_->out_of_order);
}

Reply ServerSession::syntax_error() const {
  return Reply::make(501, "5.5.4", "Syntax: " + std::string(command_->usage));
}

void ServerSession::end_of_data() {
  state_ = State::Ready;
  envelope_.notes = data_.notes();
  trace_line_ = "<data>";
  if (data_.oversize()) {
    // RFC 1870 6.2 / Postfix: the whole message was read and nothing is delivered.
    data_.reset(config_.max_text_line, config_.size_limit);
    answer(Reply::make(552, "5.3.4", "Error: message file too big"));
    reset_transaction();
  } else {
    std::string content = data_.take_content();
    data_.reset(config_.max_text_line, config_.size_limit);
    return message_received(std::move(content));
  }
  after_command();
}

// The handler's verdict on a whole message (the end of DATA, or BDAT LAST): answered now,
// or when a pending decision arrives (server_decision.cpp).
void ServerSession::message_received(std::string content) {
  Reply r = handler_.on_message(envelope_, std::move(content));
  if (is_pending(r)) {
    await(Awaiting::Message);  // the transaction ends with the decision
    trace_line_ = {};
    return;
  }
  message_decided(std::move(r));
}

void ServerSession::message_decided(Reply r) {
  // The error limits count errors "without delivering mail" (Postfix): start over.
  if (r.positive_completion()) errors_ = 0;
  answer(std::move(r), "Ok: queued");
  // 4.1.1.4 (RFC 3030 3 for BDAT LAST): the message ends the transaction, whatever the reply.
  reset_transaction();
  after_command();
}

void ServerSession::answer(Reply r, std::string_view standard_text) {
  if (r.lines.empty()) {
    if (r.positive_completion() || r.positive_intermediate()) {
      if (!standard_text.empty()) r.lines.push_back(standard_text);
    } else {
      r.lines.push_back(r.transient() ? "Error: try again later" : "Error: rejected");
    }
  }
  emit(r, {}, true);
}

void ServerSession::answer(const PreparedReply& r) { emit(r.reply, r.wire, true); }

void ServerSession::announce(const Reply& r) { emit(r, {}, false); }

void ServerSession::announce(const PreparedReply& r) { emit(r.reply, r.wire, false); }

void ServerSession::emit(const Reply& r, std::string_view wire, bool answering) {
  assert(r.code >= 200 && r.code <= 599 && "handler replies need a code 200..599");
  if (answering) {
    pause_before_reply();  // smtpd_error_sleep_time, once errors pass the soft limit
    if (r.transient() || r.permanent()) ++errors_;
  }
  if (state_ == State::Closed) return;
  const std::string_view client_line = answering ? trace_line_ : std::string_view();
  std::string& out = paused_ ? held_ : out_;
  if (config_.enhanced_status_codes || r.enhanced.empty()) {
    if (wire.empty()) {
      r.append_wire(out);
    } else {
      out += wire;
    }
    exchange(client_line, r);
  } else {
    Reply plain = r;
    plain.enhanced.clear();
    plain.append_wire(out);
    exchange(client_line, plain);
  }
  if (r.code == 421) close();  // 3.8: 421 means the server closes the channel
}

void ServerSession::after_command() {
  if (state_ == State::Closed || errors_ < config_.hard_error_limit) return;
  // Postfix smtpd: "421 4.7.0 <myhostname> Error: too many errors", then disconnect.
  announce(Reply::make(421, "4.7.0", config_.hostname + " Error: too many errors"));
}

void ServerSession::close() {
  if (state_ == State::Closed) return;
  if (paused_) {
    close_after_pause_ = true;  // the held replies go out first, then the session ends
    return;
  }
  abandon();
  state_ = State::Closed;
  handler_.on_close_requested();
}

void ServerSession::reset_transaction() {
  envelope_.mail_from = Path{};
  envelope_.mail_params = MailParams{};
  envelope_.rcpts.clear();
  envelope_.notes = ContentNotes{};
  rcpt_attempts_ = 0;
  bdat_.failed.reset();
  chunks_.reset(config_.max_text_line, config_.size_limit);  // RFC 3030 3: RSET clears every chunk
  if (state_ == State::Mail || state_ == State::Rcpt || state_ == State::Data || state_ == State::Bdat)
    state_ = State::Ready;
}

}  // namespace maillab::smtp
