// BDAT (RFC 3030 CHUNKING) as a client meets it: the replies, the bytes that reach the
// mailbox, and that a chunk's octets are never read as commands - for every split of the
// input.
#include <catch2/catch.hpp>

#include "smtp_test_support.hpp"

using namespace maillab::smtp;
using namespace maillab::smtp::test;
using namespace std::chrono_literals;
using State = ServerSession::State;

namespace {

const std::string kTransaction = "EHLO c\r\nMAIL FROM:<a@x.example>\r\nRCPT TO:<b@y.example>\r\n";

// "BDAT <size of data>[ LAST]\r\n<data>".
std::string bdat(std::string_view data, bool last = false) {
  return "BDAT " + std::to_string(data.size()) + (last ? " LAST" : "") + "\r\n" + std::string(data);
}

}  // namespace

TEST_CASE("BDAT: EHLO offers CHUNKING, chunks are binary-safe, LAST delivers", "[smtp][server][bdat]") {
  // The first chunk holds what would end DATA and what looks like commands; the second a
  // NUL. Neither is read as anything but content, and nothing is unstuffed.
  const std::string first = "Subject: t\r\n\r\nab\r\n.\r\nQUIT\r\n..x\r\n";
  const std::string second = std::string("y\0z\r\n", 5);
  const Outcome o = every_split(kTransaction + bdat(first) + bdat(second, true) + "NOOP\r\n");
  CHECK(o.output ==
        "250-mx.example.org\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n"
        "250-DSN\r\n250-SMTPUTF8\r\n250 CHUNKING\r\n"
        "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n"
        "250 2.0.0 Ok: " + std::to_string(first.size()) + " bytes\r\n"
        "250 2.0.0 Ok: queued\r\n"
        "250 2.0.0 Ok\r\n");
  REQUIRE(o.contents.size() == 1);
  CHECK(o.contents[0] == first + second);
  CHECK(o.state == State::Ready);
}

TEST_CASE("BDAT: content is stored as CRLF lines, across chunk boundaries too", "[smtp][server][bdat]") {
  struct Case {
    std::vector<std::string> chunks;
    std::string content;
    std::size_t bare_lf, bare_cr;
  } cases[] = {
      {{"ab\r", "\ncd\r\n"}, "ab\r\ncd\r\n", 0, 0},  // a CRLF split by the chunks
      {{"ab\n", "cd\r", "x"}, "ab\r\ncd\r\nx\r\n", 1, 1},
      {{"no line end"}, "no line end\r\n", 0, 0},
      {{"ends in CR\r"}, "ends in CR\r\n", 0, 1},
      {{""}, "", 0, 0},
      {{"", "a\r\n"}, "a\r\n", 0, 0},
  };
  for (const auto& c : cases) {
    std::string input = kTransaction;
    for (std::size_t i = 0; i < c.chunks.size(); ++i) {
      // An empty chunk is only allowed as the last.
      if (c.chunks[i].empty() && i + 1 < c.chunks.size()) continue;
      input += bdat(c.chunks[i], i + 1 == c.chunks.size());
    }
    INFO(input);
    RecordingHandler h;
    feed(input, {}, server_config(), &h);
    REQUIRE(h.delivered.size() == 1);
    CHECK(h.delivered[0].content == c.content);
    CHECK(h.delivered[0].envelope.notes.bare_lf == c.bare_lf);
    CHECK(h.delivered[0].envelope.notes.bare_cr == c.bare_cr);
    every_split(input);
  }
  // A line over 1000 octets is kept and noted, as with DATA.
  RecordingHandler h;
  feed(kTransaction + bdat(std::string(600, 'L')) + bdat(std::string(600, 'L') + "\r\n", true), {}, server_config(), &h);
  REQUIRE(h.delivered.size() == 1);
  CHECK(h.delivered[0].content == std::string(1200, 'L') + "\r\n");
  CHECK(h.delivered[0].envelope.notes.long_lines == 1);
}

TEST_CASE("BDAT refused: the reply comes after its octets, which are never commands", "[smtp][server][bdat]") {
  // Each chunk holds "QUIT\r\n": had the server read it as a command, it would say 221.
  const std::string quit = bdat("QUIT\r\n");
  ServerConfig no_chunking = server_config();
  no_chunking.chunking = false;
  struct Case {
    std::string setup;
    const char* reply;
    State after;
    ServerConfig cfg = server_config();
  } cases[] = {
      {"", "503 5.5.1 Error: send HELO/EHLO first", State::Connected},
      {"HELO c\r\n", "502 5.5.1 Error: command not implemented", State::Ready},
      {"EHLO c\r\n", "502 5.5.1 Error: command not implemented", State::Ready, no_chunking},
      {"EHLO c\r\n", "503 5.5.1 Error: need RCPT command", State::Ready},
      {"EHLO c\r\nMAIL FROM:<a@x.example>\r\n", "503 5.5.1 Error: need RCPT command", State::Mail},
      {"EHLO c\r\nMAIL FROM:<a@x.example>\r\nRCPT TO:<nobody@y.example>\r\n", "554 5.5.1 Error: no valid recipients",
       State::Mail},
  };
  for (const auto& c : cases) {
    INFO(c.setup);
    RecordingHandler h;
    h.unknown_users.insert("nobody@y.example");
    ServerSession s(c.cfg, h);
    s.receive(c.setup);
    s.take_output();
    s.receive(quit);
    CHECK(s.take_output() == std::string(c.reply) + "\r\n");
    CHECK(s.state() == c.after);
    CHECK_FALSE(s.closed());
    CHECK(h.exchanges.back().first == "BDAT 6");
  }
  // After a 554 greeting only QUIT is served, and a chunk's octets are still octets.
  RecordingHandler h;
  h.greeting_reply = Reply::make(554, "5.3.2", "mx.example.org No SMTP service here");
  ServerSession s(server_config(), h);
  s.take_output();
  s.receive(quit + "QUIT\r\n");
  CHECK(s.take_output() == "503 5.5.1 Error: no SMTP service here\r\n221 2.0.0 Bye\r\n");
}

TEST_CASE("BDAT refusals inside a transaction fail it until LAST or RSET", "[smtp][server][bdat]") {
  ServerConfig small = server_config();
  small.size_limit = 10;
  struct Case {
    std::string chunks;
    std::string replies;
    ServerConfig cfg = server_config();
  } cases[] = {
      // A word other than LAST: the count is known, the octets are read, 501.
      {"BDAT 4 FIRST\r\nabcd" + bdat("ef", true),
       "501 5.5.4 Syntax: BDAT count [LAST]\r\n501 5.5.4 Syntax: BDAT count [LAST]\r\n"},
      // RFC 1870 6.2 for the chunks together: 552 before a byte is kept.
      {bdat("123456") + bdat("123456", true), "250 2.0.0 Ok: 6 bytes\r\n552 5.3.4 Chunk exceeds message size limit\r\n",
       small},
      {bdat("123456789012") + bdat("1", true),
       "552 5.3.4 Chunk exceeds message size limit\r\n552 5.3.4 Chunk exceeds message size limit\r\n", small},
      // Within the count, but bare line ends stored as CRLF take the message past it.
      {bdat("a\nb\nc\nd\ne\n", true), "552 5.3.4 Chunk exceeds message size limit\r\n", small},
      {bdat("a\nb\nc\nd\n") + bdat("e\n", true),
       "552 5.3.4 Chunk exceeds message size limit\r\n552 5.3.4 Chunk exceeds message size limit\r\n", small},
      // Postfix: an empty chunk must be the last.
      {"BDAT 0\r\n" + bdat("abc", true), "551 5.7.1 Null BDAT request\r\n551 5.7.1 Null BDAT request\r\n"},
  };
  for (const auto& c : cases) {
    INFO(c.chunks);
    const std::string input = kTransaction + c.chunks + "MAIL FROM:<a@x.example>\r\n";
    const Outcome o = every_split(input, c.cfg);
    // The LAST chunk ended the failed transaction: a new MAIL is welcome.
    CHECK(o.output.substr(o.output.find("250 2.1.5 Ok\r\n") + 14) == c.replies + "250 2.1.0 Ok\r\n");
    CHECK(o.contents.empty());
  }
  // RSET clears the chunks, failed or not; the next transaction starts afresh.
  const Outcome o = every_split(kTransaction + bdat("old\r\n") + "RSET\r\n" + "MAIL FROM:<a@x.example>\r\n" +
                                "RCPT TO:<b@y.example>\r\n" + bdat("new\r\n", true));
  CHECK(o.output.substr(o.output.find("250 2.1.5 Ok\r\n") + 14) ==
        "250 2.0.0 Ok: 5 bytes\r\n250 2.0.0 Ok\r\n250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.0.0 Ok: queued\r\n");
  REQUIRE(o.contents.size() == 1);
  CHECK(o.contents[0] == "new\r\n");
}

TEST_CASE("BDAT and DATA never mix in one transaction (RFC 3030 3)", "[smtp][server][bdat]") {
  const Outcome o = every_split(kTransaction + bdat("a\r\n") +
                                "DATA\r\nMAIL FROM:<c@x.example>\r\nRCPT TO:<d@y.example>\r\nAUTH PLAIN\r\n" +
                                bdat("b\r\n", true) + bdat("c\r\n") + "DATA\r\n");
  CHECK(o.output.substr(o.output.find("250 2.1.5 Ok\r\n") + 14) ==
        "250 2.0.0 Ok: 3 bytes\r\n"
        "503 5.5.1 Error: DATA after BDAT\r\n"
        "503 5.5.1 Error: MAIL after BDAT\r\n"
        "503 5.5.1 Error: RCPT after BDAT\r\n"
        "503 5.5.1 Error: AUTH after BDAT\r\n"
        "250 2.0.0 Ok: queued\r\n"
        // RFC 3030 3: a BDAT after the LAST one is a 503 (no transaction any more).
        "503 5.5.1 Error: need RCPT command\r\n"
        "503 5.5.1 Error: need RCPT command\r\n");
  REQUIRE(o.contents.size() == 1);
  CHECK(o.contents[0] == "a\r\nb\r\n");  // only the two recipients' message, nothing of the refused ones
}

TEST_CASE("BDAT whose count cannot be read: 521 and close", "[smtp][server][bdat]") {
  for (const char* line : {"BDAT", "BDAT x", "BDAT -1", "BDAT 1x LAST", "BDAT 99999999999999999999999 LAST"}) {
    INFO(line);
    RecordingHandler h;
    ServerSession s(server_config(), h);
    s.receive(kTransaction);
    s.take_output();
    s.receive(std::string(line) + "\r\nQUIT\r\n");
    CHECK(s.take_output() == "521 5.5.4 Syntax: BDAT count [LAST]\r\n");
    CHECK(s.closed());
    CHECK(h.close_requests == 1);
    CHECK(h.delivered.empty());
  }
}

TEST_CASE("BDAT: the host's word at the first chunk, timeouts and a lost client", "[smtp][server][bdat]") {
  {
    // on_data refuses (as it would DATA): the first chunk gets its reply, the transaction fails.
    RecordingHandler h;
    h.data_reply = Reply::make(554, "5.7.1", "Error: no content accepted here");
    ServerSession s(server_config(), h);
    s.receive(kTransaction);
    s.take_output();
    s.receive(bdat("x\r\n") + bdat("y\r\n", true));
    CHECK(s.take_output() == "554 5.7.1 Error: no content accepted here\r\n554 5.7.1 Error: no content accepted here\r\n");
    CHECK(h.delivered.empty());
  }
  {
    // Half a chunk, then silence: data_timeout, 421, nothing delivered.
    RecordingHandler h;
    ServerSession s(server_config(), h);
    s.receive(kTransaction + "BDAT 10 LAST\r\nhalf");
    s.take_output();
    CHECK(s.state() == State::Chunk);
    CHECK(s.timeout() == 180000ms);
    s.on_timeout();
    CHECK(s.take_output() == "421 4.4.2 mx.example.org Error: timeout exceeded\r\n");
    CHECK(s.closed());
    CHECK(h.delivered.empty());
  }
  {
    // Half a chunk, then EOF: nothing delivered.
    RecordingHandler h;
    ServerSession s(server_config(), h);
    s.receive(kTransaction + "BDAT 10 LAST\r\nhalf");
    s.receive_eof();
    CHECK(s.closed());
    CHECK(h.delivered.empty());
  }
}
