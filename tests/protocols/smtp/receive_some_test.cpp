// ServerSession::receive_some: the bounded feeding services::SessionDriver uses for
// backpressure. Stopping at an output limit and offering the rest again gives exactly
// the bytes receive() gives for the whole input, and never takes a command while the
// output is at the limit.
#include <catch2/catch.hpp>

#include "smtp_test_support.hpp"

using namespace maillab::smtp;
using namespace maillab::smtp::test;

TEST_CASE("receive_some stops at the output limit; offered again, the output is receive()'s",
          "[smtp][server][backpressure]") {
  std::string input = "EHLO c.example\r\n";
  for (int i = 0; i < 500; ++i) input += i % 3 ? "NOOP\r\n" : "RSET\r\n";
  input += "MAIL FROM:<a@example.net>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\nSubject: x\r\n\r\nhi\r\n.\r\nQUIT\r\n";

  RecordingHandler h1;
  ServerSession whole(server_config(), h1);
  whole.receive(input);
  const std::string expected = whole.take_output();

  for (std::size_t limit : {1u, 50u, 1000u}) {
    RecordingHandler h2;
    ServerSession s(server_config(), h2);
    std::string got = s.take_output();
    std::string_view rest = input;
    int calls = 0;
    while (!rest.empty()) {
      const std::size_t n = s.receive_some(rest, limit);
      REQUIRE(n > 0);  // the output was taken before: at least one command goes in
      CHECK(s.output().size() < limit + 200);  // one reply past the limit at most
      rest.remove_prefix(n);
      got += s.take_output();
      ++calls;
    }
    CHECK(got == expected);
    CHECK(calls > 1);
    CHECK(s.closed());
  }
}

TEST_CASE("receive_some takes nothing while the output is at the limit, and all once closed",
          "[smtp][server][backpressure]") {
  RecordingHandler h;
  ServerSession s(server_config(), h);
  CHECK(s.receive_some("NOOP\r\n", 10) == 0);  // the greeting is pending
  s.take_output();
  CHECK(s.receive_some("NOOP\r\nNOOP\r\n", 10) == 6);
  s.take_output();
  CHECK(s.receive_some("QUIT\r\nNOOP\r\nNOOP\r\n", 1000) == 18);
  CHECK(s.closed());
}
