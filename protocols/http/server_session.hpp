// http::ServerSession: a sans-I/O HTTP/1.1 server connection (RFC 9112 message syntax and
// connection management, RFC 9110 semantics) on Boost.Beast's request parser and
// serializer, shaped like the lab's mail engines (docs/architecture.md) so that
// services::SessionDriver runs it on simulated streams and on real sockets alike.
//
// Bytes in: receive / receive_some (any split) and receive_eof. Bytes out: output() +
// clear_output(), or take_output(). Time: timeout() is how long the engine waits for the
// peer now, on_timeout() when that passed. closed(): flush the output, then close.
//
// Invariants:
// - every request gets exactly one response, in the order of the requests (pipelining,
//   RFC 9112 9.3.2); the next request is not parsed before the current one is answered,
//   so at most one is pending and input waits (bounded) meanwhile;
// - limits: a header (request line, fields, empty line) over max_header_bytes -> 431 (414
//   when no line end came within it); a body over max_body_bytes (Content-Length or the
//   sum of chunks) -> 413, before its bytes are read; a chunk line or trailer section over
//   max_header_bytes -> 400. Every such refusal, and every malformed request (400: syntax,
//   broken chunking, a bad or missing Host, Content-Length with Transfer-Encoding, a path
//   with dot segments or NULs; 501 for an unknown transfer coding, 505 for HTTP/2 and up,
//   417 for an unknown expectation), is answered and the connection closed: after a
//   framing error the rest of the stream cannot be trusted (RFC 9112 6.3, smuggling);
// - the split of the input never matters: Beast sees a header only once it is complete, and
//   the body one step (a piece of content, a chunk line) at a time, so the same bytes give
//   the same responses whether they come at once or one by one; the engine follows the chunk
//   framing itself (ChunkLine), so a broken chunk line is refused at its first impossible
//   byte, never left waiting for bytes the peer will not send;
// - keep-alive (RFC 9112 9.3): HTTP/1.1 unless "Connection: close", HTTP/1.0 only with
//   "Connection: keep-alive"; a response with close set, max_requests and a timeout end it;
// - memory is bounded: a partial request line, fields or chunk line is at most
//   max_header_bytes, a body at most max_body_bytes, input read ahead while a response is
//   pending at most max_pending_input (beyond: answered, then closed); receive_some stops
//   taking requests while the output is over the caller's limit;
// - once closed, input is ignored and output holds only what was written before.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "protocols/http/chunk_line.hpp"
#include "protocols/http/fields.hpp"
#include "protocols/http/request.hpp"
#include "protocols/http/response.hpp"
#include "protocols/http/server_handler.hpp"

namespace maillab::http {

struct ServerConfig {
  std::size_t max_header_bytes = 16 * 1024;  // request line + fields (431)
  std::size_t max_body_bytes = 1 << 20;      // decoded body (413)
  // Input read ahead (pipelined) while the handler owes an answer.
  std::size_t max_pending_input = 64 * 1024;
  std::size_t max_requests = 1000;  // per connection (nginx keepalive_requests)
  // Waiting for the first byte of a request on a kept-alive connection (nginx
  // keepalive_timeout), for the rest of its header (client_header_timeout, also for the
  // first request) and between reads of its body (client_body_timeout). Handlers have no
  // timer here: an answer that comes later is the application's to bound.
  std::chrono::milliseconds idle_timeout{60000};
  std::chrono::milliseconds header_timeout{30000};
  std::chrono::milliseconds body_timeout{60000};
  std::string server = "maillab";  // the Server field; empty: none
  // Added to every response that does not set the field itself (checked like any field).
  Fields default_headers = secure_defaults();

  // nosniff, a Content-Security-Policy that allows nothing but forms to this origin,
  // no framing, no referrer, no caching (pages show private mail).
  static Fields secure_defaults();
};

class ServerSession {
 public:
  enum class State {
    Idle,       // between requests (nothing of the next one yet)
    Header,     // inside a request line or its fields
    Body,       // inside a request body
    Handling,   // the handler owes the answer (respond)
    Streaming,  // a streamed response is being written (stream_write / stream_end)
    Closed,
  };

  ServerSession(ServerConfig config, ServerHandler& handler);
  ~ServerSession();
  ServerSession(const ServerSession&) = delete;
  ServerSession& operator=(const ServerSession&) = delete;

  // Takes every byte: what cannot be parsed yet (a pending answer) waits, up to
  // max_pending_input.
  void receive(std::string_view data);
  // The same, stopping before the next request while the output holds `output_limit`
  // bytes or more, or while an answer is pending. Returns the bytes consumed (the caller
  // offers the rest again later): all of them once closed or when they end inside a
  // request. With empty `data`, parses input that waited (after respond() or a drain).
  std::size_t receive_some(std::string_view data, std::size_t output_limit);
  void receive_eof();  // the peer is gone: a pending request is dropped

  std::string_view output() const { return output_; }
  void clear_output();
  std::string take_output();

  // How long to wait for the peer from now (re-armed after every exchange); zero while
  // the handler owes an answer, while streaming, and once closed.
  std::chrono::milliseconds timeout() const;
  // Idle: closes quietly (RFC 9112 9.5); inside a request: 408, then closes.
  void on_timeout();
  bool closed() const { return state_ == State::Closed; }

  // The answer to request `id`, which the handler left pending. Then parses input that
  // waited, up to the default output slice. False (and nothing written) when `id` is not
  // the pending request (answered already, the session closed).
  bool respond(RequestId id, Response response);
  // A streamed response's next bytes / its end (Response::stream). False when `id` is not
  // the request being streamed.
  bool stream_write(RequestId id, std::string_view bytes);
  bool stream_end(RequestId id);

  State state() const { return state_; }
  RequestId pending() const;             // the request being handled or streamed, or 0
  std::uint64_t requests() const { return requests_; }  // complete requests so far
  std::size_t buffered_input() const { return input_.size(); }

 private:
  struct Parser;
  enum class Stop { NeedMore, Blocked, Closed };

  Stop run(std::string_view view, std::size_t& pos, std::size_t output_limit);
  bool read_header(std::string_view view, std::size_t& pos);
  bool read_body(std::string_view view, std::size_t& pos);
  bool read_chunked(std::string_view view, std::size_t& pos);
  bool begin_body();  // header checks (Host, Transfer-Encoding, version, Expect)
  void dispatch();
  void fail(int status, std::string_view detail);
  void write(Response response);

  ServerConfig config_;
  ServerHandler& handler_;
  std::unique_ptr<Parser> parser_;
  State state_ = State::Idle;
  std::string input_;   // unparsed input: a partial request, or what waits for an answer
  std::string output_;
  Request current_;     // the request being handled or streamed
  RequestId current_id_ = 0;
  std::uint64_t requests_ = 0;
  Fields fields_;                  // the header fields of the request being read
  std::size_t header_scan_ = 0;    // header bytes already searched for its end
  ChunkLine chunk_line_;           // the chunk line being read (chunked body, chunk_left_ 0)
  std::uint64_t chunk_left_ = 0;   // data bytes of the current chunk not read yet
  std::uint64_t chunk_budget_ = 0; // body bytes the chunks may still announce
  bool closing_ = false;         // close once the current response is written
  bool overflow_ = false;        // input was dropped while waiting: close after the answer
  bool running_ = false;         // inside run(): respond() from a handler parses nothing
  bool stream_chunked_ = false;
  bool stream_head_only_ = false;
};

}  // namespace maillab::http
