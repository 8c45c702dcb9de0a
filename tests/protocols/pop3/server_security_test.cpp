// What a password guesser sees of the POP3 server engine: every failed login's -ERR
// waits auth_failure_delay (Dovecot's auth_failure_delay), requested as the engine's
// timer, never slept; an empty password or APOP secret never logs in.
#include <catch2/catch.hpp>

#include "protocols/message/base64.hpp"
#include "protocols/pop3/md5.hpp"
#include "pop3_test_support.hpp"

using namespace maillab::pop3;
using namespace maillab::pop3::test;

namespace {

struct Guessed {
  RecordingStore store;
  ServerSession server;
  explicit Guessed(std::chrono::milliseconds delay) : server(config(delay), store) {
    fill(store);
    server.start();
    server.take_output();
  }
  static ServerConfig config(std::chrono::milliseconds delay) {
    ServerConfig c = server_config();
    c.auth_failure_delay = delay;
    return c;
  }
  std::string send(std::string_view bytes) {
    server.receive(bytes);
    return server.take_output();
  }
};

}  // namespace

TEST_CASE("a failed login's -ERR waits auth_failure_delay; a good login does not", "[pop3][server][security]") {
  Guessed g(std::chrono::milliseconds(2000));
  CHECK(g.send("USER bob\r\n") == "+OK send PASS\r\n");
  const std::size_t traced = g.store.exchanges.size();
  CHECK(g.send("PASS wrong\r\n").empty());
  CHECK(g.server.paused());
  CHECK(g.store.exchanges.size() == traced);  // traced when it is sent
  CHECK(g.server.timeout() == std::chrono::milliseconds(2000));
  // Pipelined input waits with the reply.
  CHECK(g.send("USER bob\r\nPASS secret\r\n").empty());
  g.server.on_timeout();
  CHECK(g.server.take_output() ==
        "-ERR [AUTH] invalid user name or password\r\n+OK send PASS\r\n+OK maildrop has 3 messages (" +
            std::to_string(kMsg1.size() + kMsg2.size() + kMsg3.size()) + " octets)\r\n");
  CHECK_FALSE(g.server.paused());
  CHECK(g.server.state() == ServerSession::State::Transaction);
  REQUIRE(g.store.exchanges.size() == traced + 3);
  CHECK(g.store.exchanges[traced] ==
        std::pair<std::string, std::string>("PASS ****", "-ERR [AUTH] invalid user name or password"));
  CHECK(g.server.timeout() == ServerConfig{}.idle_timeout);
}

TEST_CASE("the third failure closes after its delay", "[pop3][server][security]") {
  Guessed g(std::chrono::milliseconds(2000));
  for (int i = 0; i < 2; ++i) {
    CHECK(g.send("APOP bob 00000000000000000000000000000000\r\n").empty());
    g.server.on_timeout();
    CHECK(g.server.take_output() == "-ERR [AUTH] invalid user name or digest\r\n");
  }
  CHECK(g.send("APOP bob 00000000000000000000000000000000\r\n").empty());
  CHECK_FALSE(g.server.closed());
  g.server.on_timeout();
  CHECK(g.server.take_output() == "-ERR [AUTH] too many failures\r\n");
  CHECK(g.server.closed());
}

TEST_CASE("an empty password or APOP secret never logs in", "[pop3][server][security]") {
  Guessed g(std::chrono::milliseconds(0));
  g.store.add_user("nopass", "", "");
  const std::string digest = Md5::hex("<1896.697170952@dbc.mtview.ca.us>");
  CHECK(g.send("APOP nopass " + digest + "\r\n") == "-ERR [AUTH] invalid user name or digest\r\n");
  const std::string empty_plain = maillab::message::base64_encode(std::string("\0nopass\0", 8));
  CHECK(g.send("AUTH PLAIN " + empty_plain + "\r\n") == "-ERR [AUTH] authentication failed\r\n");
  CHECK(g.send("USER nopass\r\nPASS \r\n") == "+OK send PASS\r\n-ERR syntax: PASS string\r\n");
  CHECK(g.server.state() == ServerSession::State::Authorization);
}
