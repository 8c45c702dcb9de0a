// Updates between sessions through the shared store: EXISTS, RECENT, FETCH FLAGS and
// EXPUNGE as RFC 9051 7.5.1 orders them (no EXPUNGE while answering FETCH, STORE or
// SEARCH by sequence number), at once during IDLE (RFC 2177), and a deleted mailbox.
#include <catch2/catch.hpp>

#include "imap_test_support.hpp"

using namespace maillab;
using namespace maillab::imap;
using namespace maillab::imap::test;

namespace {

struct TwoSessions {
  TestHost host;
  Conn a{host};
  Conn b{host};
  TwoSessions() {
    host.deliver("bob", kSimple);
    host.deliver("bob", kSimple);
    a.login();
    b.login();
    a.cmd("s SELECT INBOX");
    b.cmd("s SELECT INBOX");
  }
};

}  // namespace

TEST_CASE("another session's APPEND, STORE and EXPUNGE reach a session at its next command", "[imap][updates]") {
  TwoSessions t;
  const std::string msg = "Subject: new\r\n\r\n";
  t.b.cmd("a APPEND INBOX {" + std::to_string(msg.size()) + "+}\r\n" + msg);
  CHECK(t.a.cmd("n1 NOOP") == "* 3 EXISTS\r\n* 2 RECENT\r\nn1 OK NOOP completed.\r\n");
  t.b.cmd("f STORE 1 +FLAGS.SILENT (\\Seen)");
  CHECK(t.a.cmd("n2 NOOP") == "* 1 FETCH (FLAGS (\\Seen \\Recent))\r\nn2 OK NOOP completed.\r\n");
  // B expunges message 1 and a new one arrives: A's FETCH tells neither the EXPUNGE
  // (RFC 9051 7.5.1) nor hides the message count.
  t.b.cmd("d STORE 1 +FLAGS.SILENT (\\Deleted)");
  t.b.cmd("x EXPUNGE");
  t.host.deliver("bob", kSimple);
  CHECK(t.a.cmd("f1 FETCH 1:2 FLAGS") ==
        "* 2 FETCH (FLAGS (\\Recent))\r\n* 4 EXISTS\r\n* 3 RECENT\r\n"
        "f1 NO [EXPUNGEISSUED] Some of the requested messages no longer exist.\r\n");
  CHECK(t.a.cmd("t STORE 2 +FLAGS.SILENT (\\Flagged)") == "t OK Store completed.\r\n");
  CHECK(lines(t.a.cmd("q SEARCH ALL"))[0] == "* SEARCH 2 3 4");
  CHECK(t.a.cmd("n3 NOOP") == "* 1 EXPUNGE\r\nn3 OK NOOP completed.\r\n");
  CHECK(t.a.cmd("u UID FETCH 1:* UID") ==
        "* 1 FETCH (UID 2)\r\n* 2 FETCH (UID 3)\r\n* 3 FETCH (UID 4)\r\nu OK Fetch completed.\r\n");
  // B sees A's flag with the UID during a UID command.
  CHECK(t.b.cmd("v UID FETCH 2 UID") == "* 1 FETCH (UID 2)\r\n* 1 FETCH (UID 2 FLAGS (\\Flagged))\r\n* 3 EXISTS\r\n"
                                        "* 1 RECENT\r\nv OK Fetch completed.\r\n");
}

TEST_CASE("IDLE: updates are pushed at once; DONE ends it", "[imap][updates][idle]") {
  TwoSessions t;
  CHECK(t.a.cmd("i IDLE") == "+ idling\r\n");
  CHECK(t.a.s.idling());
  t.host.deliver("bob", kSimple);
  CHECK(t.host.output_ready == 1);
  CHECK(t.a.s.take_output() == "* 3 EXISTS\r\n* 3 RECENT\r\n");
  t.b.cmd("f STORE 1 +FLAGS.SILENT (\\Seen)");
  CHECK(t.a.s.take_output() == "* 1 FETCH (FLAGS (\\Seen \\Recent))\r\n");
  t.b.cmd("d STORE 2 +FLAGS.SILENT (\\Deleted)");
  t.a.s.take_output();
  t.b.cmd("x EXPUNGE");
  CHECK(t.a.s.take_output() == "* 2 EXPUNGE\r\n");
  // Changes in another folder or of another user say nothing.
  const int before = t.host.output_ready;
  t.host.deliver("bob", kSimple, "Sent");
  t.host.deliver("alice", kSimple);
  CHECK(t.host.output_ready == before);
  CHECK(t.a.cmd("DONE") == "i OK Idle completed.\r\n");
  CHECK_FALSE(t.a.s.idling());
  CHECK(t.host.exchanges.back() == std::make_pair(std::string("i IDLE"), std::string("i OK Idle completed.")));
  // Anything but DONE ends IDLE with BAD.
  t.a.cmd("j IDLE");
  CHECK(t.a.cmd("j2 NOOP") == "j BAD Expected DONE.\r\n");
  // IDLE also works with no mailbox selected (nothing to report).
  Conn c(t.host);
  c.login();
  CHECK(c.cmd("k IDLE") == "+ idling\r\n");
  t.host.deliver("bob", kSimple);
  CHECK(c.s.take_output().empty());
  CHECK(c.cmd("done") == "k OK Idle completed.\r\n");
}

TEST_CASE("\\Recent goes to the first session; a deleted mailbox ends the session", "[imap][updates]") {
  TestHost host;
  host.deliver("bob", kSimple);
  Conn a(host), b(host);
  a.login();
  b.login();
  CHECK(has_line(a.cmd("s SELECT INBOX"), "* 1 RECENT"));
  CHECK(has_line(b.cmd("s SELECT INBOX"), "* 0 RECENT"));
  a.cmd("c CREATE Temp");
  b.cmd("s SELECT Temp");
  a.cmd("d DELETE Temp");
  CHECK(b.cmd("n NOOP") == "* BYE Selected mailbox was deleted, have to disconnect.\r\n");
  CHECK(b.s.closed());
  // A session deleting its own selected mailbox just leaves it.
  a.cmd("c CREATE Temp2");
  a.cmd("s SELECT Temp2");
  CHECK(a.cmd("d DELETE Temp2") == "d OK Delete completed.\r\n");
  CHECK(a.s.state() == ServerSession::State::Authenticated);
}
