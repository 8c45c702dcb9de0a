// ClientSession paired with ServerSession in memory (no simulator): the whole retrieval
// story over every authentication method, failures, DELE semantics against EOF and
// timeouts, UIDL stability across sessions, and chunked delivery.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "pop3_test_support.hpp"

using namespace maillab::pop3;
using namespace maillab::pop3::test;
using Status = ClientSession::Status;
using Auth = ClientConfig::Auth;

namespace {

struct Pair {
  RecordingStore& store;
  ClientSession client;
  ServerSession server;
  std::vector<std::pair<std::string, std::string>> client_log;

  Pair(RecordingStore& s, ClientConfig cc, ServerConfig sc = server_config())
      : store(s), client(std::move(cc)), server(std::move(sc), s) {
    client.on_exchange = [this](std::string_view sent, std::string_view reply) {
      client_log.emplace_back(std::string(sent), std::string(reply));
    };
    server.start();
  }
  void run(std::size_t chunk = static_cast<std::size_t>(-1), std::function<bool()> stop = {}) {
    Pump pump;
    pump.chunk = chunk;
    pump.stop = std::move(stop);
    pump.run(client, server);
  }
  std::vector<std::string> commands() const {
    std::vector<std::string> out;
    for (const auto& e : client_log) out.push_back(e.first.substr(0, e.first.find(' ')));
    return out;
  }
};

}  // namespace

TEST_CASE("USER/PASS retrieval of three messages, byte-exact, any chunking", "[pop3][pair]") {
  const std::size_t chunk = GENERATE(std::size_t(-1), 1, 2, 3, 5, 7, 13);
  RecordingStore store;
  fill(store);
  Pair p(store, client_config());
  p.run(chunk);
  INFO("chunk " << chunk << " error " << p.client.error());
  REQUIRE(p.client.status() == Status::Done);
  CHECK(p.client.closed());
  CHECK(p.server.closed());
  CHECK(p.client.auth_used() == Auth::UserPass);
  REQUIRE(p.client.retrieved().size() == 3);
  const std::string expected[] = {kMsg1, kMsg2, kMsg3};
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(p.client.retrieved()[i].number == i + 1);
    CHECK(p.client.retrieved()[i].uid == "u" + std::to_string(i + 1));
    CHECK(p.client.retrieved()[i].content == expected[i]);
  }
  CHECK_FALSE(p.client.deletions_committed());
  CHECK(store.messages("bob").size() == 3);
  CHECK_FALSE(store.locked("bob"));
  CHECK(p.commands() ==
        std::vector<std::string>{"", "CAPA", "USER", "PASS", "STAT", "UIDL", "RETR", "RETR", "RETR", "QUIT"});
  CHECK(p.client_log[3].first == "PASS ****");
  // Both sides saw the same conversation.
  REQUIRE(store.exchanges.size() == p.client_log.size());
  for (std::size_t i = 0; i < store.exchanges.size(); ++i) CHECK(store.exchanges[i] == p.client_log[i]);
}

TEST_CASE("APOP with RFC 1939's example timestamp and secret", "[pop3][pair]") {
  RecordingStore store;
  fill(store);
  ClientConfig cc = client_config(Auth::Apop);
  cc.user = "mrose";
  cc.password = "tanstaaf";
  Pair p(store, cc);
  p.run();
  REQUIRE(p.client.status() == Status::Done);
  CHECK(p.client.auth_used() == Auth::Apop);
  CHECK(p.client_log[2].first == "APOP mrose c4c9334bac560ecc979e58001b3e22fb");
  CHECK(p.client_log[2].second.rfind("+OK", 0) == 0);
  REQUIRE(p.client.retrieved().size() == 1);
  CHECK(p.client.retrieved()[0].content == kMsg3);
}

TEST_CASE("AUTH PLAIN, with initial response and with continuation", "[pop3][pair]") {
  RecordingStore store;
  fill(store);
  SECTION("initial response") {
    Pair p(store, client_config(Auth::SaslPlain));
    p.run();
    REQUIRE(p.client.status() == Status::Done);
    CHECK(p.client_log[2] == std::pair<std::string, std::string>{"AUTH PLAIN ****", "+OK maildrop has 3 messages (" +
                                                                  std::to_string(kMsg1.size() + kMsg2.size() + kMsg3.size()) +
                                                                  " octets)"});
    CHECK(p.client.retrieved().size() == 3);
  }
  SECTION("too long for one line: continuation") {
    const std::string pw(300, 'k');
    store.add_user("longpw", pw);
    store.deliver("longpw", "x", kMsg2);
    ClientConfig cc = client_config(Auth::SaslPlain);
    cc.user = "longpw";
    cc.password = pw;
    Pair p(store, cc);
    p.run(3);
    REQUIRE(p.client.status() == Status::Done);
    CHECK(p.client_log[2] == std::pair<std::string, std::string>{"AUTH PLAIN", "+ "});
    CHECK(p.client_log[3].first == "****");
    CHECK(p.client.retrieved().size() == 1);
  }
}

TEST_CASE("Auth::Best chooses by CAPA and the greeting", "[pop3][pair]") {
  RecordingStore store;
  fill(store);
  ServerConfig sc = server_config();
  SECTION("USER advertised: USER/PASS") {
    Pair p(store, client_config(), sc);
    p.run();
    CHECK(p.client.auth_used() == Auth::UserPass);
    CHECK(p.client.status() == Status::Done);
  }
  SECTION("no USER, SASL PLAIN advertised: AUTH PLAIN") {
    sc.user_pass = false;
    Pair p(store, client_config(), sc);
    p.run();
    CHECK(p.client.auth_used() == Auth::SaslPlain);
    CHECK(p.client.status() == Status::Done);
  }
  SECTION("only APOP: APOP") {
    sc.user_pass = false;
    sc.sasl_plain = false;
    ClientConfig cc = client_config();
    cc.password = "tanstaaf";  // bob's APOP secret
    Pair p(store, cc, sc);
    p.run();
    CHECK(p.client.auth_used() == Auth::Apop);
    CHECK(p.client.status() == Status::Done);
    CHECK(p.client.retrieved().size() == 3);
  }
}

TEST_CASE("wrong password: AuthFailed with the [AUTH] code, polite QUIT", "[pop3][pair]") {
  const Auth auth = GENERATE(Auth::UserPass, Auth::Apop, Auth::SaslPlain);
  RecordingStore store;
  fill(store);
  ClientConfig cc = client_config(auth);
  cc.password = "wrong";
  Pair p(store, cc);
  p.run();
  CHECK(p.client.status() == Status::AuthFailed);
  CHECK(p.client.error().find("[AUTH]") != std::string::npos);
  CHECK(p.client.closed());
  CHECK(p.client.retrieved().empty());
  CHECK(p.commands().back() == "QUIT");
  CHECK(p.server.auth_failures() == 1);
  CHECK(store.failures == std::vector<std::string>{"bob"});
  CHECK_FALSE(store.locked("bob"));
}

TEST_CASE("a locked maildrop: InUse with the [IN-USE] code", "[pop3][pair]") {
  RecordingStore store;
  fill(store);
  std::unique_ptr<Maildrop> held;
  REQUIRE(store.open_maildrop("bob", held) == ServerHandler::OpenResult::Ok);
  SECTION("held by the host") {
    Pair p(store, client_config());
    p.run();
    CHECK(p.client.status() == Status::InUse);
    CHECK(p.client.error().find("[IN-USE]") != std::string::npos);
  }
  SECTION("held by a second session in TRANSACTION") {
    held.reset();
    RecordingStore& s = store;
    ServerSession first(server_config(), s);
    first.start();
    first.receive("USER bob\r\nPASS secret\r\n");
    REQUIRE(first.state() == ServerSession::State::Transaction);
    Pair p(store, client_config());
    p.run();
    CHECK(p.client.status() == Status::InUse);
    first.receive("QUIT\r\n");
    CHECK_FALSE(store.locked("bob"));
    Pair again(store, client_config());
    again.run();
    CHECK(again.client.status() == Status::Done);
  }
}

TEST_CASE("a host error opening the maildrop: Error with [SYS/TEMP]", "[pop3][pair]") {
  RecordingStore store;
  fill(store);
  store.fail_opens = true;
  Pair p(store, client_config());
  p.run();
  CHECK(p.client.status() == Status::Error);
  CHECK(p.client.error().find("[SYS/TEMP]") != std::string::npos);
}

TEST_CASE("DELE then QUIT removes the retrieved messages", "[pop3][pair]") {
  RecordingStore store;
  fill(store);
  ClientConfig cc = client_config();
  cc.delete_after_retrieve = true;
  Pair p(store, cc);
  p.run(4);
  REQUIRE(p.client.status() == Status::Done);
  CHECK(p.client.retrieved().size() == 3);
  CHECK(p.client.deletions_committed());
  CHECK(store.messages("bob").empty());
  CHECK(p.client_log.back().second == "+OK pop.example.org POP3 server signing off (maildrop empty)");
  CHECK(p.commands() == std::vector<std::string>{"", "CAPA", "USER", "PASS", "STAT", "UIDL", "RETR", "DELE", "RETR",
                                                 "DELE", "RETR", "DELE", "QUIT"});
}

TEST_CASE("DELE then a dropped connection or a timeout removes nothing", "[pop3][pair]") {
  const bool timeout = GENERATE(false, true);
  RecordingStore store;
  fill(store);
  ClientConfig cc = client_config();
  cc.delete_after_retrieve = true;
  Pair p(store, cc);
  // Stop when the QUIT is written but not delivered: every DELE got +OK.
  p.run(static_cast<std::size_t>(-1), [&] { return p.client.state() == ClientSession::State::Quit; });
  REQUIRE(p.client.retrieved().size() == 3);
  REQUIRE(p.server.state() == ServerSession::State::Transaction);
  if (timeout) {
    p.server.on_timeout();
    p.client.on_timeout();
    CHECK(p.client.status() == Status::TimedOut);
  } else {
    p.server.receive_eof();
    p.client.receive_eof();
    CHECK(p.client.status() == Status::ConnectionLost);
  }
  CHECK(p.server.closed());
  CHECK(p.client.closed());
  CHECK_FALSE(p.client.deletions_committed());
  CHECK(store.messages("bob").size() == 3);
  CHECK_FALSE(store.locked("bob"));
}

TEST_CASE("UIDs are stable across sessions and after another message is deleted", "[pop3][pair]") {
  RecordingStore store;
  fill(store);
  std::vector<std::pair<std::string, std::string>> first;  // uid -> content
  {
    Pair p(store, client_config());
    p.run();
    for (const auto& r : p.client.retrieved()) first.emplace_back(r.uid, r.content);
  }
  {
    Pair p(store, client_config());
    p.run();
    REQUIRE(p.client.retrieved().size() == 3);
    for (std::size_t i = 0; i < 3; ++i) CHECK(p.client.retrieved()[i].uid == first[i].first);
  }
  {  // another MUA deletes message 1
    ServerSession s(server_config(), store);
    s.start();
    s.receive("USER bob\r\nPASS secret\r\nDELE 1\r\nQUIT\r\n");
    REQUIRE(s.closed());
  }
  Pair p(store, client_config());
  p.run();
  REQUIRE(p.client.retrieved().size() == 2);
  CHECK(p.client.retrieved()[0].number == 1);
  CHECK(p.client.retrieved()[0].uid == first[1].first);
  CHECK(p.client.retrieved()[0].content == first[1].second);
  CHECK(p.client.retrieved()[1].number == 2);
  CHECK(p.client.retrieved()[1].uid == first[2].first);
  CHECK(p.client.retrieved()[1].content == first[2].second);
}

TEST_CASE("only_new skips known UIDs", "[pop3][pair]") {
  RecordingStore store;
  fill(store);
  ClientConfig cc = client_config();
  cc.only_new = true;
  cc.known_uids = {"u1", "u3", "not-there"};
  cc.delete_after_retrieve = true;
  Pair p(store, cc);
  p.run();
  REQUIRE(p.client.status() == Status::Done);
  REQUIRE(p.client.retrieved().size() == 1);
  CHECK(p.client.retrieved()[0].uid == "u2");
  CHECK(p.client.retrieved()[0].number == 2);
  CHECK(p.client.retrieved()[0].content == kMsg2);
  CHECK(p.client.deletions_committed());
  REQUIRE(store.messages("bob").size() == 2);
  CHECK(store.messages("bob")[0].uid == "u1");
  CHECK(store.messages("bob")[1].uid == "u3");
}

TEST_CASE("an empty maildrop: STAT 0 then QUIT", "[pop3][pair]") {
  RecordingStore store;
  store.add_user("bob", "secret");
  Pair p(store, client_config());
  p.run();
  CHECK(p.client.status() == Status::Done);
  CHECK(p.client.retrieved().empty());
  CHECK(p.commands() == std::vector<std::string>{"", "CAPA", "USER", "PASS", "STAT", "QUIT"});
}

TEST_CASE("a failing UPDATE: QUIT -ERR, deletions not committed", "[pop3][pair]") {
  RecordingStore store;
  fill(store);
  store.fail_removes = true;
  ClientConfig cc = client_config();
  cc.delete_after_retrieve = true;
  Pair p(store, cc);
  p.run();
  CHECK(p.client.status() == Status::Error);
  CHECK(p.client.error().find("QUIT") != std::string::npos);
  CHECK_FALSE(p.client.deletions_committed());
  CHECK(p.client.retrieved().size() == 3);
}
