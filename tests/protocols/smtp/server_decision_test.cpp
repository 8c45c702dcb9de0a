// Decisions the host cannot make at once (ServerHandler::pending(), ServerSession::decide):
// the session waits, pipelined commands behind it wait in order, any split of the input
// gives the same replies, and a decision that never comes is a 451, never a hang.
#include <catch2/catch.hpp>

#include <deque>

#include "smtp_test_support.hpp"

using namespace maillab::smtp;
using namespace maillab::smtp::test;

namespace {

// A host whose MAIL and end-of-DATA checks answer later (as SPF and DKIM do, over DNS):
// each pending hook queues what it will say; the test decides when.
class SlowHandler : public RecordingHandler {
 public:
  bool slow_helo = false, slow_mail = true, slow_rcpt = false, slow_data = false, slow_message = true;
  std::deque<Reply> owed;  // decisions in the order the hooks were asked
  int abandoned = 0;

  Reply on_helo(std::string_view domain, bool esmtp) override {
    return later(slow_helo, RecordingHandler::on_helo(domain, esmtp));
  }
  Reply on_mail(const Envelope& e, const Path& from, const MailParams& p) override {
    Reply r = from.address() == "forger@a.example"
                  ? Reply::make(550, "5.7.23", "SPF says no")
                  : RecordingHandler::on_mail(e, from, p);
    return later(slow_mail, std::move(r));
  }
  Reply on_rcpt(const Envelope& e, const Recipient& r) override {
    return later(slow_rcpt, RecordingHandler::on_rcpt(e, r));
  }
  Reply on_data(const Envelope& e) override { return later(slow_data, RecordingHandler::on_data(e)); }
  Reply on_message(const Envelope& e, std::string content) override {
    return later(slow_message, RecordingHandler::on_message(e, std::move(content)));
  }
  void on_abandoned() override {
    ++abandoned;
    owed.clear();
  }

 private:
  Reply later(bool slow, Reply r) {
    if (!slow) return r;
    owed.push_back(std::move(r));
    return pending();
  }
};

// Feeds `input` in pieces of `chunk` bytes, deciding whatever is owed after each piece
// (the decisions arrive between reads, as DNS answers do), and returns the replies.
std::string run_split(SlowHandler& h, std::string_view input, std::size_t chunk) {
  ServerSession s(server_config(), h);
  std::string out = s.take_output();
  auto settle = [&] {
    while (s.deciding() && !h.owed.empty()) {
      Reply r = std::move(h.owed.front());
      h.owed.pop_front();
      s.decide(std::move(r));
    }
  };
  for (std::size_t at = 0; at < input.size(); at += chunk) {
    s.receive(input.substr(at, chunk));
    settle();
  }
  settle();
  return out + s.take_output();
}

const std::string kScript =
    "EHLO c.example\r\n"
    "MAIL FROM:<alice@a.example>\r\n"
    "RCPT TO:<bob@b.example>\r\n"
    "DATA\r\n"
    "Subject: one\r\n\r\nfirst\r\n.\r\n"
    "MAIL FROM:<forger@a.example>\r\n"
    "RCPT TO:<bob@b.example>\r\n"
    "MAIL FROM:<carol@a.example>\r\n"
    "RCPT TO:<bob@b.example>\r\n"
    "DATA\r\n"
    "Subject: two\r\n\r\nsecond\r\n.\r\n"
    "QUIT\r\n";

}  // namespace

TEST_CASE("a pending MAIL holds the pipelined commands behind it until the decision", "[smtp][server][decision]") {
  SlowHandler h;
  ServerSession s(server_config(), h);
  s.take_output();
  s.receive("EHLO c.example\r\nMAIL FROM:<alice@a.example>\r\nRCPT TO:<bob@b.example>\r\nDATA\r\n");
  // EHLO answered, MAIL waits: nothing after it is read, RCPT is not even asked.
  CHECK(codes_of(s.take_output()) == std::vector<int>{250});
  REQUIRE(s.deciding());
  CHECK(s.paused());
  CHECK(s.timeout() == server_config().decision_timeout);
  CHECK(s.state() == ServerSession::State::Ready);
  const std::size_t traced = h.exchanges.size();
  s.receive("Subject: x\r\n\r\nbody\r\n.\r\n");  // more pipelined input keeps waiting
  CHECK(s.take_output().empty());
  CHECK(h.exchanges.size() == traced);
  s.decide(h.owed.front());
  h.owed.pop_front();
  // MAIL's 250, then RCPT and DATA as if they had just come; the content waits on the
  // end-of-data decision.
  CHECK(s.take_output() == "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n");
  REQUIRE(s.deciding());
  CHECK(h.delivered.size() == 1);  // the host has the message, the client no reply yet
  s.decide(h.owed.front());
  h.owed.pop_front();
  CHECK(s.take_output() == "250 2.0.0 Ok: queued\r\n");
  CHECK_FALSE(s.deciding());
  CHECK(s.state() == ServerSession::State::Ready);
  CHECK(h.exchanges.back().first == "<data>");  // traced with the command it answers
  CHECK(h.abandoned == 0);
}

TEST_CASE("decisions later give the same replies for every split of a pipelined script",
          "[smtp][server][decision]") {
  SlowHandler whole_handler;
  const std::string whole = run_split(whole_handler, kScript, kScript.size());
  CHECK(codes_of(whole) == std::vector<int>{220, 250, 250, 250, 354, 250, 550, 503, 250, 250, 354, 250, 221});
  CHECK(whole_handler.delivered.size() == 2);
  for (std::size_t chunk : {1u, 2u, 3u, 7u, 13u, 64u}) {
    SlowHandler h;
    CHECK(run_split(h, kScript, chunk) == whole);
    CHECK(h.delivered.size() == 2);
  }
  // And the same when every hook answers at once: pending changes when, never what.
  SlowHandler quick;
  quick.slow_mail = quick.slow_message = false;
  CHECK(run_split(quick, kScript, 5) == whole);
}

TEST_CASE("every hook may wait: HELO, RCPT and DATA too", "[smtp][server][decision]") {
  SlowHandler h;
  h.slow_helo = h.slow_rcpt = h.slow_data = true;
  const std::string out = run_split(h, kScript, 1);
  SlowHandler reference;
  CHECK(out == run_split(reference, kScript, kScript.size()));
}

TEST_CASE("a decision that never comes is a 451 and the session goes on", "[smtp][server][decision]") {
  SlowHandler h;
  ServerSession s(server_config(), h);
  s.take_output();
  s.receive("EHLO c.example\r\nMAIL FROM:<alice@a.example>\r\nNOOP\r\n");
  CHECK(codes_of(s.take_output()) == std::vector<int>{250});
  REQUIRE(s.deciding());
  s.on_timeout();
  CHECK(h.abandoned == 1);
  CHECK(h.owed.empty());
  // The 451 answers MAIL, then the NOOP that waited behind it is read.
  CHECK(s.take_output() ==
        "451 4.7.1 Error: the check of this command timed out; try again later\r\n250 2.0.0 Ok\r\n");
  CHECK_FALSE(s.deciding());
  CHECK_FALSE(s.closed());
  CHECK(s.timeout() == server_config().command_timeout);
  CHECK(s.error_count() == 1);
  // No transaction was opened: RCPT is out of order, a new MAIL works.
  s.receive("RCPT TO:<bob@b.example>\r\n");
  CHECK(s.take_output() == "503 5.5.1 Error: need MAIL command\r\n");
  h.slow_mail = false;
  s.receive("MAIL FROM:<alice@a.example>\r\n");
  CHECK(s.take_output() == "250 2.1.0 Ok\r\n");
}

TEST_CASE("a timeout at the end of DATA refuses the message for now", "[smtp][server][decision]") {
  SlowHandler h;
  h.slow_mail = false;
  ServerSession s(server_config(), h);
  s.take_output();
  s.receive("EHLO c.example\r\nMAIL FROM:<a@a.example>\r\nRCPT TO:<b@b.example>\r\nDATA\r\nx\r\n.\r\nRSET\r\n");
  CHECK(codes_of(s.take_output()) == std::vector<int>{250, 250, 250, 354});
  REQUIRE(s.deciding());
  s.on_timeout();
  CHECK(codes_of(s.take_output()) == std::vector<int>{451, 250});
  CHECK(s.envelope().rcpts.empty());  // the transaction ended with the 451
  CHECK(s.state() == ServerSession::State::Ready);
}

TEST_CASE("a client leaving or flooding while a decision is awaited", "[smtp][server][decision]") {
  SECTION("EOF abandons the decision") {
    SlowHandler h;
    ServerSession s(server_config(), h);
    s.receive("EHLO c.example\r\nMAIL FROM:<a@a.example>\r\n");
    REQUIRE(s.deciding());
    s.receive_eof();
    CHECK(h.abandoned == 1);
    CHECK_FALSE(s.deciding());
    CHECK(s.closed());
  }
  SECTION("input past the bound is cut off with 421") {
    SlowHandler h;
    ServerSession s(server_config(), h);
    s.take_output();
    s.receive("EHLO c.example\r\nMAIL FROM:<a@a.example>\r\n");
    s.take_output();
    REQUIRE(s.deciding());
    const std::string junk(ServerSession::kMaxHeldInput, 'x');
    s.receive(junk);
    CHECK(s.take_output().empty());
    s.receive(junk);
    CHECK(s.take_output() == "421 4.7.0 mx.example.org Error: too much pipelined input\r\n");
    CHECK(s.closed());
    CHECK(h.abandoned == 1);
  }
}

TEST_CASE("a decided reply past the soft error limit still waits its error sleep", "[smtp][server][decision]") {
  SlowHandler h;
  ServerConfig cfg = server_config();
  cfg.soft_error_limit = 1;
  ServerSession s(cfg, h);
  s.take_output();
  s.receive("EHLO c.example\r\nFOO\r\nMAIL FROM:<forger@a.example>\r\n");
  CHECK(codes_of(s.take_output()) == std::vector<int>{250, 500});
  REQUIRE(s.deciding());
  s.decide(h.owed.front());
  // The 550 is an error past the soft limit: held for error_sleep_time like any other.
  CHECK(s.take_output().empty());
  CHECK(s.paused());
  CHECK_FALSE(s.deciding());
  CHECK(s.timeout() == cfg.error_sleep_time);
  s.on_timeout();
  CHECK(s.take_output() == "550 5.7.23 SPF says no\r\n");
}
