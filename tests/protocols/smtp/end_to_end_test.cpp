// ClientSession paired with ServerSession in memory: the whole conversation, checked
// from both ends.
#include <catch2/catch.hpp>

#include "smtp_test_support.hpp"

using namespace maillab::smtp;
using namespace maillab::smtp::test;

namespace {

struct Pair {
  RecordingHandler handler;
  ServerConfig server_cfg = server_config();
  ClientConfig client_cfg = client_config();
  std::unique_ptr<ServerSession> server;
  std::unique_ptr<ClientSession> client;
  std::vector<std::string> client_trace;

  void start() {
    server = std::make_unique<ServerSession>(server_cfg, handler);
    client = std::make_unique<ClientSession>(client_cfg);
    client->on_exchange = [this](std::string_view line, const Reply& r) {
      client_trace.push_back(std::string(line) + " -> " + std::to_string(r.code));
    };
  }
  Pump run() {
    Pump p{*client, *server};
    p.run();
    return p;
  }
};

std::string expected_delivery(const std::string& content) {
  if (content.empty() || content.back() == '\n') return content;
  return content + "\r\n";
}

}  // namespace

TEST_CASE("end to end: content is delivered byte-exact", "[smtp][e2e]") {
  const std::string contents[] = {
      "Subject: hello\r\n\r\nHi Bob.\r\n",
      "",
      "no final CRLF",
      ".\r\n",
      "..\r\n.leading dot\r\n...\r\n. \r\nend\r\n",
      "From: a\r\n\r\n.\r\n\r\n.\r\n",
      "\r\n\r\n\r\n",
      "8-bit: caf\xc3\xa9 \xff\r\n",
      std::string(5000, 'L') + "\r\n" + std::string(3, '.') + "\r\n",
  };
  for (bool chunking : {false, true}) {
    for (bool pipelining : {true, false}) {
      for (const auto& content : contents) {
        INFO("chunking " << chunking << " pipelining " << pipelining << " content " << content.substr(0, 40));
        Pair p;
        p.server_cfg.pipelining = pipelining;
        p.client_cfg.chunking = chunking;  // BDAT (RFC 3030) delivers the same bytes as DATA
        p.start();
        p.client->add(message("alice@example.net", {"bob@example.org"}, content));
        p.client->finish();
        p.run();
        CHECK(p.client->closed());
        CHECK(p.server->closed());
        REQUIRE(p.handler.delivered.size() == 1);
        CHECK(p.handler.delivered[0].content == expected_delivery(content));
        CHECK(p.handler.delivered[0].envelope.mail_from.address() == "alice@example.net");
        REQUIRE(p.client->outcomes().size() == 1);
        const auto& o = p.client->outcomes()[0];
        CHECK(o.data_acknowledged);
        CHECK(o.rcpts[0].reply.summary() == "250 2.0.0 Ok: queued");
        const bool eight_bit = has_8bit(content);
        CHECK((p.handler.delivered[0].envelope.mail_params.body == Body::EightBitMime) == eight_bit);
        CHECK(p.handler.delivered[0].envelope.mail_params.size == content.size());
        CHECK((p.client_trace[4].rfind("BDAT ", 0) == 0) == chunking);
      }
    }
  }
}

TEST_CASE("end to end: several recipients, one refused with 550 5.1.1", "[smtp][e2e]") {
  for (bool pipelining : {true, false}) {
    Pair p;
    p.server_cfg.pipelining = pipelining;
    p.handler.unknown_users.insert("nobody@example.org");
    p.start();
    p.client->add(message("alice@example.net", {"bob@example.org", "nobody@example.org", "carol@example.org"}, "x\r\n"));
    p.client->finish();
    p.run();
    REQUIRE(p.handler.delivered.size() == 1);
    const auto& rcpts = p.handler.delivered[0].envelope.rcpts;
    REQUIRE(rcpts.size() == 2);
    CHECK(rcpts[0].path.address() == "bob@example.org");
    CHECK(rcpts[1].path.address() == "carol@example.org");
    const auto& o = p.client->outcomes().at(0);
    CHECK(o.rcpts[0].reply.code == 250);
    CHECK(o.rcpts[1].reply.summary() == "550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown");
    CHECK(o.rcpts[2].reply.code == 250);
  }
}

TEST_CASE("end to end: connection reuse with two transactions, pipelining on and off", "[smtp][e2e]") {
  int round_trips[2] = {0, 0};
  for (bool pipelining : {true, false}) {
    INFO("pipelining " << pipelining);
    Pair p;
    p.client_cfg.pipelining = pipelining;
    p.start();
    p.client->add(message("a@x.example", {"b@y.example", "c@y.example"}, "first\r\n"));
    p.client->add(message("", {"d@y.example"}, "second (a bounce)\r\n"));
    p.client->finish();
    Pump pump = p.run();
    REQUIRE(p.handler.delivered.size() == 2);
    CHECK(p.handler.delivered[0].content == "first\r\n");
    CHECK(p.handler.delivered[1].content == "second (a bounce)\r\n");
    CHECK(p.handler.delivered[1].envelope.mail_from.is_null());
    REQUIRE(p.client->outcomes().size() == 2);
    for (const auto& o : p.client->outcomes()) {
      CHECK(o.data_acknowledged);
      for (const auto& r : o.rcpts) CHECK(r.reply.code == 250);
    }
    CHECK(pump.client_sent.find("RSET") == std::string::npos);
    // Fewer round trips with pipelining: MAIL+RCPT+RCPT+DATA travel together.
    CHECK(pump.client_sent.find(pipelining ? "SIZE=7\r\nRCPT TO:<b@y.example>\r\nRCPT TO:<c@y.example>\r\nDATA\r\n"
                                           : "MAIL FROM:<a@x.example> SIZE=7\r\n") != std::string::npos);
    round_trips[pipelining] = pump.round_trips;
  }
  CHECK(round_trips[1] < round_trips[0]);
}

TEST_CASE("end to end: the client uses one command at a time when the server has no PIPELINING", "[smtp][e2e]") {
  Pair p;
  p.server_cfg.pipelining = false;
  p.start();
  p.client->add(message("a@x.example", {"b@y.example", "c@y.example"}, "x\r\n"));
  p.client->finish();
  Pump pump = p.run();
  // One command per write; only the content (ending with the dot) spans lines.
  for (const auto& write : pump.client_writes)
    if (write != "x\r\n.\r\n") CHECK(write.find("\r\n") == write.size() - 2);
  CHECK(pump.client_writes.size() == 7);
  CHECK(p.handler.delivered.size() == 1);
  CHECK(p.client_trace == std::vector<std::string>{" -> 220", "EHLO client.example.net -> 250",
                                                   "MAIL FROM:<a@x.example> SIZE=3 -> 250",
                                                   "RCPT TO:<b@y.example> -> 250", "RCPT TO:<c@y.example> -> 250",
                                                   "DATA -> 354", "<data> -> 250", "QUIT -> 221"});
}

TEST_CASE("end to end: AUTH PLAIN and LOGIN, success and failure", "[smtp][e2e][auth]") {
  struct Case {
    std::vector<std::string> mechanisms;
    std::string password;
    bool ok;
  } cases[] = {{{"PLAIN", "LOGIN"}, "secret", true},
               {{"LOGIN"}, "secret", true},
               {{"PLAIN", "LOGIN"}, "wrong", false},
               {{"LOGIN"}, "wrong", false}};
  for (const auto& c : cases) {
    INFO(c.mechanisms.size() << " " << c.password);
    Pair p;
    p.server_cfg.auth_mechanisms = c.mechanisms;
    p.server_cfg.auth_required = true;
    p.handler.passwords["bob"] = "secret";
    p.client_cfg.auth = std::make_pair(std::string("bob"), c.password);
    p.start();
    p.client->add(message("bob@example.org", {"x@y.example"}, "hi\r\n"));
    p.client->finish();
    p.run();
    CHECK(p.client->authenticated() == c.ok);
    CHECK(p.client->closed());
    const auto& o = p.client->outcomes().at(0);
    if (c.ok) {
      REQUIRE(p.handler.delivered.size() == 1);
      CHECK(p.handler.delivered[0].envelope.auth_user == "bob");
      CHECK(o.rcpts[0].reply.code == 250);
    } else {
      CHECK(p.handler.delivered.empty());
      CHECK(o.rcpts[0].reply.summary() == "535 5.7.8 Error: authentication failed");
    }
  }
  // Without credentials the submission server refuses MAIL.
  Pair p;
  p.server_cfg.auth_mechanisms = {"PLAIN"};
  p.server_cfg.auth_required = true;
  p.start();
  p.client->add(message("bob@example.org", {"x@y.example"}, "hi\r\n"));
  p.client->finish();
  p.run();
  CHECK(p.client->outcomes().at(0).rcpts[0].reply.summary() == "530 5.7.0 Authentication required");
}

TEST_CASE("end to end: HELO fallback against a server that refuses EHLO", "[smtp][e2e]") {
  Pair p;
  p.handler.ehlo_reply = Reply::make(502, "5.5.1", "Error: command not implemented");
  p.start();
  OutgoingMessage m = message("a@x.example", {"b@y.example"}, "plain old SMTP\r\n");
  m.rcpts[0].params.notify = RcptParams::notify_never;
  p.client->add(m);
  p.client->finish();
  Pump pump = p.run();
  REQUIRE(p.handler.delivered.size() == 1);
  CHECK_FALSE(p.handler.delivered[0].envelope.esmtp);
  CHECK(p.handler.delivered[0].content == "plain old SMTP\r\n");
  CHECK(pump.client_sent.find("HELO client.example.net\r\nMAIL FROM:<a@x.example>\r\nRCPT TO:<b@y.example>\r\n") !=
        std::string::npos);
}

TEST_CASE("end to end: the server's size limit and DATA refusal reach the client", "[smtp][e2e]") {
  Pair p;
  p.server_cfg.size_limit = 50;
  p.start();
  p.client->add(message("a@x.example", {"b@y.example"}, std::string(100, 'x')));
  p.client->add(message("a@x.example", {"b@y.example"}, "fits\r\n"));
  p.client->finish();
  Pump pump = p.run();
  REQUIRE(p.client->outcomes().size() == 2);
  CHECK(p.client->outcomes()[0].rcpts[0].reply.code == 552);
  CHECK_FALSE(p.client->outcomes()[0].data_sent);
  CHECK(p.client->outcomes()[1].rcpts[0].reply.code == 250);
  CHECK(pump.client_sent.find(std::string(100, 'x')) == std::string::npos);

  Pair q;
  q.handler.data_reply = Reply::make(554, "5.7.1", "Message refused");
  q.start();
  q.client->add(message("a@x.example", {"b@y.example"}, "x\r\n"));
  q.client->add(message("a@x.example", {"c@y.example"}, "x\r\n"));
  q.client->finish();
  Pump qp = q.run();
  REQUIRE(q.client->outcomes().size() == 2);
  CHECK(q.client->outcomes()[0].rcpts[0].reply.summary() == "554 5.7.1 Message refused");
  CHECK(q.client->outcomes()[1].rcpts[0].reply.summary() == "554 5.7.1 Message refused");
  CHECK(qp.client_sent.find("RSET\r\nMAIL") != std::string::npos);
  CHECK(q.handler.delivered.empty());
  CHECK(q.server->error_count() == 2);
}
