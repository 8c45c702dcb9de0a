// pop3::ServerSession::receive_some: the bounded feeding services::SessionDriver uses for
// backpressure (a pipelined RETR answers a whole message). Stopping at an output limit
// and offering the rest again gives the bytes receive() gives for the whole input.
#include <catch2/catch.hpp>

#include "pop3_test_support.hpp"

using namespace maillab::pop3;
using namespace maillab::pop3::test;

TEST_CASE("pop3 receive_some stops at the output limit; offered again, the output is receive()'s",
          "[pop3][server][backpressure]") {
  std::string input = "USER bob\r\nPASS secret\r\n";
  for (int i = 0; i < 200; ++i) input += i % 2 ? "RETR 1\r\n" : "NOOP\r\n";
  input += "QUIT\r\n";

  RecordingStore st1;
  fill(st1);
  ServerSession whole(server_config(), st1);
  whole.start();
  whole.receive(input);
  const std::string expected = whole.take_output();

  RecordingStore st2;
  fill(st2);
  ServerSession s(server_config(), st2);
  s.start();
  std::string got = s.take_output();
  std::string_view rest = input;
  int calls = 0;
  while (!rest.empty()) {
    const std::size_t n = s.receive_some(rest, 100);
    REQUIRE(n > 0);
    rest.remove_prefix(n);
    got += s.take_output();
    ++calls;
  }
  CHECK(got == expected);
  CHECK(calls > 100);  // a RETR's reply is over the limit: one command per call
  CHECK(s.closed());
}
