// http::ClientSession: paired with the server engine in memory (h11's ConnectionPair), and
// against scripted servers: one result per request, in order, whatever the framing, the
// split or the failure.
#include "http_fixture.hpp"

#include "protocols/http/client_session.hpp"

using namespace maillab::http;
using namespace maillab::http::test;
using Outcome = ClientResult::Outcome;

namespace {

Request get(std::string target, std::string method = "GET") {
  Request r;
  r.method = std::move(method);
  r.target = std::move(target);
  return r;
}

std::vector<ClientResult> results(ClientSession& c) {
  std::vector<ClientResult> out;
  while (auto r = c.next_result()) out.push_back(std::move(*r));
  return out;
}

// Client -> server -> client until neither has anything to say.
void pump(ClientSession& c, ServerSession& s, std::size_t chunk = 0) {
  for (int round = 0; round < 100; ++round) {
    const std::string up = c.take_output();
    const std::string down = s.take_output();
    if (up.empty() && down.empty()) break;
    const std::size_t step = chunk == 0 ? std::max<std::size_t>(1, std::max(up.size(), down.size())) : chunk;
    for (std::size_t i = 0; i < up.size(); i += step) s.receive(std::string_view(up).substr(i, step));
    for (std::size_t i = 0; i < down.size(); i += step) c.receive(std::string_view(down).substr(i, step));
    if (s.closed() && s.output().empty() && !c.closed()) c.receive_eof();
  }
}

// The client fed a scripted server's bytes in pieces of `chunk`.
std::vector<ClientResult> against(std::string_view server_bytes, const std::vector<Request>& requests,
                                  std::size_t chunk = 0, bool eof = true, ClientConfig config = {}) {
  ClientSession c(config);
  for (const auto& r : requests) c.send(r);
  if (chunk == 0) chunk = std::max<std::size_t>(1, server_bytes.size());
  for (std::size_t i = 0; i < server_bytes.size(); i += chunk) c.receive(server_bytes.substr(i, chunk));
  if (eof) c.receive_eof();
  return results(c);
}

}  // namespace

TEST_CASE("http client: pipelined requests to the lab's server, in every split") {
  for (std::size_t chunk : {0, 1, 3, 17}) {
    INFO("chunk " << chunk);
    App app;
    ServerSession s({}, app);
    ClientConfig config;
    config.host = "lab.example";
    ClientSession c(config);
    Request post = get("/echo", "POST");
    post.body = "payload";
    post.headers.add("Content-Type", "text/plain");
    c.send(get("/hello"));
    c.send(get("/hello", "HEAD"));
    c.send(post);
    c.send(get("/stream"));
    c.send(get("/api/v1/messages/x/raw"));
    pump(c, s, chunk);
    REQUIRE(app.streams.size() == 1);
    s.stream_write(app.streams[0], "data: 1\n\n");
    s.stream_end(app.streams[0]);
    pump(c, s, chunk);
    const auto rs = results(c);
    REQUIRE(rs.size() == 5);
    for (const auto& r : rs) CHECK(r.outcome == Outcome::Ok);
    CHECK(rs[0].body == "hello\n");
    CHECK(rs[1].method == "HEAD");
    CHECK(rs[1].headers.get("Content-Length") == "6");
    CHECK(rs[1].body.empty());
    CHECK(rs[2].body == "payload");
    CHECK(rs[3].body == "first\ndata: 1\n\n");
    CHECK(rs[4].body == "message x");
    CHECK(app.requests.at(0).header("Host") == "lab.example");
    CHECK(app.requests.at(0).header("User-Agent") == "maillab");
    CHECK(app.requests.at(2).header("Content-Type") == "text/plain");
    CHECK_FALSE(c.closed());
    CHECK(c.timeout().count() == 0);  // nothing due
  }
}

TEST_CASE("http client: framing by Content-Length, chunked, or the close") {
  const std::string chunked =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n1\r\n!\r\n0\r\nT: 1\r\n\r\n";
  const std::string by_length = "HTTP/1.1 201 Created\r\nContent-Length: 3\r\n\r\nabc";
  const std::string interim = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n";
  const std::string to_close = "HTTP/1.0 200 OK\r\n\r\nuntil the end";
  const std::string all = chunked + by_length + interim + to_close;
  for (std::size_t chunk : {0, 1, 2, 9}) {
    INFO("chunk " << chunk);
    const auto rs = against(all, {get("/a"), get("/b"), get("/c"), get("/d")}, chunk);
    REQUIRE(rs.size() == 4);
    CHECK(rs[0].body == "hello!");
    CHECK_FALSE(rs[0].headers.has("T"));  // a trailer field
    CHECK(rs[1].status == 201);
    CHECK(rs[1].body == "abc");
    CHECK(rs[2].status == 204);
    CHECK(rs[3].outcome == Outcome::Ok);
    CHECK(rs[3].version == 10);
    CHECK(rs[3].body == "until the end");
  }
}

TEST_CASE("http client: Connection: close ends what is still in flight") {
  const auto rs = against("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nokHTTP/1.1 200 OK\r\n",
                          {get("/a"), get("/b")}, 0, false);
  REQUIRE(rs.size() == 2);
  CHECK(rs[0].outcome == Outcome::Ok);
  CHECK(rs[1].outcome == Outcome::ConnectionClosed);
}

TEST_CASE("http client: hostile servers end in a result, never in unbounded memory") {
  ClientConfig small;
  small.max_header_bytes = 512;
  small.max_body_bytes = 100;
  SECTION("a head over the limit") {
    const std::string head = "HTTP/1.1 200 OK\r\nX: " + std::string(1000, 'x') + "\r\n\r\n";
    for (std::size_t chunk : {0, 7}) {
      const auto rs = against(head, {get("/"), get("/2")}, chunk, true, small);
      REQUIRE(rs.size() == 2);
      CHECK(rs[0].outcome == Outcome::TooLarge);
      CHECK(rs[1].outcome == Outcome::ConnectionClosed);
    }
  }
  SECTION("a body over the limit, by length or by chunks") {
    CHECK(against("HTTP/1.1 200 OK\r\nContent-Length: 101\r\n\r\n", {get("/")}, 0, true, small)[0].outcome ==
          Outcome::TooLarge);
    const std::string chunks = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n64\r\n" + std::string(100, 'a') +
                               "\r\n1\r\nb\r\n0\r\n\r\n";
    CHECK(against(chunks, {get("/")}, 0, true, small)[0].outcome == Outcome::TooLarge);
    const std::string to_close = "HTTP/1.0 200 OK\r\n\r\n" + std::string(200, 'z');
    CHECK(against(to_close, {get("/")}, 10, true, small)[0].outcome == Outcome::TooLarge);
  }
  SECTION("broken framing and what is not HTTP") {
    CHECK(against("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc", {get("/")})[0].outcome ==
          Outcome::BadResponse);
    CHECK(against("SSH-2.0-OpenSSH_9.2\r\n\r\n", {get("/")})[0].outcome == Outcome::BadResponse);
    CHECK(against("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", {get("/")})[0].outcome ==
          Outcome::BadResponse);
    CHECK(against("HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n", {get("/")})[0].outcome ==
          Outcome::BadResponse);
  }
  SECTION("a chunk line that never ends") {
    ClientSession c(small);
    c.send(get("/"));
    c.receive("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;");
    for (int i = 0; i < 100 && !c.closed(); ++i) c.receive(std::string(50, 'e'));
    CHECK(c.closed());
    CHECK(results(c).at(0).outcome == Outcome::TooLarge);
  }
  SECTION("the connection ends inside a response, or bytes come unasked") {
    CHECK(against("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", {get("/")})[0].outcome ==
          Outcome::ConnectionClosed);
    ClientSession c;
    c.receive("HTTP/1.1 200 OK\r\n\r\n");
    CHECK(c.closed());
    c.send(get("/"));
    CHECK(results(c).at(0).outcome == Outcome::ConnectionClosed);
  }
}

TEST_CASE("http client: timeouts, refusals and what it writes") {
  ClientConfig config;
  config.response_timeout = std::chrono::milliseconds(1500);
  ClientSession c(config);
  Request bad = get("/a b");
  c.send(bad);
  Request bad_method = get("/", "G T");
  c.send(bad_method);
  CHECK(c.take_output().empty());
  Request r = get("/x");
  r.headers.add("X-Injected", "v\r\nEvil: 1");
  r.headers.add("Content-Length", "99");
  c.send(r);
  const std::string out = c.take_output();
  CHECK(out.find("X-Injected: v  Evil: 1\r\n") != std::string::npos);
  CHECK(out.find("\r\nEvil") == std::string::npos);
  CHECK(out.find("Content-Length") == std::string::npos);
  CHECK(c.timeout() == config.response_timeout);
  c.on_timeout();
  CHECK(c.closed());
  const auto rs = results(c);
  REQUIRE(rs.size() == 3);
  CHECK(rs[0].outcome == Outcome::Refused);
  CHECK(rs[1].outcome == Outcome::Refused);
  CHECK(rs[2].outcome == Outcome::TimedOut);
}
