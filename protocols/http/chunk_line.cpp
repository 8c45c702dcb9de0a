// ChunkLine: the chunk line grammar of RFC 9112 7.1.1 as a state machine, one byte a step.
#include "protocols/http/chunk_line.hpp"

#include <limits>

#include "protocols/http/fields.hpp"
#include "protocols/http/target.hpp"

namespace maillab::http {

namespace {

// RFC 9110 5.6.2: tchar.
bool is_tchar(char c) { return is_token(std::string_view(&c, 1)); }

bool is_ws(char c) { return c == ' ' || c == '\t'; }

// RFC 9110 5.6.4: qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text.
bool is_qdtext(char c) {
  const auto u = static_cast<unsigned char>(c);
  return c == '\t' || c == ' ' || u == 0x21 || (u >= 0x23 && u <= 0x5B) || (u >= 0x5D && u <= 0x7E) || u >= 0x80;
}

// quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
bool is_pair_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  return c == '\t' || c == ' ' || (u >= 0x21 && u <= 0x7E) || u >= 0x80;
}

}  // namespace

void ChunkLine::reset(bool crlf_first) {
  state_ = crlf_first ? State::Crlf0 : State::Size0;
  size_ = 0;
  seen_ = 0;
}

ChunkLine::Status ChunkLine::feed(std::string_view rest) {
  while (seen_ < rest.size() && state_ != State::Done && state_ != State::Bad) {
    state_ = step(rest[seen_]);
    ++seen_;
  }
  if (state_ == State::Done) return Status::Done;
  return state_ == State::Bad ? Status::Bad : Status::More;
}

ChunkLine::State ChunkLine::step(char c) {
  switch (state_) {
    case State::Crlf0: return c == '\r' ? State::Crlf1 : State::Bad;
    case State::Crlf1: return c == '\n' ? State::Size0 : State::Bad;
    case State::Size0:
    case State::Size: {
      const int d = hex_value(c);
      if (d >= 0) {
        if (size_ > (std::numeric_limits<std::uint64_t>::max() - static_cast<std::uint64_t>(d)) / 16) return State::Bad;
        size_ = size_ * 16 + static_cast<std::uint64_t>(d);
        return State::Size;
      }
      if (state_ == State::Size0) return State::Bad;
      if (c == ';') return State::SemiBws;
      if (is_ws(c)) return State::PreSemi;
      return c == '\r' ? State::Lf : State::Bad;
    }
    case State::PreSemi:
      if (is_ws(c)) return State::PreSemi;
      return c == ';' ? State::SemiBws : State::Bad;
    case State::SemiBws:
      if (is_ws(c)) return State::SemiBws;
      return is_tchar(c) ? State::Name : State::Bad;
    case State::Name:
    case State::NameBws:
      if (state_ == State::Name && is_tchar(c)) return State::Name;
      if (is_ws(c)) return State::NameBws;
      if (c == ';') return State::SemiBws;
      if (c == '=') return State::EqBws;
      return state_ == State::Name && c == '\r' ? State::Lf : State::Bad;
    case State::EqBws:
      if (is_ws(c)) return State::EqBws;
      if (c == '"') return State::Quoted;
      return is_tchar(c) ? State::Token : State::Bad;
    case State::Token:
      if (is_tchar(c)) return State::Token;
      [[fallthrough]];
    case State::AfterQuote:
      if (c == ';') return State::SemiBws;
      if (is_ws(c)) return State::PreSemi;
      return c == '\r' ? State::Lf : State::Bad;
    case State::Quoted:
      if (c == '"') return State::AfterQuote;
      if (c == '\\') return State::QuotedPair;
      return is_qdtext(c) ? State::Quoted : State::Bad;
    case State::QuotedPair: return is_pair_char(c) ? State::Quoted : State::Bad;
    case State::Lf: return c == '\n' ? State::Done : State::Bad;
    case State::Done:
    case State::Bad: break;
  }
  return state_;
}

}  // namespace maillab::http
