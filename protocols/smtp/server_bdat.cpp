// ServerSession: BDAT (RFC 3030 CHUNKING, without BINARYMIME, as Postfix offers it).
//
// A BDAT command line is followed by exactly the octets it counts. They are read whenever
// the count could be read, also when the command is refused (the refusal is the reply after
// them), so a chunk is never taken for commands. Postfix's replies and order of checks:
//   count unreadable                 521 5.5.4 Syntax: BDAT count [LAST], and close
//   before HELO/EHLO, after a 554    503 (the session's ordering reply)
//   CHUNKING not offered             502 5.5.1 Error: command not implemented
//   no MAIL / no accepted RCPT       503 5.5.1 Error: need RCPT command /
//                                    554 5.5.1 Error: no valid recipients
//   a word other than LAST           501 5.5.4 Syntax: BDAT count [LAST]
//   the message would pass SIZE      552 5.3.4 Chunk exceeds message size limit (also
//                                    when storing bare line ends as CRLF takes it past)
//   BDAT 0 without LAST              551 5.7.1 Null BDAT request
//   a chunk accepted                 250 2.0.0 Ok: <n> bytes
//   the LAST one                     the handler's reply to the message
// A refusal inside a transaction fails it: every later chunk of it gets the same reply (its
// octets are read and dropped, RFC 3030 3: the client should have stopped), the LAST one
// ends it. Between chunks MAIL, RCPT, DATA and AUTH get "503 <verb> after BDAT" (RFC 3030 3:
// DATA and BDAT never mix in one transaction); RSET clears the chunks (RFC 3030 3).
#include "protocols/smtp/server_session.hpp"

#include <charconv>
#include <utility>

namespace maillab::smtp {
namespace {

// chunk-size = 1*DIGIT (RFC 3030 2), within what the engine can count.
std::optional<std::uint64_t> parse_chunk_size(std::string_view s) {
  std::uint64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

bool is_last(std::string_view s) {
  return s.size() == 4 && (s[0] | 0x20) == 'l' && (s[1] | 0x20) == 'a' && (s[2] | 0x20) == 's' &&
         (s[3] | 0x20) == 't';
}

}  // namespace

void ServerSession::cmd_bdat(std::string_view args) {
  // RFC 3030 2: "BDAT" SP chunk-size [ SP end-marker ], end-marker = "LAST".
  const std::string_view count = args.substr(0, args.find(' '));
  std::string_view rest = args.substr(count.size());
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  const std::optional<std::uint64_t> size = parse_chunk_size(count);
  if (!size) {
    // Where the chunk ends is unknown: what follows may be data or commands. Postfix hangs
    // up rather than guess (521, RFC 7504).
    answer(Reply::make(521, "5.5.4", "Syntax: BDAT count [LAST]"));
    return close();
  }
  const bool last = is_last(rest);
  bdat_.line.assign(trace_line_);
  bdat_.last = last;
  bdat_.size = *size;
  bdat_.back = state_;
  bdat_.refusal = bdat_refusal(*size, last, rest.empty() || last);
  chunks_.start(*size, !bdat_.refusal);
  state_ = State::Chunk;
  if (*size == 0) end_of_chunk();  // nothing to wait for
}

std::optional<Reply> ServerSession::bdat_refusal(std::uint64_t size, bool last, bool syntax_ok) {
  bdat_.fails_transaction = false;
  if (state_ == State::Rejected || state_ == State::Connected) return ordering_error();
  // RFC 3030 2: for a client that saw CHUNKING in the EHLO reply.
  if (!envelope_.esmtp || !config_.chunking) return Reply::make(502, "5.5.1", "Error: command not implemented");
  if (state_ == State::Ready) return ordering_error();
  if (state_ == State::Mail) {
    // As DATA (RFC 5321 3.3): no recipient accepted.
    if (rcpt_attempts_ > 0) return Reply::make(554, "5.5.1", "Error: no valid recipients");
    return ordering_error();
  }
  // A transaction with recipients (rcpt) or with chunks already (bdat): a refusal fails it.
  bdat_.fails_transaction = true;
  if (!syntax_ok) return syntax_error();
  if (bdat_.failed) return bdat_.failed;
  // RFC 1870 6.2 for the chunks together: refused before a byte is kept.
  if (config_.size_limit != 0 && (size > config_.size_limit || chunks_.received() > config_.size_limit - size))
    return Reply::make(552, "5.3.4", "Chunk exceeds message size limit");
  if (size == 0 && !last) return Reply::make(551, "5.7.1", "Null BDAT request");
  if (state_ == State::Rcpt) {
    // The first chunk: the host decides as it does at DATA (to Postfix's restrictions BDAT
    // and DATA are the same).
    Reply r = handler_.on_data(envelope_);
    if (r.code != 354) return r;
    chunks_.reset(config_.max_text_line, config_.size_limit);
  }
  bdat_.fails_transaction = false;
  return std::nullopt;
}

void ServerSession::end_of_chunk() {
  trace_line_ = bdat_.line;
  if (!bdat_.refusal && chunks_.oversize()) {
    bdat_.refusal = Reply::make(552, "5.3.4", "Chunk exceeds message size limit");
    bdat_.fails_transaction = true;
  }
  if (bdat_.refusal) {
    Reply r = std::move(*bdat_.refusal);
    bdat_.refusal.reset();
    state_ = bdat_.back;
    if (bdat_.fails_transaction) {
      state_ = State::Bdat;
      bdat_.failed = r;
      if (bdat_.last) reset_transaction();  // LAST ends the transaction, whatever the reply
    }
    answer(std::move(r));
  } else if (!bdat_.last) {
    state_ = State::Bdat;
    answer(Reply::make(250, "2.0.0", "Ok: " + std::to_string(bdat_.size) + " bytes"));
  } else {
    std::string content = chunks_.take_content();  // counts a CR that ended the message
    envelope_.notes = chunks_.notes();
    if (chunks_.oversize()) {
      // Bare line ends stored as CRLF took the message past the limit.
      state_ = State::Bdat;
      answer(Reply::make(552, "5.3.4", "Chunk exceeds message size limit"));
      reset_transaction();
    } else {
      state_ = State::Ready;
      message_received(std::move(content));
    }
  }
  trace_line_ = {};
  after_command();
}

}  // namespace maillab::smtp
