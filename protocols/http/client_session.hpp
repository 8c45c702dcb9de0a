// http::ClientSession: a sans-I/O HTTP/1.1 client connection (RFC 9112) on Boost.Beast's
// response parser and serializer: the simulated browser of the webmail, the lab's probes.
// Same shape as the server engine (receive / receive_eof, output + clear_output or
// take_output, timeout / on_timeout, closed).
//
// Invariants:
// - every request given to send() gets exactly one ClientResult, in the order sent
//   (pipelining, RFC 9112 9.3.2): the response, or why there is none (the connection
//   closed or timed out first, the response broke the limits or the syntax, the request
//   itself was refused);
// - responses are framed by Content-Length, chunked, or the end of the connection
//   (RFC 9112 6.3); HEAD, 1xx, 204 and 304 have no body; interim 1xx responses are skipped;
// - memory is bounded: a head over max_header_bytes or a body over max_body_bytes ends the
//   connection with TooLarge; after any error the connection is closed (the stream can no
//   longer be framed) and the requests still in flight end ConnectionClosed;
// - what is written is checked: a method must be a token and a target visible ASCII,
//   field values go through safe_field_value; framing fields are the engine's.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "protocols/http/fields.hpp"
#include "protocols/http/request.hpp"

namespace maillab::http {

struct ClientConfig {
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 16 << 20;
  std::chrono::milliseconds response_timeout{30000};  // between reads while a response is due
  std::string host;                 // the Host field of requests that have none
  std::string user_agent = "maillab";  // empty: none
};

struct ClientResult {
  enum class Outcome {
    Ok,                // a complete response
    TooLarge,          // its head or body was over the limits
    BadResponse,       // not HTTP/1.x, or broken framing
    ConnectionClosed,  // the connection ended before it (or before it was sent)
    TimedOut,
    Refused,           // the request was not sendable (bad method or target); nothing sent
  };
  Outcome outcome = Outcome::Ok;
  std::string method;  // of the request, to match results up
  std::string target;
  int status = 0;      // when Ok
  int version = 11;
  Fields headers;
  std::string body;
  std::string detail;  // why, when not Ok

  bool ok() const { return outcome == Outcome::Ok; }
};

class ClientSession {
 public:
  explicit ClientSession(ClientConfig config = {});
  ~ClientSession();
  ClientSession(const ClientSession&) = delete;
  ClientSession& operator=(const ClientSession&) = delete;

  // Writes `request` (Host, User-Agent and Content-Length added as needed) behind the
  // ones in flight. Once closed, its result is ConnectionClosed at once.
  void send(const Request& request);

  void receive(std::string_view data);
  void receive_eof();
  std::string_view output() const { return output_; }
  void clear_output() { output_.clear(); }
  std::string take_output();
  // response_timeout while a response is due, else zero (an idle connection is the
  // owner's to keep or close).
  std::chrono::milliseconds timeout() const;
  void on_timeout();
  bool closed() const { return closed_; }

  // The next finished result, in the order of send().
  std::optional<ClientResult> next_result();
  std::size_t in_flight() const { return in_flight_.size(); }

 private:
  struct Parser;

  void start_response();
  void finish(ClientResult::Outcome outcome, std::string detail);
  void complete();
  void close_all(ClientResult::Outcome outcome, std::string_view detail);

  ClientConfig config_;
  std::unique_ptr<Parser> parser_;
  std::deque<ClientResult> in_flight_;  // sent, awaiting their response (method, target)
  std::deque<ClientResult> done_;
  Fields fields_;  // the header fields of the response being read
  std::string input_;
  std::string output_;
  bool closed_ = false;
};

}  // namespace maillab::http
