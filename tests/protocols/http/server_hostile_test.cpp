// http::ServerSession against hostile input: every refusal is a response a client can read
// (431, 414, 413, 400, 501, 505, 417), the connection then closes, nothing from the peer
// reaches a response's fields or the application, and memory stays bounded.
#include "http_fixture.hpp"

using namespace maillab::http;
using namespace maillab::http::test;

namespace {

// The single response to `input` (every split gives the same bytes), which closed.
Seen refused(std::string_view input, ServerConfig config = {}) {
  App app;
  const Run whole = serve(app, input, 0, config);
  for (std::size_t chunk : {1, 5, 100}) {
    App again;
    const Run split = serve(again, input, chunk, config);
    INFO("chunk " << chunk);
    CHECK(split.output == whole.output);
    CHECK(split.closed);
  }
  REQUIRE(whole.responses.size() == 1);
  CHECK(whole.closed);
  CHECK(whole.responses[0].get("Connection") == "close");
  CHECK(app.requests.empty());  // the application never saw it
  return whole.responses[0];
}

std::string with_host(std::string_view line, std::string_view extra = "") {
  return std::string(line) + "\r\nHost: lab.example\r\n" + std::string(extra) + "\r\n";
}

}  // namespace

TEST_CASE("http hostile: a header over the limit is 431, a request line over it 414") {
  ServerConfig c;
  c.max_header_bytes = 1024;
  CHECK(refused(with_host("GET / HTTP/1.1", "X-Big: " + std::string(2000, 'a') + "\r\n"), c).status == 431);
  std::string many;
  for (int i = 0; i < 100; ++i) many += "X-F" + std::to_string(i) + ": value\r\n";
  CHECK(refused(with_host("GET / HTTP/1.1", many), c).status == 431);
  CHECK(refused("GET /" + std::string(5000, 'a') + " HTTP/1.1\r\nHost: a\r\n\r\n", c).status == 414);
  // The default: 16 KiB.
  CHECK(refused(with_host("GET / HTTP/1.1", "X-Big: " + std::string(17000, 'a') + "\r\n")).status == 431);
}

TEST_CASE("http hostile: a header that never ends is refused once it passes the limit") {
  App app;
  ServerConfig c;
  c.max_header_bytes = 4096;
  ServerSession s(c, app);
  s.receive("GET / HTTP/1.1\r\nHost: a\r\n");
  for (int i = 0; i < 1000 && !s.closed(); ++i) {
    s.receive("X-Slow: " + std::to_string(i) + "\r\n");
    CHECK(s.buffered_input() <= 4096 + 32);
  }
  CHECK(s.closed());
  CHECK(read_responses(s.take_output()).at(0).status == 431);
}

TEST_CASE("http hostile: a body over the limit is 413 before it is read") {
  ServerConfig c;
  c.max_body_bytes = 100;
  const Seen by_length = refused("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 101\r\n\r\n", c);
  CHECK(by_length.status == 413);
  CHECK(by_length.reason == "Content Too Large");
  CHECK(refused("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n", c).status == 400);
  const std::string chunks = "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                             "40\r\n" + std::string(64, 'a') + "\r\n40\r\n" + std::string(64, 'b') + "\r\n0\r\n\r\n";
  CHECK(refused(chunks, c).status == 413);
  // Exactly at the limit is fine.
  App app;
  const Run ok = serve(app, "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n" + std::string(100, 'z'), 0, c);
  CHECK(ok.responses.at(0).status == 200);
  CHECK_FALSE(ok.closed);
}

TEST_CASE("http hostile: broken chunking is 400 and closes") {
  const std::string head = "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
  CHECK(refused(head + "zz\r\nabc\r\n0\r\n\r\n").status == 400);              // not hex
  CHECK(refused(head + "3\r\nabcdef\r\n0\r\n\r\n").status == 400);            // longer than said
  CHECK(refused(head + "3\r\nabc0\r\n\r\n").status == 400);                   // no CRLF after data
  CHECK(refused(head + "3;=x\r\nabc\r\n0\r\n\r\n").status == 400);            // bad extension
  CHECK(refused(head + "ffffffffffffffffff\r\n").status == 400);              // overflow
}

TEST_CASE("http hostile: a chunk line or trailer that never ends is cut at the header limit") {
  ServerConfig c;
  c.max_header_bytes = 2048;
  const std::string head = "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
  App app;
  ServerSession s(c, app);
  s.receive(head + "3;ext=");
  for (int i = 0; i < 200 && !s.closed(); ++i) s.receive(std::string(100, 'e'));
  CHECK(s.closed());
  CHECK(read_responses(s.take_output()).at(0).status == 400);

  ServerSession t(c, app);
  t.receive(head + "0\r\n");
  for (int i = 0; i < 200 && !t.closed(); ++i) t.receive("X-T: " + std::string(90, 't') + "\r\n");
  CHECK(t.closed());
  CHECK(read_responses(t.take_output()).at(0).status == 400);
}

TEST_CASE("http hostile: an over-long chunk line or trailer is refused whole or in pieces alike") {
  ServerConfig c;
  c.max_header_bytes = 1024;
  c.max_body_bytes = 10;
  const std::string head = "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
  const std::string ext = ";e=" + std::string(1100, 'e');
  CHECK(refused(head + "3" + ext + "\r\nabc\r\n0\r\n\r\n", c).status == 400);
  CHECK(refused(head + "3\r\nabc\r\n0\r\n" + std::string(60, 'X') + ": 1\r\n" +
                    std::string(1000, 'y') + ": 2\r\n\r\n", c).status == 400);
  CHECK(refused(head + "ff" + ext + "\r\n", c).status == 400);  // too much, in a too-long line
  CHECK(refused(head + "ff\r\nxy", c).status == 413);
  CHECK(refused(head + "3" + ext + "\r\nabc\r\n0\r\n\r\n", c).body ==
        refused(head + "3" + ext + "\r\nab\x01\r\n", c).body);
}

TEST_CASE("http hostile: ambiguous framing (request smuggling) is refused") {
  // RFC 9112 6.1 and 6.3: Content-Length with Transfer-Encoding, codings but chunked.
  CHECK(refused("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
            .status == 400);
  CHECK(refused("POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n")
            .status == 400);
  CHECK(refused("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd").status == 400);
  CHECK(refused("POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\nabc").status == 400);
  CHECK(refused("POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n").status == 501);
  CHECK(refused("POST /echo HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n").status == 400);
  CHECK(refused("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n").status == 400);
  CHECK(refused("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length : 3\r\n\r\nabc").status == 400);
}

TEST_CASE("http hostile: Host is required once, with a host's characters") {
  CHECK(refused("GET /hello HTTP/1.1\r\n\r\n").status == 400);
  CHECK(refused("GET /hello HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n").status == 400);
  CHECK(refused("GET /hello HTTP/1.1\r\nHost: a/b\r\n\r\n").status == 400);
  CHECK(refused("GET /hello HTTP/1.1\r\nHost: a b\r\n\r\n").status == 400);
}

TEST_CASE("http hostile: what is not HTTP/1.x") {
  CHECK(refused("GET /hello HTTP/2.0\r\nHost: a\r\n\r\n").status == 505);
  CHECK(refused("GET /hello\r\n\r\n").status == 400);  // HTTP/0.9
  CHECK(refused("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03").status == 400);  // a TLS ClientHello
  CHECK(refused("GET /hello HTTP/1.1\r\nHost: a\r\nBad Field: x\r\n\r\n").status == 400);
  CHECK(refused("GET /hello HTTP/1.1\r\nHost: a\r\nX: a\x01z\r\n\r\n").status == 400);
  CHECK(refused("GET /hello HTTP/1.1\nHost: a\n\n").status == 400);  // bare LF
  static constexpr char kNulMethod[] = "G\0T /hello HTTP/1.1\r\nHost: a\r\n\r\n";
  static constexpr char kNulValue[] = "GET /hello HTTP/1.1\r\nHost: a\r\nX: a\0b\r\n\r\n";
  CHECK(refused(std::string(kNulMethod, sizeof kNulMethod - 1)).status == 400);
  CHECK(refused(std::string(kNulValue, sizeof kNulValue - 1)).status == 400);
  CHECK(refused("POST /echo HTTP/1.1\r\nHost: a\r\nExpect: 200-ok\r\nContent-Length: 1\r\n\r\nx").status == 417);
}

TEST_CASE("http hostile: paths that climb or hide bytes never reach a route") {
  for (const char* target : {"/api/v1/messages/../../etc/passwd", "/api/v1/messages/%2e%2e/%2E%2E/etc/passwd",
                             "/api/v1/messages/.%2e/raw", "/api/v1/messages/./raw", "/api/v1/messages/a%2fb/raw",
                             "/api/v1/messages/a%00b/raw", "/api/v1/messages/%zz/raw", "/api/v1/messages/%4/raw",
                             "/hello?x=%00", "/hello#frag", "*", "hello", "http:///hello"}) {
    INFO(target);
    const Seen s = refused("GET " + std::string(target) + " HTTP/1.1\r\nHost: a\r\n\r\n");
    CHECK(s.status == 400);
    CHECK(s.body.find("passwd") == std::string::npos);
  }
  App app;  // what is clean is served, absolute-form too (RFC 9112 3.2.2)
  const Run r = serve(app,
                      "GET /api/v1/messages/..x/raw HTTP/1.1\r\nHost: a\r\n\r\n"
                      "GET http://lab.example:8025/api/v1/messages/%41/raw HTTP/1.1\r\nHost: lab.example:8025\r\n\r\n");
  REQUIRE(r.responses.size() == 2);
  CHECK(r.responses[0].body == "message ..x");
  CHECK(r.responses[1].body == "message A");
}

TEST_CASE("http hostile: CR and LF an application copies into a field do not split the response") {
  App app;
  app.router.add("GET", "/download/{name}", [](const Request&, const RouteParams& p, RequestId) {
    Response r = Response::text(200, "x");
    r.set("Content-Disposition", "attachment; filename=\"" + std::string(p.get("name")) + "\"");
    r.set("X-Subject", "hi\r\nSet-Cookie: session=stolen\r\n\r\n<script>");
    CHECK_FALSE(r.set("Bad\r\nName", "v"));
    r.set("Content-Length", "999");  // framing is the engine's
    r.set("Connection", "keep-alive, Upgrade");
    return r;
  });
  const Run r = serve(app, "GET /download/a%0d%0aSet-Cookie:%20x=1 HTTP/1.1\r\nHost: a\r\n\r\n" +
                               std::string("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n"));
  REQUIRE(r.responses.size() == 2);
  const Seen& s = r.responses[0];
  CHECK(s.count("Set-Cookie") == 0);
  CHECK(s.get("X-Subject") == "hi  Set-Cookie: session=stolen    <script>");
  CHECK(s.get("Content-Disposition") == "attachment; filename=\"a  Set-Cookie: x=1\"");
  CHECK(s.get("Content-Length") == "1");
  CHECK(s.count("Connection") == 0);
  CHECK(s.body == "x");
  CHECK(r.responses[1].body == "hello\n");
}

TEST_CASE("http hostile: JSON errors escape whatever the message holds") {
  const Response r = Response::json_error(404, "no message \"\x01</script>\xff\"");
  CHECK(r.body == "{\"error\":\"no message \\\"\\u0001</script>\\u00ff\\\"\"}");
  CHECK(r.header("Content-Type") == "application/json");
}

TEST_CASE("http hostile: a flood of tiny pipelined requests is answered within the output bound") {
  App app;
  ServerConfig c;
  c.max_requests = 5000;
  ServerSession s(c, app);
  std::string input;
  for (int i = 0; i < 2000; ++i) input += "GET /hello HTTP/1.1\r\nHost: a\r\n\r\n";
  std::string_view rest = input;
  std::size_t answered = 0;
  while (!rest.empty()) {
    rest.remove_prefix(s.receive_some(rest, 16 * 1024));
    CHECK(s.output().size() < 16 * 1024 + 1024);
    answered += read_responses(s.take_output()).size();
  }
  CHECK(answered == 2000);
  CHECK_FALSE(s.closed());
}

TEST_CASE("http hostile: trailer fields never pass for header fields") {
  App app;
  const Run r = serve(app,
                      "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "1\r\nx\r\n0\r\nHost: evil\r\nCookie: s=1\r\n\r\n");
  REQUIRE(r.responses.size() == 1);
  REQUIRE(app.requests.size() == 1);
  CHECK(app.requests[0].headers.count("Host") == 1);
  CHECK(app.requests[0].header("Host") == "a");
  CHECK_FALSE(app.requests[0].headers.has("Cookie"));
}
