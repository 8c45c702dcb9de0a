// ServerSession, reading side: framing requests out of the byte stream with Beast's
// parser, the header checks of RFC 9112, the limits and the state machine. Writing the
// responses is server_response.cpp.
#include "protocols/http/server_session.hpp"

#include <algorithm>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <limits>
#include <optional>

#include "base/ascii.hpp"
#include "protocols/http/server_parser.hpp"
#include "protocols/http/wire.hpp"

namespace maillab::http {

namespace beast = boost::beast;
namespace bh = boost::beast::http;

namespace {

std::string_view sv(beast::string_view s) { return {s.data(), s.size()}; }

// RFC 9110 7.2: Host = uri-host [ ":" port ]; empty is allowed (no authority).
bool valid_host(std::string_view h) {
  return std::all_of(h.begin(), h.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("-._~:[]!$&'()*+,;=%").find(c) != std::string_view::npos;
  });
}

// The comma-separated tokens of every `name` field, trimmed and lower-cased.
template <class Message>
std::vector<std::string> token_list(const Message& m, bh::field name) {
  std::vector<std::string> out;
  for (auto it = m.find(name); it != m.end() && it->name() == name; ++it) {
    std::string_view v = sv(it->value());
    while (!v.empty()) {
      const auto comma = v.find(',');
      std::string_view t = v.substr(0, comma);
      v = comma == std::string_view::npos ? std::string_view() : v.substr(comma + 1);
      const auto a = t.find_first_not_of(" \t");
      if (a == std::string_view::npos) continue;
      t = t.substr(a, t.find_last_not_of(" \t") - a + 1);
      out.push_back(base::ascii_lower(t));
    }
  }
  return out;
}

}  // namespace

Fields ServerConfig::secure_defaults() {
  Fields f;
  f.set_checked("X-Content-Type-Options", "nosniff");
  f.set_checked("Content-Security-Policy",
                "default-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
  f.set_checked("X-Frame-Options", "DENY");
  f.set_checked("Referrer-Policy", "no-referrer");
  f.set_checked("Cache-Control", "no-store");
  return f;
}

ServerSession::ServerSession(ServerConfig config, ServerHandler& handler)
    : config_(std::move(config)), handler_(handler), parser_(std::make_unique<Parser>()) {}

ServerSession::~ServerSession() = default;

RequestId ServerSession::pending() const {
  return state_ == State::Handling || state_ == State::Streaming ? current_id_ : 0;
}

std::size_t ServerSession::receive_some(std::string_view data, std::size_t output_limit) {
  if (closed() || overflow_ || running_) return data.size();
  running_ = true;
  const std::size_t old = input_.size();
  const bool buffered = old > 0;
  if (buffered) input_.append(data);
  const std::string_view view = buffered ? std::string_view(input_) : data;
  std::size_t pos = 0;
  const Stop stop = run(view, pos, output_limit);
  running_ = false;
  switch (stop) {
    case Stop::Closed:
      input_.clear();
      return data.size();
    case Stop::NeedMore:  // the rest is the beginning of a request: kept (bounded by the limits)
      if (buffered) {
        input_.erase(0, pos);
      } else {
        input_.assign(view.substr(pos));
      }
      return data.size();
    case Stop::Blocked:
      break;
  }
  // Blocked: what was buffered before stays, the unparsed part of `data` goes back.
  if (buffered) {
    input_.resize(std::max(pos, old));
    input_.erase(0, pos);
    return pos > old ? pos - old : 0;
  }
  return pos;
}

void ServerSession::receive(std::string_view data) {
  const std::size_t n = receive_some(data, std::numeric_limits<std::size_t>::max());
  if (n >= data.size()) return;
  // An answer is pending: the rest waits, within max_pending_input.
  const std::string_view rest = data.substr(n);
  if (input_.size() + rest.size() > config_.max_pending_input) {
    overflow_ = true;  // answered, then closed: a peer reading nothing cannot grow the buffer
    input_.clear();
    return;
  }
  input_.append(rest);
}

void ServerSession::receive_eof() {
  state_ = State::Closed;
  input_.clear();
  parser_->p.reset();
}

void ServerSession::clear_output() {
  if (output_.capacity() > 256 * 1024) {
    output_ = std::string();  // a large body's memory goes back
  } else {
    output_.clear();
  }
}

std::string ServerSession::take_output() {
  std::string out = std::move(output_);
  output_.clear();
  return out;
}

std::chrono::milliseconds ServerSession::timeout() const {
  switch (state_) {
    case State::Idle: return requests_ == 0 || !input_.empty() ? config_.header_timeout : config_.idle_timeout;
    case State::Header: return config_.header_timeout;
    case State::Body: return config_.body_timeout;
    case State::Handling:
    case State::Streaming:
    case State::Closed: break;
  }
  return std::chrono::milliseconds(0);
}

void ServerSession::on_timeout() {
  if (state_ == State::Header || state_ == State::Body) {
    fail(408, "the request did not arrive in time");
    return;
  }
  receive_eof();
}

// The request loop (RFC 9112 2.2, 9.3): one request at a time through Beast's parser.
ServerSession::Stop ServerSession::run(std::string_view view, std::size_t& pos, std::size_t output_limit) {
  for (;;) {
    switch (state_) {
      case State::Closed: return Stop::Closed;
      case State::Handling:
      case State::Streaming: return Stop::Blocked;
      case State::Idle:
        if (output_.size() >= output_limit) return Stop::Blocked;
        // RFC 9112 2.2: empty lines before a request line are ignored.
        while (pos < view.size() && (view[pos] == '\r' || view[pos] == '\n')) ++pos;
        if (pos == view.size()) return Stop::NeedMore;
        parser_->p.emplace();
        // Our own check below keeps the whole header within max_header_bytes; Beast's
        // limits (on the request line and the fields apart) never come first.
        parser_->p->header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(config_.max_header_bytes + 4, UINT32_MAX)));
        parser_->p->body_limit(static_cast<std::uint64_t>(config_.max_body_bytes));
        parser_->p->eager(false);  // one step per put(): the header, then each body piece
        header_scan_ = 0;
        state_ = State::Header;
        // A method is a token: a TLS ClientHello or binary noise is refused at its first byte.
        if (!is_token(view.substr(pos, 1))) fail(400, "this is not an HTTP request");
        break;
      case State::Header:
        if (!read_header(view, pos)) return Stop::NeedMore;
        break;
      case State::Body:
        if (!read_body(view, pos)) return Stop::NeedMore;
        break;
    }
  }
}

// Beast parses a header only once it is all there (RFC 9112 2.1: up to the empty line), and
// only the header, so what the peer sent decides the outcome, never how the bytes were
// split. False: more is needed.
bool ServerSession::read_header(std::string_view view, std::size_t& pos) {
  const std::string_view rest = view.substr(pos);
  const std::string_view window = rest.substr(0, config_.max_header_bytes);
  std::size_t header_end = 0;  // just after the empty line
  for (auto lf = window.find('\n', header_scan_ >= 2 ? header_scan_ - 2 : 0); lf != std::string_view::npos && !header_end;
       lf = window.find('\n', lf + 1)) {
    if (window.substr(lf + 1, 1) == "\n") header_end = lf + 2;
    if (window.substr(lf + 1, 2) == "\r\n") header_end = lf + 3;
  }
  if (header_end == 0) {
    header_scan_ = window.size();
    if (rest.size() < config_.max_header_bytes) return false;
    if (window.find('\n') == std::string_view::npos) {
      fail(414, "the request line is too long");
    } else {
      fail(431, "the request header is too large");
    }
    return true;
  }
  // The header and nothing after it: what follows must not change how it parses.
  auto& p = *parser_->p;
  beast::error_code ec;
  const std::size_t n = p.put(boost::asio::const_buffer(rest.data(), header_end), ec);
  pos += n;
  if (!ec && n != header_end) ec = bh::error::need_more;
  if (ec == bh::error::body_limit) {
    fail(413, "the request body is larger than " + std::to_string(config_.max_body_bytes) + " bytes");
  } else if (ec == bh::error::bad_version) {
    // Beast knows HTTP/1.0 and 1.1 only; RFC 9110 15.6.6 has 505 for another major version.
    const std::string_view line = rest.substr(0, rest.find('\n'));
    const auto at = line.rfind("HTTP/");
    const bool other = at != std::string_view::npos && line.size() > at + 5 && line[at + 5] >= '0' &&
                       line[at + 5] <= '9' && line[at + 5] != '1';
    fail(other ? 505 : 400, other ? "only HTTP/1.0 and HTTP/1.1 are spoken here" : "malformed request line");
  } else if (ec) {
    fail(400, ec == bh::error::need_more ? "malformed request header" : ec.message());
  } else if (begin_body() && p.is_done()) {
    dispatch();
  }
  return true;
}

// One body step: a piece of content. False: more is needed.
bool ServerSession::read_body(std::string_view view, std::size_t& pos) {
  auto& p = *parser_->p;
  if (p.chunked()) return read_chunked(view, pos);
  if (pos == view.size()) return false;
  beast::error_code ec;
  const std::size_t n = p.put(boost::asio::const_buffer(view.data() + pos, view.size() - pos), ec);
  pos += n;
  if (ec == bh::error::need_more) return false;
  if (ec) {
    fail(400, ec.message());
    return true;
  }
  if (p.is_done()) {
    dispatch();
    return true;
  }
  return n > 0;
}

// One step of a chunked body: a chunk line, a piece of a chunk's data, or the last chunk
// with its trailer section. The engine follows the framing itself (chunk_left_): every chunk
// line is read by ChunkLine before Beast sees it, so a broken one is refused at its first
// impossible byte, a complete one over max_header_bytes (with the CRLF before it) or over
// what is left of max_body_bytes at once, whether it comes whole or in pieces. Beast gets
// a chunk line only once it is complete, and the last one with at least kMinChunkedPut
// bytes. False: more is needed.
bool ServerSession::read_chunked(std::string_view view, std::size_t& pos) {
  static constexpr std::string_view kBrokenChunks = "the chunked request body is malformed";
  auto& p = *parser_->p;
  const std::string_view rest = view.substr(pos);
  const std::size_t limit = config_.max_header_bytes;
  const bool at_line = chunk_left_ == 0;
  if (at_line) {
    const ChunkLine::Status line = chunk_line_.feed(rest);
    if (line == ChunkLine::Status::Bad || chunk_line_.length() > limit) {
      fail(400, kBrokenChunks);
      return true;
    }
    if (line == ChunkLine::Status::More) return false;
    if (chunk_line_.size() > chunk_budget_) {
      fail(413, "the request body is larger than " + std::to_string(config_.max_body_bytes) + " bytes");
      return true;
    }
    if (chunk_line_.size() == 0 && rest.size() < wire::kMinChunkedPut) return false;
  } else if (rest.empty()) {
    return false;
  }
  const std::size_t before = p.get().body().size();
  beast::error_code ec;
  const std::size_t n = p.put(boost::asio::const_buffer(rest.data(), rest.size()), ec);
  pos += n;
  if (ec == bh::error::need_more) {  // the trailer section of the last chunk is not complete
    if (rest.size() - n <= limit) return false;
    fail(400, kBrokenChunks);
    return true;
  }
  // A line step takes the line, or for the last chunk the line and its trailer section:
  // within the framing bound either way.
  if (ec || (at_line && (n > limit || (chunk_line_.size() > 0 && n != chunk_line_.length())))) {
    fail(400, kBrokenChunks);
    return true;
  }
  if (at_line) {
    chunk_left_ = chunk_line_.size();
    chunk_budget_ -= chunk_left_;
  } else {
    chunk_left_ -= std::min<std::uint64_t>(chunk_left_, p.get().body().size() - before);
    if (chunk_left_ == 0) chunk_line_.reset(true);
  }
  if (p.is_done()) {
    dispatch();
    return true;
  }
  return n > 0;
}

// The checks once the fields are in, before any body byte is read.
bool ServerSession::begin_body() {
  auto& p = *parser_->p;
  const auto& m = p.get();
  // Copied now: Beast adds trailer fields to the same container, next to fields of the same
  // name, and they must not count as header fields (RFC 9110 6.5.1).
  fields_ = Fields();
  for (const auto& f : m) fields_.add(std::string(sv(f.name_string())), std::string(sv(f.value())));
  state_ = State::Body;
  chunk_line_.reset(false);
  chunk_left_ = 0;
  chunk_budget_ = config_.max_body_bytes;
  if (m.version() / 10 != 1) {
    fail(505, "only HTTP/1.0 and HTTP/1.1 are spoken here");
    return false;
  }
  // RFC 9112 3.2: exactly one Host in HTTP/1.1, at most one in HTTP/1.0, a valid value.
  const auto hosts = m.count(bh::field::host);
  if ((m.version() == 11 && hosts != 1) || hosts > 1 ||
      (hosts == 1 && !valid_host(sv(m.find(bh::field::host)->value())))) {
    fail(400, "a request needs exactly one valid Host field");
    return false;
  }
  // RFC 9112 6.1: chunked must be the final coding; none other is implemented.
  if (m.count(bh::field::transfer_encoding) > 0) {
    const auto codings = token_list(m, bh::field::transfer_encoding);
    if (m.version() == 10 || codings.empty() || codings.back() != "chunked") {
      fail(400, "Transfer-Encoding without a final chunked");
      return false;
    }
    if (codings.size() != 1) {
      fail(501, "no transfer coding but chunked is implemented");
      return false;
    }
  }
  // RFC 9110 10.1.1: Expect: 100-continue gets an interim 100 before the body is read.
  if (m.count(bh::field::expect) > 0) {
    const auto expect = token_list(m, bh::field::expect);
    if (expect.size() != 1 || expect.front() != "100-continue") {
      fail(417, "only Expect: 100-continue is understood");
      return false;
    }
    const bool body_follows = p.chunked() || (p.content_length() && *p.content_length() > 0);
    if (m.version() == 11 && body_follows && !p.is_done()) output_ += "HTTP/1.1 100 Continue\r\n\r\n";
  }
  return true;
}

void ServerSession::dispatch() {
  auto m = parser_->p->release();
  parser_->p.reset();
  Request req;
  req.method = std::string(sv(m.method_string()));
  req.target = std::string(sv(m.target()));
  req.version = static_cast<int>(m.version());
  req.keep_alive = m.keep_alive();
  req.headers = std::move(fields_);
  req.body = std::move(m.body());
  ++requests_;
  current_id_ = requests_;
  auto target = parse_target(req.target);
  current_ = std::move(req);
  if (!target) {
    fail(400, "the request target is not a clean path");
    return;
  }
  current_.path = std::move(target->path);
  current_.segments = std::move(target->segments);
  current_.query = std::move(target->query);
  if (requests_ >= config_.max_requests) closing_ = true;
  state_ = State::Handling;
  Answer answer = handler_.on_request(current_, current_id_);
  if (answer && state_ == State::Handling) write(std::move(*answer));
}

bool ServerSession::respond(RequestId id, Response response) {
  if (state_ != State::Handling || id != current_id_ || id == 0) return false;
  write(std::move(response));
  if (!running_) receive_some({}, kResumeSlice);
  return true;
}

}  // namespace maillab::http
