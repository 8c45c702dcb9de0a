// ServerSession, writing side: every response goes out here (RFC 9112 6, 9.3; RFC 9110
// 6.4.1 for the statuses without content), with the server's default fields, the framing
// the engine decides, and the connection's fate.
#include <cassert>

#include "protocols/http/server_parser.hpp"
#include "protocols/http/server_session.hpp"
#include "protocols/http/wire.hpp"

namespace maillab::http {

void ServerSession::fail(int status, std::string_view detail) {
  if (parser_->p) {  // the request as far as it was read (its method decides HEAD)
    Request r;
    r.method.clear();
    r.target.clear();
    if (parser_->p->is_header_done()) {
      const auto& m = parser_->p->get();
      r.method.assign(m.method_string().data(), m.method_string().size());
      r.target.assign(m.target().data(), m.target().size());
      r.version = m.version() == 10 ? 10 : 11;
    }
    current_ = std::move(r);
    parser_->p.reset();
  }
  Response response = handler_.error_response(status, detail);
  response.close = true;
  response.stream = false;
  write(std::move(response));
}

void ServerSession::write(Response r) {
  assert(r.status >= 200 && r.status <= 599);
  const bool head = current_.method == "HEAD";
  const bool http10 = current_.version == 10;
  // RFC 9110 6.4.1: no content in 1xx, 204 and 304 (304 keeps no length either: it would
  // describe the representation, which the lab does not track).
  const bool no_content = r.status == 204 || r.status == 304;
  const bool stream = r.stream && !head && !no_content;
  bool close = r.close || closing_ || overflow_ || !current_.keep_alive || (stream && http10);

  Fields fields;
  for (const auto& f : r.headers()) {
    if (!wire::is_framing_field(f.name)) fields.add(f.name, f.value);
  }
  for (const auto& f : config_.default_headers) {
    if (!r.headers().has(f.name)) fields.add(f.name, f.value);
  }
  if (!config_.server.empty() && !r.headers().has("Server")) fields.set_checked("Server", config_.server);
  if (stream && !http10) {
    fields.add("Transfer-Encoding", "chunked");
  } else if (!stream && !no_content) {
    fields.add("Content-Length", std::to_string(r.body.size()));  // for HEAD: the GET's length
  }
  if (close) {
    fields.add("Connection", "close");
  } else if (http10) {
    fields.add("Connection", "keep-alive");
  }
  wire::append_response_head(output_, r.status, fields);
  if (!head && !no_content) {
    if (stream && !http10) {
      wire::append_chunk(output_, r.body);
    } else {
      output_ += r.body;
    }
  }
  handler_.on_exchange(current_.method, current_.target, r.status);

  if (stream) {
    state_ = State::Streaming;
    stream_chunked_ = !http10;
    closing_ = close;
    return;
  }
  if (close) {
    state_ = State::Closed;
    input_.clear();
  } else {
    state_ = State::Idle;
  }
  current_ = Request{};
}

bool ServerSession::stream_write(RequestId id, std::string_view bytes) {
  if (state_ != State::Streaming || id != current_id_) return false;
  if (stream_chunked_) {
    wire::append_chunk(output_, bytes);
  } else {
    output_.append(bytes);
  }
  return true;
}

bool ServerSession::stream_end(RequestId id) {
  if (state_ != State::Streaming || id != current_id_) return false;
  if (stream_chunked_) output_ += wire::kLastChunk;
  current_ = Request{};
  if (closing_ || overflow_) {
    state_ = State::Closed;
    input_.clear();
    return true;
  }
  state_ = State::Idle;
  if (!running_) receive_some({}, kResumeSlice);
  return true;
}

}  // namespace maillab::http
