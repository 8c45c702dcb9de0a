// Chunked request bodies (RFC 9112 7.1) split at every byte boundary: valid ones give the
// same response as when they come whole, and a broken chunk line is answered 400 (or 413
// for a chunk over the body limit) as soon as it is known broken, with the connection
// closed, not at the body timeout (Boost 1.74's parser alone waits for 5 bytes).
#include "http_fixture.hpp"

#include "protocols/http/chunk_line.hpp"

using namespace maillab::http;
using namespace maillab::http::test;

namespace {

const std::string kHead = "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";

// The output of a session fed the header, then `body` cut at `cut1` and `cut2`, with no
// timeout ever fired: what the peer sees without waiting.
Run fed(std::string_view body, std::size_t cut1, std::size_t cut2, ServerConfig config = {}) {
  App app;
  ServerSession s(std::move(config), app);
  Run r;
  s.receive(kHead);
  s.receive(body.substr(0, cut1));
  s.receive(body.substr(cut1, cut2 - cut1));
  s.receive(body.substr(cut2));
  r.output = s.take_output();
  r.closed = s.closed();
  r.responses = read_responses(r.output);
  return r;
}

// Every cut (one or two) of `body` gives the response of the whole, at once.
Seen at_every_cut(std::string_view body, ServerConfig config = {}) {
  const Run whole = fed(body, body.size(), body.size(), config);
  for (std::size_t i = 0; i <= body.size(); ++i) {
    for (std::size_t j = i; j <= body.size(); ++j) {
      const Run split = fed(body, i, j, config);
      INFO("cuts " << i << " " << j);
      CHECK(split.output == whole.output);
      CHECK(split.closed == whole.closed);
    }
  }
  REQUIRE(whole.responses.size() == 1);
  return whole.responses[0];
}

ChunkLine::Status line(std::string_view text, bool crlf_first = false) {
  ChunkLine l;
  l.reset(crlf_first);
  return l.feed(text);
}

}  // namespace

TEST_CASE("http chunked: valid bodies are the same whatever the cuts") {
  for (const std::string& body : {std::string("0\r\n\r\n"), std::string("5\r\nhello\r\n0\r\n\r\n"),
                                 std::string("1\r\nx\r\n2;a=b\r\nyz\r\n0\r\n\r\n"),
                                 std::string("3 ; q=\"a;b\\\"\"\r\nabc\r\n000\r\nT: 1\r\n\r\n"),
                                 std::string("A\r\n0123456789\r\n0;x\r\n\r\n")}) {
    INFO(body);
    const Seen r = at_every_cut(body);
    CHECK(r.status == 200);
    CHECK(r.get("Connection") != "close");
  }
  const std::string one = "5\r\nhello\r\n0\r\n\r\n";
  CHECK(fed(one, 3, 9).responses.at(0).body == "hello");
}

TEST_CASE("http chunked: a broken chunk line is refused at once, whatever the cuts") {
  for (const std::string& body :
       {std::string("zz\r\n"), std::string("5\r\nhello\r\nzz\r\n"), std::string("\r\n"), std::string("z"),
        std::string("1\nx"), std::string("1 \r\n"), std::string("1;\r\n"), std::string("1;a=\r\n"),
        std::string("1\rx"), std::string("2\r\nab"
                                         "xy"),
        std::string("1;a=\"\x01\"\r\n"), std::string("fffffffffffffffff\r\n"), std::string("3;=x\r\n")}) {
    INFO(body);
    const Seen r = at_every_cut(body);
    CHECK(r.status == 400);
    CHECK(r.get("Connection") == "close");
    CHECK(r.body.find("malformed") != std::string::npos);
  }
  ServerConfig small;
  small.max_body_bytes = 10;
  CHECK(at_every_cut("ff\r\n", small).status == 413);
  CHECK(at_every_cut("5\r\nhello\r\n6\r\n", small).status == 413);
  CHECK(at_every_cut("5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n", small).status == 200);
}

TEST_CASE("http chunked: the chunk line grammar") {
  using S = ChunkLine::Status;
  CHECK(line("0\r\n") == S::Done);
  CHECK(line("1a;x=y;z=\"q\\\"\" ; w\r\n") == S::Done);
  CHECK(line("1 ;x\r\n") == S::Done);
  CHECK(line("1;x = y\r\n") == S::Done);
  CHECK(line("\r\n1\r\n", true) == S::Done);
  CHECK(line("1", true) == S::Bad);
  CHECK(line("1;x") == S::More);
  CHECK(line("ffffffffffffffff\r\n") == S::Done);
  CHECK(line("10000000000000000\r\n") == S::Bad);
  CHECK(line("1;x y\r\n") == S::Bad);
  CHECK(line("1;x=y \r\n") == S::Bad);
  CHECK(line("1\r\r\n") == S::Bad);
  CHECK(line("-1\r\n") == S::Bad);
  ChunkLine l;
  l.reset(false);
  CHECK(l.feed("2") == S::More);
  CHECK(l.feed("2a") == S::More);
  CHECK(l.feed("2a\r\nrest") == S::Done);
  CHECK(l.size() == 0x2a);
  CHECK(l.length() == 4);
}
