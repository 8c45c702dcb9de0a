// http::ServerSession as a client sees it: status codes, fields, bodies, and whether the
// connection stays open, for well-behaved clients (HTTP/1.1 and 1.0, keep-alive,
// pipelining, HEAD, 100-continue, late answers, streams, timeouts), in every split.
#include "http_fixture.hpp"

using namespace maillab::http;
using namespace maillab::http::test;

namespace {

const std::string kGet = "GET /hello HTTP/1.1\r\nHost: lab.example\r\n\r\n";

}  // namespace

TEST_CASE("http server: a GET is answered 200 and the connection stays open") {
  App app;
  const Run r = serve(app, kGet);
  REQUIRE(r.responses.size() == 1);
  const Seen& s = r.responses[0];
  CHECK(s.status == 200);
  CHECK(s.reason == "OK");
  CHECK(s.body == "hello\n");
  CHECK(s.get("Content-Length") == "6");
  CHECK(s.get("Content-Type") == "text/plain; charset=utf-8");
  CHECK(s.count("Connection") == 0);
  CHECK_FALSE(r.closed);
  CHECK(app.exchanges == std::vector<std::pair<std::string, int>>{{"GET /hello", 200}});
}

TEST_CASE("http server: every response carries the security defaults, unless it sets them") {
  App app;
  app.router.add("GET", "/page", [](const Request&, const RouteParams&, RequestId) {
    Response r = Response::html(200, "<p>hi</p>");
    r.set("Content-Security-Policy", "default-src 'self'");
    r.set("Cache-Control", "max-age=60");
    return r;
  });
  const Run r = serve(app, kGet + "GET /page HTTP/1.1\r\nHost: lab.example\r\n\r\n");
  REQUIRE(r.responses.size() == 2);
  const Seen& plain = r.responses[0];
  CHECK(plain.get("X-Content-Type-Options") == "nosniff");
  CHECK(plain.get("Content-Security-Policy") ==
        "default-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
  CHECK(plain.get("X-Frame-Options") == "DENY");
  CHECK(plain.get("Referrer-Policy") == "no-referrer");
  CHECK(plain.get("Cache-Control") == "no-store");
  CHECK(plain.get("Server") == "maillab");
  const Seen& page = r.responses[1];
  CHECK(page.get("Content-Type") == "text/html; charset=utf-8");
  CHECK(page.count("Content-Security-Policy") == 1);
  CHECK(page.get("Content-Security-Policy") == "default-src 'self'");
  CHECK(page.get("Cache-Control") == "max-age=60");
  CHECK(page.get("X-Content-Type-Options") == "nosniff");
}

TEST_CASE("http server: keep-alive follows RFC 9112 9.3") {
  App app;
  SECTION("HTTP/1.1 with Connection: close is answered, then closed") {
    const Run r = serve(app, "GET /hello HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n" + kGet);
    REQUIRE(r.responses.size() == 1);
    CHECK(r.responses[0].get("Connection") == "close");
    CHECK(r.closed);
  }
  SECTION("HTTP/1.0 without keep-alive closes") {
    const Run r = serve(app, "GET /hello HTTP/1.0\r\n\r\n");
    REQUIRE(r.responses.size() == 1);
    CHECK(r.responses[0].status == 200);
    CHECK(r.responses[0].get("Connection") == "close");
    CHECK(r.closed);
  }
  SECTION("HTTP/1.0 with keep-alive stays, and says so") {
    const Run r = serve(app, "GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /hello HTTP/1.0\r\n\r\n");
    REQUIRE(r.responses.size() == 2);
    CHECK(r.responses[0].get("Connection") == "keep-alive");
    CHECK(r.responses[1].get("Connection") == "close");
    CHECK(r.closed);
  }
  SECTION("a response the application marks close ends the connection") {
    const Run r = serve(app, "GET /close HTTP/1.1\r\nHost: a\r\n\r\n" + kGet);
    REQUIRE(r.responses.size() == 1);
    CHECK(r.responses[0].body == "bye");
    CHECK(r.closed);
  }
  SECTION("max_requests: the last one says close") {
    ServerConfig c;
    c.max_requests = 2;
    const Run r = serve(app, kGet + kGet + kGet, 0, c);
    REQUIRE(r.responses.size() == 2);
    CHECK(r.responses[0].count("Connection") == 0);
    CHECK(r.responses[1].get("Connection") == "close");
    CHECK(r.closed);
  }
}

TEST_CASE("http server: pipelined requests are answered in order, whatever the split") {
  const std::string input =
      "\r\n" + kGet +  // RFC 9112 2.2: a leading empty line is ignored
      "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nabcde"
      "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nX-Trailer: t\r\n\r\n"
      "GET /api/v1/messages/m%2042/raw?x=1 HTTP/1.1\r\nHost: a\r\n\r\n"
      "DELETE /api/v1/messages HTTP/1.1\r\nHost: a\r\n\r\n"
      "GET /nowhere HTTP/1.1\r\nHost: a\r\n\r\n";
  std::string whole;
  for (std::size_t chunk : {0, 1, 2, 3, 7, 13, 64}) {
    App app;
    const Run r = serve(app, input, chunk);
    INFO("chunk " << chunk);
    REQUIRE(r.responses.size() == 6);
    CHECK(r.responses[0].body == "hello\n");
    CHECK(r.responses[1].body == "abcde");
    CHECK(r.responses[2].body == "abcde");
    CHECK(r.responses[3].body == "message m 42");
    CHECK(r.responses[3].get("Content-Type") == "message/rfc822");
    CHECK(r.responses[4].get("Content-Type") == "application/json");
    CHECK(r.responses[5].status == 404);
    CHECK_FALSE(r.closed);
    // The chunked request's trailer is not merged into its fields.
    REQUIRE(app.requests.size() == 6);
    CHECK_FALSE(app.requests[2].headers.has("X-Trailer"));
    if (chunk == 0) whole = r.output;
    CHECK(r.output == whole);
  }
}

TEST_CASE("http server: HEAD gets the GET's fields and no body") {
  App app;
  const Run r = serve(app, "HEAD /hello HTTP/1.1\r\nHost: a\r\n\r\n" + kGet, 0, {}, {true, false});
  REQUIRE(r.responses.size() == 2);
  CHECK(r.responses[0].status == 200);
  CHECK(r.responses[0].get("Content-Length") == "6");
  CHECK(r.responses[0].body.empty());
  CHECK(r.responses[1].body == "hello\n");
  CHECK(r.output.find("hello\n") == r.output.rfind("hello\n"));
}

TEST_CASE("http server: 405 names the allowed methods, OPTIONS lists them") {
  App app;
  const Run r = serve(app,
                      "PUT /hello HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n"
                      "OPTIONS /api/v1/messages HTTP/1.1\r\nHost: a\r\n\r\n");
  REQUIRE(r.responses.size() == 2);
  CHECK(r.responses[0].status == 405);
  CHECK(r.responses[0].get("Allow") == "GET, HEAD, OPTIONS");
  CHECK(r.responses[1].status == 204);
  CHECK(r.responses[1].get("Allow") == "DELETE, OPTIONS");
  CHECK(r.responses[1].count("Content-Length") == 0);
  CHECK_FALSE(r.closed);
}

TEST_CASE("http server: Expect: 100-continue gets an interim 100 before the body") {
  App app;
  ServerSession s({}, app);
  s.receive("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
  CHECK(s.take_output() == "HTTP/1.1 100 Continue\r\n\r\n");
  s.receive("ping");
  const auto rs = read_responses(s.take_output());
  REQUIRE(rs.size() == 1);
  CHECK(rs[0].body == "ping");
}

TEST_CASE("http server: an answer given later goes out in order, and the next request waits for it") {
  App app;
  ServerSession s({}, app);
  s.receive("GET /later HTTP/1.1\r\nHost: a\r\n\r\n" + kGet);
  CHECK(s.take_output().empty());
  CHECK(s.state() == ServerSession::State::Handling);
  CHECK(s.timeout().count() == 0);  // the application bounds its own wait
  REQUIRE(app.deferred == std::vector<RequestId>{1});
  CHECK(app.requests.size() == 1);  // /hello not parsed yet
  CHECK_FALSE(s.respond(2, Response::text(200, "wrong id")));
  CHECK(s.respond(1, Response::text(202, "done")));
  CHECK_FALSE(s.respond(1, Response::text(200, "twice")));
  const auto rs = read_responses(s.take_output());
  REQUIRE(rs.size() == 2);
  CHECK(rs[0].status == 202);
  CHECK(rs[0].body == "done");
  CHECK(rs[1].body == "hello\n");
}

TEST_CASE("http server: input pipelined behind a pending answer is bounded") {
  App app;
  ServerConfig c;
  c.max_pending_input = 100;
  ServerSession s(c, app);
  s.receive("GET /later HTTP/1.1\r\nHost: a\r\n\r\n");
  for (int i = 0; i < 10; ++i) s.receive(kGet);  // ~400 bytes while the answer is due
  CHECK(s.buffered_input() <= 100);
  CHECK(s.respond(1, Response::text(200, "late")));
  const auto rs = read_responses(s.take_output());
  REQUIRE(rs.size() == 1);  // the dropped requests are not answered...
  CHECK(rs[0].get("Connection") == "close");  // ...the connection closes instead
  CHECK(s.closed());
}

TEST_CASE("http server: receive_some stops while the output is over the caller's limit") {
  App app;
  ServerSession s({}, app);
  std::string input;
  for (int i = 0; i < 8; ++i) input += "GET /big/1000 HTTP/1.1\r\nHost: a\r\n\r\n";
  std::string_view rest = input;
  std::string out;
  std::size_t rounds = 0;
  while (!rest.empty()) {
    const std::size_t n = s.receive_some(rest, 2500);
    CHECK(s.output().size() < 2500 + 1400);  // one response over the limit at most
    rest.remove_prefix(n);
    out += s.take_output();
    ++rounds;
  }
  CHECK(rounds >= 3);
  const auto rs = read_responses(out);
  REQUIRE(rs.size() == 8);
  for (const auto& r : rs) CHECK(r.body.size() == 1000);
}

TEST_CASE("http server: a streamed response is chunked for HTTP/1.1 and ends cleanly") {
  App app;
  ServerSession s({}, app);
  s.receive("GET /stream HTTP/1.1\r\nHost: a\r\n\r\n" + kGet);
  REQUIRE(app.streams == std::vector<RequestId>{1});
  CHECK(s.state() == ServerSession::State::Streaming);
  CHECK(s.stream_write(1, "data: one\n\n"));
  CHECK_FALSE(s.stream_write(2, "x"));
  CHECK(s.stream_end(1));
  const auto rs = read_responses(s.take_output());
  REQUIRE(rs.size() == 2);
  CHECK(rs[0].get("Transfer-Encoding") == "chunked");
  CHECK(rs[0].count("Content-Length") == 0);
  CHECK(rs[0].get("Content-Type") == "text/event-stream");
  CHECK(rs[0].body == "first\ndata: one\n\n");
  CHECK(rs[1].body == "hello\n");
  CHECK_FALSE(s.closed());
}

TEST_CASE("http server: a streamed response to HTTP/1.0 runs to the close") {
  App app;
  ServerSession s({}, app);
  s.receive("GET /stream HTTP/1.0\r\n\r\n");
  CHECK(s.stream_write(1, "more"));
  CHECK(s.stream_end(1));
  CHECK(s.closed());
  const auto rs = read_responses(s.take_output());
  REQUIRE(rs.size() == 1);
  CHECK(rs[0].get("Connection") == "close");
  CHECK(rs[0].body == "first\nmore");
}

TEST_CASE("http server: timeouts") {
  App app;
  ServerConfig c;
  c.idle_timeout = std::chrono::milliseconds(5000);
  c.header_timeout = std::chrono::milliseconds(3000);
  c.body_timeout = std::chrono::milliseconds(4000);
  SECTION("a new connection waits header_timeout, a kept one idle_timeout, then closes quietly") {
    ServerSession s(c, app);
    CHECK(s.timeout() == c.header_timeout);
    s.receive(kGet);
    s.take_output();
    CHECK(s.timeout() == c.idle_timeout);
    s.on_timeout();
    CHECK(s.closed());
    CHECK(s.take_output().empty());
    CHECK(s.timeout().count() == 0);
  }
  SECTION("inside a request: 408 and close") {
    ServerSession s(c, app);
    s.receive("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc");
    CHECK(s.timeout() == c.body_timeout);
    s.on_timeout();
    const auto rs = read_responses(s.take_output());
    REQUIRE(rs.size() == 1);
    CHECK(rs[0].status == 408);
    CHECK(rs[0].get("Connection") == "close");
    CHECK(s.closed());
    CHECK(app.exchanges.back() == std::pair<std::string, int>{"POST /echo", 408});
  }
  SECTION("inside a header") {
    ServerSession s(c, app);
    s.receive("GET /hel");
    CHECK(s.timeout() == c.header_timeout);
    s.on_timeout();
    CHECK(read_responses(s.take_output()).at(0).status == 408);
  }
}

TEST_CASE("http server: after the end of the stream nothing more happens") {
  App app;
  ServerSession s({}, app);
  s.receive("GET /later HTTP/1.1\r\nHost: a\r\n\r\n");
  s.receive_eof();
  CHECK(s.closed());
  CHECK_FALSE(s.respond(1, Response::text(200, "too late")));
  s.receive(kGet);
  CHECK(s.take_output().empty());
}
