// http_server_fuzz: arbitrary client bytes into http::ServerSession, split into many
// receive() calls, with a small application on an http::Router: /hello, /m/{id} (the id,
// peer bytes, copied into a field and a JSON body), POST /echo, /later (answered late),
// /stream (a streamed response), /close.
//
// Flags (fuzz_support.hpp): bit 0 small limits (header 256, body 64, pending input 128,
// so every refusal is reachable), bit 1 /later is answered late (respond() after the feed
// that brought it), bit 2 the session ends with on_timeout() instead of receive_eof(), bit 3 fed like services::SessionDriver (receive_some with a 300-byte
// output limit, then receive() for what a pending answer holds back), bit 4 max_requests 3,
// bit 5 streamed responses get two more pieces before they end.
//
// Checks:
// - the output is HTTP/1.1 responses and nothing else, read by a strict reader written
//   here: status line, token field names, no control character in a value, framing by
//   exactly one Content-Length or chunked; only 100 Continue before a final response;
// - exactly one final response per exchange the handler saw, in order, with its status;
//   HEAD, 204 and 304 without content; after one that says "Connection: close" nothing
//   more, and the session is closed;
// - peer bytes reach no field but X-Id, once: the fields of every response are from the
//   known set; the JSON bodies parse (nlohmann-json);
// - every request the application saw has a clean path (no NUL, no '/', no dot segment in
//   a segment), a version of 1.0 or 1.1, a body within the limit, one Host in HTTP/1.1;
// - memory: the input the session keeps stays within max_header_bytes + max_pending_input;
//   nothing is written after closed(); timeout() is zero exactly when closed, handling or
//   streaming;
// - the split does not matter: the same bytes one at a time give the same output and the
//   same requests (unless a response held across feeds, a late answer or a stream, meets
//   the small pending-input bound, where the timing of the answer decides what is
//   dropped: the whole payload in one feed overflows the bound while the response is held,
//   one byte at a time does not).
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "base/json.hpp"
#include "fuzz/fuzz_support.hpp"
#include "protocols/http/router.hpp"
#include "protocols/http/server_session.hpp"

using namespace maillab;
using namespace maillab::http;
using fuzz::Input;

namespace {

struct App : ServerHandler {
  Router router;
  std::vector<std::string> requests;  // method target version body-size
  std::vector<int> statuses;
  std::vector<bool> heads;
  std::vector<RequestId> later;
  std::vector<RequestId> streams;
  bool late = false;
  RequestId last_id = 0;
  ServerConfig config;

  App() {
    router.add("GET", "/hello", [](const Request&, const RouteParams&, RequestId) { return Response::text(200, "hello\n"); });
    router.add("GET", "/m/{id}", [](const Request&, const RouteParams& p, RequestId) {
      Response r = Response::json(200, "{\"id\":" + base::json_quote(p.get("id")) + "}");
      r.set("X-Id", p.get("id"));
      return r;
    });
    router.add("POST", "/echo", [](const Request& r, const RouteParams&, RequestId) { return Response::text(200, r.body); });
    router.add("GET", "/later", [this](const Request&, const RouteParams&, RequestId id) -> Answer {
      if (!late) return Response::text(200, "now");
      later.push_back(id);
      return std::nullopt;
    });
    router.add("GET", "/stream", [this](const Request&, const RouteParams&, RequestId id) {
      streams.push_back(id);
      Response r = Response::text(200, "s0");
      r.stream = true;
      return r;
    });
    router.add("GET", "/close", [](const Request&, const RouteParams&, RequestId) {
      Response r = Response::text(200, "bye");
      r.close = true;
      return r;
    });
  }

  Answer on_request(const Request& r, RequestId id) override {
    for (const auto& seg : r.segments) {
      FUZZ_CHECK(seg.find('\0') == std::string::npos && seg.find('/') == std::string::npos, fuzz::shown(r.target));
      FUZZ_CHECK(seg != "." && seg != "..", "a dot segment reached the application: " + fuzz::shown(r.target));
    }
    FUZZ_CHECK(r.version == 10 || r.version == 11, "version");
    FUZZ_CHECK(r.body.size() <= config.max_body_bytes, "body over the limit");
    if (r.version == 11) FUZZ_CHECK(r.headers.count("Host") == 1, "HTTP/1.1 without exactly one Host");
    FUZZ_CHECK(id > last_id, "request ids go up");
    last_id = id;
    requests.push_back(r.method + " " + r.target + " " + std::to_string(r.version) + " " + std::to_string(r.body.size()));
    return router.dispatch(r, id);
  }
  void on_exchange(std::string_view method, std::string_view, int status) override {
    statuses.push_back(status);
    heads.push_back(method == "HEAD");
  }
};

bool known_field(std::string_view name) {
  for (std::string_view f : {"Content-Type", "Content-Length", "Transfer-Encoding", "Connection", "X-Id", "Allow",
                             "Server", "X-Content-Type-Options", "Content-Security-Policy", "X-Frame-Options",
                             "Referrer-Policy", "Cache-Control"}) {
    if (iequals(name, f)) return true;
  }
  return false;
}

// Reads `out` as responses; checks them against what the handler saw and returns the
// number of final responses.
void check_output(std::string_view out, const App& app, bool closed) {
  std::size_t finals = 0;
  bool saw_close = false;
  while (!out.empty()) {
    FUZZ_CHECK(!saw_close, "bytes after a response that said close: " + fuzz::shown(out));
    const auto end = out.find("\r\n\r\n");
    FUZZ_CHECK(end != std::string_view::npos, "a head without its end: " + fuzz::shown(out));
    std::string_view head = out.substr(0, end + 2);
    out.remove_prefix(end + 4);
    FUZZ_CHECK(head.substr(0, 9) == "HTTP/1.1 " && head.size() > 13 && head[12] == ' ', fuzz::shown(head));
    const int status = std::stoi(std::string(head.substr(9, 3)));
    head.remove_prefix(head.find("\r\n") + 2);
    std::size_t lengths = 0;
    std::size_t length = 0;
    bool chunked = false;
    bool close = false;
    std::size_t ids = 0;
    std::string type;
    while (!head.empty()) {
      const auto eol = head.find("\r\n");
      const std::string_view line = head.substr(0, eol);
      head.remove_prefix(eol + 2);
      const auto colon = line.find(':');
      FUZZ_CHECK(colon != std::string_view::npos && is_token(line.substr(0, colon)), "field: " + fuzz::shown(line));
      const std::string_view name = line.substr(0, colon);
      const std::string_view value = line.substr(colon + 1);
      for (char c : value) {
        const auto u = static_cast<unsigned char>(c);
        FUZZ_CHECK(u >= 0x20 || c == '\t', "a control character in a value: " + fuzz::shown(line));
        FUZZ_CHECK(u != 0x7F, "DEL in a value");
      }
      FUZZ_CHECK(known_field(name), "an unexpected field: " + fuzz::shown(line));
      if (iequals(name, "Content-Length")) {
        ++lengths;
        length = std::stoul(std::string(value.substr(1)));
      }
      if (iequals(name, "Transfer-Encoding")) chunked = value == " chunked";
      if (iequals(name, "Connection")) close = value == " close";
      if (iequals(name, "Content-Type")) type = std::string(value.substr(1));
      ids += iequals(name, "X-Id") ? 1 : 0;
    }
    FUZZ_CHECK(ids <= 1, "X-Id twice: a field was injected");
    if (status == 100) {
      FUZZ_CHECK(lengths == 0 && !chunked, "a 100 with framing");
      continue;
    }
    FUZZ_CHECK(finals < app.statuses.size(), "more responses than exchanges");
    FUZZ_CHECK(status == app.statuses[finals], "status " + std::to_string(status) + " but the exchange said " +
                                                   std::to_string(app.statuses[finals]));
    const bool no_content = app.heads[finals] || status == 204 || status == 304;
    ++finals;
    FUZZ_CHECK(!(chunked && lengths > 0), "chunked and Content-Length");
    std::string body;
    if (chunked) {
      for (;;) {
        const auto eol = out.find("\r\n");
        FUZZ_CHECK(eol != std::string_view::npos, "a chunk without its line end");
        const std::size_t n = std::stoul(std::string(out.substr(0, eol)), nullptr, 16);
        out.remove_prefix(eol + 2);
        if (n == 0) {
          FUZZ_CHECK(out.substr(0, 2) == "\r\n", "the last chunk without its end");
          out.remove_prefix(2);
          break;
        }
        FUZZ_CHECK(out.size() >= n + 2 && out.substr(n, 2) == "\r\n", "a short chunk");
        body += out.substr(0, n);
        out.remove_prefix(n + 2);
      }
    } else if (lengths == 1) {
      if (!no_content) {
        FUZZ_CHECK(out.size() >= length, "a body shorter than its Content-Length");
        body = std::string(out.substr(0, length));
        out.remove_prefix(length);
      }
    } else {
      FUZZ_CHECK(status == 204 || status == 304 || close, "a response with no framing that does not close");
      if (!no_content) {
        body = std::string(out);
        out = {};
      }
    }
    if (type == "application/json" && !no_content) {
      FUZZ_CHECK(nlohmann::json::accept(body), "invalid JSON: " + fuzz::shown(body));
    }
    saw_close = close;
  }
  FUZZ_CHECK(finals == app.statuses.size(), "an exchange without its response");
  if (saw_close) FUZZ_CHECK(closed, "said close but did not close");
}

ServerConfig make_config(const Input& in) {
  ServerConfig c;
  if (in.flag(0)) {
    c.max_header_bytes = 256;
    c.max_body_bytes = 64;
    c.max_pending_input = 128;
  }
  if (in.flag(4)) c.max_requests = 3;
  return c;
}

struct Result {
  std::string output;
  std::vector<std::string> requests;
  bool held = false;  // a response stayed open across a feed (late or streamed)
};

template <class Feed>
Result run(const Input& in, Feed&& feed_all) {
  App app;
  app.late = in.flag(1);
  app.config = make_config(in);
  ServerSession s(app.config, app);
  Result r;
  std::size_t answered = 0;
  std::size_t streamed = 0;
  // Answers and streams until none is left (ending one may parse the next request), and
  // offers the input that waited again, as a driver does (receive_some with no data).
  auto after_feed = [&] {
    for (;;) {
      if (answered == app.later.size() && streamed == app.streams.size()) {
        const std::size_t kept = s.buffered_input();
        if (kept == 0 || s.state() != ServerSession::State::Idle) break;
        s.receive_some({}, 300);
        r.output += s.take_output();
        if (s.buffered_input() == kept && answered == app.later.size() && streamed == app.streams.size()) break;
        continue;
      }
      if (answered < app.later.size()) {
        s.respond(app.later[answered++], Response::text(200, "late"));
        continue;
      }
      const RequestId id = app.streams[streamed++];
      if (in.flag(5)) {
        s.stream_write(id, "s1");
        s.stream_write(id, std::string(40, 's'));
      }
      s.stream_end(id);
    }
  };
  feed_all([&](std::string_view chunk) {
    const bool was_closed = s.closed();
    if (in.flag(3)) {
      std::string_view rest = chunk;
      while (!rest.empty()) {
        const std::size_t n = s.receive_some(rest, 300);
        r.output += s.take_output();
        if (n == 0) {
          s.receive(rest);  // what services::SessionDriver does when nothing is consumed
          break;
        }
        rest.remove_prefix(n);
      }
    } else {
      s.receive(chunk);
    }
    after_feed();
    const std::string out = s.take_output();
    FUZZ_CHECK(!was_closed || out.empty(), "output after closed(): " + fuzz::shown(out));
    r.output += out;
    FUZZ_CHECK(s.buffered_input() <= app.config.max_header_bytes + app.config.max_pending_input,
               "kept input " + std::to_string(s.buffered_input()));
    const bool waiting = s.closed() || s.state() == ServerSession::State::Handling ||
                         s.state() == ServerSession::State::Streaming;
    FUZZ_CHECK(waiting == (s.timeout().count() == 0), "timeout() is zero exactly when nothing is due from the peer");
  });
  if (in.flag(2)) {
    s.on_timeout();
  } else {
    s.receive_eof();
  }
  r.output += s.take_output();
  FUZZ_CHECK(s.closed(), "not closed at the end");
  check_output(r.output, app, true);
  r.requests = app.requests;
  r.held = !app.later.empty() || !app.streams.empty();
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Input in = Input::from(data, size);
  const Result a = run(in, [&](auto&& feed) { in.feed_chunks(feed); });
  const Result b = run(in, [&](auto&& feed) {
    for (std::size_t i = 0; i < in.payload.size(); ++i) feed(in.payload.substr(i, 1));
  });
  // A held response against a tiny pending bound: timing decides what is dropped.
  if (in.flag(0) && (a.held || b.held)) return 0;
  FUZZ_CHECK(a.output == b.output,
             "chunked:\n" + fuzz::shown(a.output, 4000) + "\nbyte-by-byte:\n" + fuzz::shown(b.output, 4000));
  FUZZ_CHECK(a.requests == b.requests, "requests differ with the split");
  return 0;
}
