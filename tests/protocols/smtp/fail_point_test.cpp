// Beast-style "fail at every point": the same session is cut after every k bytes (and
// timed out after every exchange), and each time the invariants must hold:
// - every message added to the client gets exactly one outcome, with a final reply for
//   every recipient;
// - without an acknowledged DATA, every recipient is transient (except one the server
//   already refused for good at RCPT);
// - the server never delivers a partial message, never delivers one twice;
// - a message the server took but the client did not hear about is flagged data_sent
//   (the duplicate risk of RFC 1047); a 250 after the dot means it was delivered.
#include <catch2/catch.hpp>

#include "smtp_test_support.hpp"

using namespace maillab::smtp;
using namespace maillab::smtp::test;

namespace {

const std::string kContents[] = {
    "Subject: one\r\n\r\n.leading dot\r\n..\r\n\r\nend of one\r\n",
    "Subject: two\r\n\r\nsecond message\r\n",
};

struct Setup {
  bool pipelining;
  bool auth;
};

struct Session {
  RecordingHandler handler;
  std::unique_ptr<ServerSession> server;
  std::unique_ptr<ClientSession> client;

  explicit Session(const Setup& s) {
    handler.unknown_users.insert("nobody@example.org");
    handler.passwords["bob"] = "secret";
    ServerConfig scfg = server_config();
    scfg.pipelining = s.pipelining;
    if (s.auth) scfg.auth_mechanisms = {"PLAIN"};
    server = std::make_unique<ServerSession>(scfg, handler);
    ClientConfig ccfg = client_config();
    if (s.auth) ccfg.auth = std::make_pair(std::string("bob"), std::string("secret"));
    client = std::make_unique<ClientSession>(ccfg);
    client->add(message("alice@example.net", {"bob@example.org", "nobody@example.org", "carol@example.org"},
                        kContents[0]));
    client->add(message("alice@example.net", {"dave@example.org"}, kContents[1]));
    client->finish();
  }
};

void check_invariants(Session& s) {
  CHECK(s.client->closed());
  CHECK(s.server->closed());
  const auto& outcomes = s.client->outcomes();
  REQUIRE(outcomes.size() == 2);
  std::vector<int> delivered(2, 0);
  for (const auto& d : s.handler.delivered) {
    const bool one = d.content == kContents[0], two = d.content == kContents[1];
    CHECK((one || two));  // never a partial message
    ++delivered[one ? 0 : 1];
  }
  for (std::size_t i = 0; i < 2; ++i) {
    INFO("transaction " << i);
    const auto& o = outcomes[i];
    CHECK(delivered[i] <= 1);
    REQUIRE(o.rcpts.size() == (i == 0 ? 3u : 1u));
    for (const auto& r : o.rcpts) {
      INFO(r.rcpt.address() << ": " << r.reply.summary());
      CHECK(r.reply.code >= 200);
      CHECK(r.reply.code <= 599);
      const bool refused_for_good = r.rcpt.address() == "nobody@example.org" && r.reply.code == 550;
      if (!o.data_acknowledged) CHECK((r.reply.transient() || refused_for_good));
      // An acknowledged DATA: 250 means stored, anything else (the server's 421 on a
      // timeout) means not stored.
      if (o.data_acknowledged && !refused_for_good) CHECK(r.reply.positive_completion() == (delivered[i] == 1));
    }
    if (delivered[i] && !o.data_acknowledged) CHECK(o.data_sent);
    if (!o.data_sent) CHECK(delivered[i] == 0);
  }
}

}  // namespace

TEST_CASE("fail at every point: cut the connection after every k bytes", "[smtp][failpoint]") {
  for (const Setup setup : {Setup{true, false}, Setup{false, false}, Setup{true, true}}) {
    INFO("pipelining " << setup.pipelining << " auth " << setup.auth);
    std::size_t total = 0;
    {
      Session s(setup);
      Pump p(*s.client, *s.server);
      REQUIRE(p.run());
      check_invariants(s);
      REQUIRE(s.handler.delivered.size() == 2);
      CHECK(s.client->outcomes()[0].data_acknowledged);
      CHECK(s.client->outcomes()[1].data_acknowledged);
      total = p.moved;
    }
    REQUIRE(total > 300);
    int complete = 0, acknowledged_only_first = 0, unacknowledged_delivery = 0;
    for (std::size_t k = 0; k <= total; ++k) {
      INFO("cut after " << k << " of " << total << " bytes");
      Session s(setup);
      Pump p(*s.client, *s.server, k);
      if (p.run()) ++complete;
      check_invariants(s);
      const auto& o = s.client->outcomes();
      if (o.size() == 2 && o[0].data_acknowledged && !o[1].data_acknowledged) ++acknowledged_only_first;
      for (std::size_t i = 0; i < o.size(); ++i)
        if (o[i].data_sent && !o[i].data_acknowledged && s.handler.delivered.size() > i) ++unacknowledged_delivery;
    }
    // The loop went through every phase: whole sessions (cut only at the very end),
    // a cut between the two transactions, and a cut after the server stored a message
    // but before its 250 reached the client (the RFC 1047 case).
    CHECK(complete >= 1);
    CHECK(acknowledged_only_first > 10);
    CHECK(unacknowledged_delivery > 0);
  }
}

TEST_CASE("fail at every point: client and server timeouts after every exchange", "[smtp][failpoint][timeout]") {
  for (const Setup setup : {Setup{true, false}, Setup{false, true}}) {
    for (bool server_times_out : {false, true}) {
      for (int step = 0; step < 40; ++step) {
        INFO("pipelining " << setup.pipelining << " server timeout " << server_times_out << " step " << step);
        Session s(setup);
        for (int i = 0; i < step; ++i) {
          std::string s2c = s.server->take_output(), c2s = s.client->take_output();
          if (!s2c.empty()) s.client->receive(s2c);
          if (!c2s.empty()) s.server->receive(c2s);
        }
        if (server_times_out) {
          s.server->on_timeout();  // 421 4.4.2 then close; the client hears it (or EOF)
        } else {
          s.client->on_timeout();
          s.client->take_output();
          s.server->receive_eof();
        }
        Pump p(*s.client, *s.server);
        p.run();
        check_invariants(s);
        if (server_times_out && !s.client->outcomes()[1].data_acknowledged) {
          const auto& r = s.client->outcomes()[1].rcpts[0].reply;
          CHECK(r.code == 421);
        }
      }
    }
  }
}
