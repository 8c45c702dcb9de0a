// Failure points driven in a loop (Beast's fail_count): the connection cut after every
// byte of the client's stream, and seeded random input, must never lose mail, half-commit
// deletions, leak a lock, or crash.
#include <catch2/catch.hpp>

#include <random>
#include <string>

#include "pop3_test_support.hpp"

using namespace maillab::pop3;
using namespace maillab::pop3::test;
using Status = ClientSession::Status;

TEST_CASE("a connection cut after every byte the client sends", "[pop3][robustness]") {
  // How many bytes does a whole session send?
  std::size_t total = 0;
  {
    RecordingStore store;
    fill(store);
    ClientConfig cc = client_config();
    cc.delete_after_retrieve = true;
    ClientSession c(cc);
    ServerSession s(server_config(), store);
    s.start();
    for (int i = 0; i < 1000 && !c.closed(); ++i) {
      c.receive(s.take_output());
      const std::string out = c.take_output();
      total += out.size();
      s.receive(out);
    }
    REQUIRE(c.status() == Status::Done);
  }
  for (std::size_t budget = 0; budget <= total; ++budget) {
    RecordingStore store;
    fill(store);
    ClientConfig cc = client_config();
    cc.delete_after_retrieve = true;
    ClientSession c(cc);
    ServerSession s(server_config(), store);
    s.start();
    std::size_t sent = 0;
    for (int i = 0; i < 1000 && !c.closed() && !s.closed(); ++i) {
      c.receive(s.take_output());
      std::string out = c.take_output();
      if (sent + out.size() > budget) {
        s.receive(out.substr(0, budget - sent));
        break;
      }
      sent += out.size();
      s.receive(out);
    }
    c.receive(s.take_output());
    s.receive_eof();
    c.receive_eof();
    INFO("budget " << budget);
    CHECK(s.closed());
    CHECK(c.closed());
    CHECK_FALSE(store.locked("bob"));
    const std::size_t left = store.messages("bob").size();
    CHECK((left == 3 || left == 0));
    if (c.deletions_committed()) CHECK(left == 0);
    if (c.status() == Status::Done) CHECK(c.retrieved().size() == 3);
    CHECK((c.status() == Status::Done || c.status() == Status::ConnectionLost));
  }
}

TEST_CASE("seeded random input never breaks the server", "[pop3][robustness]") {
  std::mt19937 rng(1939);
  const std::string words[] = {"USER bob", "PASS secret", "STAT", "LIST", "RETR 1", "DELE 2", "TOP 3 1", "UIDL",
                               "RSET", "NOOP", "CAPA", "AUTH PLAIN", "APOP bob x", "QUIT", "RETR 99", "\x01\xff"};
  for (int run = 0; run < 200; ++run) {
    RecordingStore store;
    fill(store);
    ServerConfig config = server_config();
    config.max_auth_failures = 1000;
    ServerSession s(config, store);
    s.start();
    std::string input;
    for (int i = 0; i < 40; ++i) {
      if (rng() % 4 == 0) {
        for (int k = static_cast<int>(rng() % 300); k > 0; --k) input += static_cast<char>(rng() % 256);
      } else {
        input += words[rng() % std::size(words)];
      }
      input += (rng() % 5 == 0) ? "\n" : "\r\n";
    }
    for (std::size_t i = 0; i < input.size();) {
      const std::size_t n = 1 + rng() % 40;
      s.receive(std::string_view(input).substr(i, n));
      i += n;
    }
    const std::string out = s.take_output();
    CHECK(out.rfind("+OK", 0) == 0);
    s.receive_eof();
    CHECK(s.closed());
    CHECK_FALSE(store.locked("bob"));
  }
}
