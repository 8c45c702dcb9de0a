// The IMAP server engine: greeting, capabilities, login rules (LOGINDISABLED, STARTTLS,
// SASL PLAIN with and without SASL-IR, failure delay and count), mailbox commands and
// their response codes, bad input. Exact response lines as RFC 9051 writes them.
#include "protocols/imap/server_session.hpp"

#include <catch2/catch.hpp>

#include "imap_test_support.hpp"
#include "protocols/message/base64.hpp"

using namespace maillab;
using namespace maillab::imap;
using namespace maillab::imap::test;

TEST_CASE("greeting, CAPABILITY, LOGIN, LOGOUT", "[imap][server]") {
  TestHost host;
  Conn c(host);
  CHECK(c.greeting ==
        "* OK [CAPABILITY IMAP4rev1 IMAP4rev2 SASL-IR LITERAL+ ID ENABLE IDLE AUTH=PLAIN] mx.b.example IMAP4rev2 "
        "server ready\r\n");
  CHECK(c.cmd("a1 CAPABILITY") ==
        "* CAPABILITY IMAP4rev1 IMAP4rev2 SASL-IR LITERAL+ ID ENABLE IDLE AUTH=PLAIN\r\na1 OK Capability completed.\r\n");
  CHECK(c.cmd("a2 SELECT INBOX") == "a2 BAD Command not valid before login.\r\n");
  const std::string ok = c.login();
  CHECK(ok.rfind("L1 OK [CAPABILITY IMAP4rev1 IMAP4rev2 SASL-IR LITERAL+ ID ENABLE IDLE NAMESPACE UNSELECT UIDPLUS MOVE", 0) == 0);
  CHECK(ok.find("] Logged in\r\n") != std::string::npos);
  CHECK(c.s.state() == ServerSession::State::Authenticated);
  CHECK(c.cmd("a3 LOGIN bob builder") == "a3 BAD Command not valid in this state.\r\n");
  CHECK(c.cmd("a4 NOOP") == "a4 OK NOOP completed.\r\n");
  CHECK(c.cmd("a5 LOGOUT") == "* BYE Logging out\r\na5 OK Logout completed.\r\n");
  CHECK(c.s.closed());
  CHECK(c.s.timeout().count() == 0);
  CHECK(host.exchanges.back().first == "a5 LOGOUT");
  // The password never reaches the trace.
  for (const auto& [command, status] : host.exchanges) CHECK(command.find("builder") == std::string::npos);
}

TEST_CASE("failed logins: delayed, counted, then BYE; empty passwords never checked", "[imap][server][auth]") {
  TestHost host;
  ServerConfig cfg = quick_config();
  cfg.auth_failure_delay = std::chrono::milliseconds(2000);
  Conn c(host, cfg);
  // The NO waits for the delay, and so does the command pipelined after it.
  CHECK(c.cmd("a1 LOGIN bob wrong\r\na2 NOOP").empty());
  CHECK(c.s.timeout() == std::chrono::milliseconds(2000));
  host.now += 1'000'000'000;
  c.s.on_timeout();  // early: nothing yet
  CHECK(c.s.take_output().empty());
  CHECK(c.s.timeout() == std::chrono::milliseconds(1000));
  host.now += 1'000'000'000;
  c.s.on_timeout();
  CHECK(c.s.take_output() == "a1 NO [AUTHENTICATIONFAILED] Authentication failed.\r\na2 OK NOOP completed.\r\n");
  CHECK(host.failures == 1);
  // An empty password (quoted "") fails without asking the host.
  host.passwords_checked.clear();
  c.cmd("a3 LOGIN bob \"\"");
  host.now += 2'000'000'000;
  c.s.on_timeout();
  CHECK(c.s.take_output() == "a3 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n");
  CHECK(host.passwords_checked.empty());
  c.cmd("a4 LOGIN alice nope");
  host.now += 2'000'000'000;
  c.s.on_timeout();
  CHECK(c.s.take_output() ==
        "a4 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n* BYE Too many invalid authentication attempts.\r\n");
  CHECK(c.s.closed());
  CHECK(host.failures == 3);
}

TEST_CASE("AUTHENTICATE PLAIN with SASL-IR, with a continuation, cancelled", "[imap][server][auth]") {
  TestHost host;
  const std::string good = message::base64_encode(std::string("\0bob\0builder", 12));
  {
    Conn c(host);
    const std::string out = c.cmd("a1 AUTHENTICATE PLAIN " + good);
    CHECK(out.rfind("a1 OK [CAPABILITY ", 0) == 0);
    CHECK(host.exchanges.back().first == "a1 AUTHENTICATE PLAIN ****");
  }
  {
    Conn c(host);
    CHECK(c.cmd("a1 AUTHENTICATE PLAIN") == "+ \r\n");
    CHECK(c.cmd(good).rfind("a1 OK [CAPABILITY ", 0) == 0);
  }
  {
    Conn c(host);
    CHECK(c.cmd("a1 AUTHENTICATE PLAIN") == "+ \r\n");
    CHECK(c.cmd("*") == "a1 BAD Authentication aborted by client.\r\n");
    CHECK(c.cmd("a2 AUTHENTICATE PLAIN =") == "a2 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n");
    // Acting as someone else (an authorization identity) is refused.
    const std::string proxy = message::base64_encode(std::string("alice\0bob\0builder", 17));
    CHECK(c.cmd("a3 AUTHENTICATE PLAIN " + proxy) == "a3 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n");
    CHECK(c.cmd("a4 AUTHENTICATE CRAM-MD5") == "a4 NO Unsupported authentication mechanism.\r\n");
    CHECK(c.cmd("a5 AUTHENTICATE PLAIN !!!") == "a5 BAD Invalid base64 data in continued response.\r\n");
  }
}

TEST_CASE("LOGINDISABLED until STARTTLS; pipelined plaintext discarded", "[imap][server][tls]") {
  TestHost host;
  ServerConfig cfg = quick_config();
  cfg.starttls = true;
  cfg.plaintext_auth = false;
  Conn c(host, cfg);
  CHECK(c.greeting.find("STARTTLS LOGINDISABLED]") != std::string::npos);
  CHECK(c.greeting.find("AUTH=PLAIN") == std::string::npos);
  CHECK(c.login() ==
        "L1 NO [PRIVACYREQUIRED] Plaintext authentication disallowed on non-secure (SSL/TLS) connections.\r\n");
  CHECK(c.cmd("a1 AUTHENTICATE PLAIN =").find("a1 NO [PRIVACYREQUIRED]") == 0);
  CHECK(c.cmd("a2 STARTTLS\r\na3 LOGIN bob builder") == "a2 OK Begin TLS negotiation now.\r\n");
  CHECK(c.s.wants_tls());
  c.s.on_tls_started({});
  CHECK_FALSE(c.s.wants_tls());
  const std::string caps = c.cmd("a4 CAPABILITY");
  CHECK(caps.find("LOGINDISABLED") == std::string::npos);
  CHECK(caps.find("STARTTLS") == std::string::npos);
  CHECK(caps.find("AUTH=PLAIN") != std::string::npos);
  CHECK(c.login().rfind("L1 OK", 0) == 0);
  Conn d(host, cfg);
  d.cmd("a1 STARTTLS");
  d.s.on_tls_started({});
  CHECK(d.cmd("a2 STARTTLS") == "a2 BAD TLS is already active.\r\n");
  Conn e(host, quick_config());
  CHECK(e.cmd("a1 STARTTLS") == "a1 BAD TLS support isn't enabled.\r\n");
}

TEST_CASE("bad input: BAD and the session goes on; limits; too many in a row", "[imap][server][bad]") {
  TestHost host;
  ServerConfig cfg = quick_config();
  cfg.limits.max_line = 100;
  cfg.limits.max_literal = 10;
  Conn c(host, cfg);
  CHECK(c.cmd("") == "* BAD Error in IMAP command received by server.\r\n");
  CHECK(c.cmd("a1") == "* BAD Error in IMAP command received by server.\r\n");
  CHECK(c.cmd("a1 FROB") == "a1 BAD Error in IMAP command FROB: Unknown command.\r\n");
  CHECK(c.cmd("a2 NOOP extra") == "a2 BAD Error in IMAP command NOOP: expected end of command at column 8.\r\n");
  CHECK(c.cmd("a3 LOGIN {50}") == "a3 NO [TOOBIG] Literal too big.\r\n");  // refused before its bytes
  CHECK(c.cmd("a4 LOGIN {5}") == "+ Ready for literal data\r\n");
  CHECK(c.send("bob\r\n builder\r\n") == "a4 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n");
  CHECK(c.cmd("a5 LOGIN " + std::string(200, 'x')) == "a5 BAD Command line too long.\r\n");
  CHECK(c.cmd("a6 LOGIN {20+}\r\n01234567890123456789") == "a6 BAD [TOOBIG] Literal too big.\r\n");
  CHECK(c.cmd("a7 NOOP") == "a7 OK NOOP completed.\r\n");
  std::string out;
  for (int i = 0; i < ServerSession::kMaxBadCommands; ++i) out += c.cmd("x FROB");
  CHECK(out.find("* BYE Too many invalid IMAP commands.\r\n") != std::string::npos);
  CHECK(c.s.closed());
}

TEST_CASE("timeouts: 60 s before login, 30 minutes after (RFC 9051 5.4)", "[imap][server]") {
  TestHost host;
  ServerConfig cfg;
  Conn c(host, cfg);
  CHECK(c.s.timeout() == std::chrono::minutes(1));
  c.login();
  CHECK(c.s.timeout() == std::chrono::minutes(30));
  c.s.on_timeout();
  CHECK(c.s.take_output() == "* BYE Disconnected for inactivity.\r\n");
  CHECK(c.s.closed());
}

TEST_CASE("ID, ENABLE, NAMESPACE", "[imap][server]") {
  TestHost host;
  Conn c(host);
  CHECK(c.cmd("a1 ID (\"name\" \"imaplib\" \"version\" NIL)") == "* ID (\"name\" \"maillab\")\r\na1 OK ID completed.\r\n");
  CHECK(c.cmd("a2 ID NIL") == "* ID (\"name\" \"maillab\")\r\na2 OK ID completed.\r\n");
  CHECK(c.cmd("a3 ENABLE IMAP4rev2") == "a3 BAD Command not valid before login.\r\n");
  c.login();
  CHECK(c.cmd("a4 ENABLE IMAP4rev2 UTF8=ACCEPT CONDSTORE") ==
        "* ENABLED IMAP4rev2 UTF8=ACCEPT\r\na4 OK Enabled.\r\n");
  CHECK(c.cmd("a5 ENABLE IMAP4rev2") == "* ENABLED\r\na5 OK Enabled.\r\n");
  CHECK(c.s.rev2());
  CHECK(c.cmd("a6 NAMESPACE") == "* NAMESPACE ((\"\" \".\")) NIL NIL\r\na6 OK Namespace completed.\r\n");
}

TEST_CASE("SELECT and EXAMINE answers (RFC 3501 and RFC 9051)", "[imap][server][select]") {
  TestHost host;
  host.deliver("bob", kSimple);
  host.deliver("bob", kSimple, "INBOX", mda::Seen);
  host.deliver("bob", kSimple);
  Conn c(host);
  c.login();
  const std::uint32_t validity = host.store->folder("bob", "INBOX")->uidvalidity;
  CHECK(c.cmd("s1 SELECT inbox") ==
        "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"
        "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted.\r\n"
        "* 3 EXISTS\r\n"
        "* 3 RECENT\r\n"
        "* OK [UNSEEN 1] First unseen.\r\n"
        "* OK [UIDVALIDITY " + std::to_string(validity) + "] UIDs valid\r\n"
        "* OK [UIDNEXT 4] Predicted next UID\r\n"
        "s1 OK [READ-WRITE] Select completed.\r\n");
  CHECK(c.s.state() == ServerSession::State::Selected);
  // Recent went to the first session; EXAMINE switches and says CLOSED.
  const std::string ex = c.cmd("s2 EXAMINE INBOX");
  CHECK(lines(ex)[0] == "* OK [CLOSED] Previous mailbox closed.");
  CHECK(has_line(ex, "* OK [PERMANENTFLAGS ()] Read-only mailbox."));
  CHECK(has_line(ex, "* 0 RECENT"));
  CHECK(has_line(ex, "s2 OK [READ-ONLY] Examine completed."));
  CHECK(c.cmd("s3 SELECT Nope") == "* OK [CLOSED] Previous mailbox closed.\r\ns3 NO [NONEXISTENT] Mailbox doesn't exist.\r\n");
  CHECK(c.s.state() == ServerSession::State::Authenticated);

  // IMAP4rev2: no RECENT or UNSEEN, a LIST response instead.
  Conn d(host);
  d.login();
  d.cmd("e ENABLE IMAP4rev2");
  const std::string rev2 = d.cmd("s4 SELECT Sent");
  CHECK(rev2.find("RECENT") == std::string::npos);
  CHECK(rev2.find("UNSEEN") == std::string::npos);
  CHECK(has_line(rev2, "* 0 EXISTS"));
  CHECK(has_line(rev2, "* LIST (\\HasNoChildren \\Sent) \".\" Sent"));
  CHECK(has_line(rev2, "s4 OK [READ-WRITE] Select completed."));
}

TEST_CASE("LIST with LIST-EXTENDED, SPECIAL-USE, STATUS; LSUB", "[imap][server][list]") {
  TestHost host;
  host.deliver("bob", kSimple);
  Conn c(host);
  c.login();
  CHECK(c.cmd("c1 CREATE Work.Projects") == "c1 OK Create completed.\r\n");
  CHECK(c.cmd("l1 LIST \"\" *") ==
        "* LIST (\\HasNoChildren) \".\" INBOX\r\n"
        "* LIST (\\HasNoChildren \\Drafts) \".\" Drafts\r\n"
        "* LIST (\\HasNoChildren \\Junk) \".\" Junk\r\n"
        "* LIST (\\HasNoChildren \\Sent) \".\" Sent\r\n"
        "* LIST (\\HasNoChildren \\Trash) \".\" Trash\r\n"
        "* LIST (\\HasChildren) \".\" Work\r\n"
        "* LIST (\\HasNoChildren) \".\" Work.Projects\r\n"
        "l1 OK List completed.\r\n");
  CHECK(c.cmd("l2 LIST \"\" %") .find("Work.Projects") == std::string::npos);
  CHECK(c.cmd("l3 LIST Work. %") == "* LIST (\\HasNoChildren) \".\" Work.Projects\r\nl3 OK List completed.\r\n");
  CHECK(c.cmd("l4 LIST \"\" \"\"") == "* LIST (\\Noselect) \".\" \"\"\r\nl4 OK List completed.\r\n");
  CHECK(c.cmd("l5 LIST (SPECIAL-USE) \"\" *") ==
        "* LIST (\\HasNoChildren \\Drafts) \".\" Drafts\r\n"
        "* LIST (\\HasNoChildren \\Junk) \".\" Junk\r\n"
        "* LIST (\\HasNoChildren \\Sent) \".\" Sent\r\n"
        "* LIST (\\HasNoChildren \\Trash) \".\" Trash\r\n"
        "l5 OK List completed.\r\n");
  CHECK(c.cmd("l6 LIST \"\" INBOX RETURN (SUBSCRIBED STATUS (MESSAGES UNSEEN))") ==
        "* LIST (\\HasNoChildren \\Subscribed) \".\" INBOX\r\n"
        "* STATUS INBOX (MESSAGES 1 UNSEEN 1)\r\n"
        "l6 OK List completed.\r\n");
  CHECK(c.cmd("l7 SUBSCRIBE Work.Projects") == "l7 OK Subscribe completed.\r\n");
  CHECK(c.cmd("l8 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" %") ==
        "* LIST (\\HasNoChildren \\Subscribed) \".\" INBOX\r\n"
        "* LIST (\\HasNoChildren \\Drafts \\Subscribed) \".\" Drafts\r\n"
        "* LIST (\\HasNoChildren \\Junk \\Subscribed) \".\" Junk\r\n"
        "* LIST (\\HasNoChildren \\Sent \\Subscribed) \".\" Sent\r\n"
        "* LIST (\\HasNoChildren \\Trash \\Subscribed) \".\" Trash\r\n"
        "* LIST (\\HasChildren) \".\" Work (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n"
        "l8 OK List completed.\r\n");
  CHECK(c.cmd("l9 LSUB \"\" W*") == "* LSUB () \".\" Work.Projects\r\nl9 OK Lsub completed.\r\n");
  CHECK(c.cmd("la LIST (RECURSIVEMATCH) \"\" *") == "la BAD Error in IMAP command LIST: RECURSIVEMATCH alone.\r\n");
}

TEST_CASE("CREATE, DELETE, RENAME, SUBSCRIBE, STATUS and their response codes", "[imap][server][mailbox]") {
  TestHost host;
  host.deliver("bob", kSimple);
  Conn c(host);
  c.login();
  CHECK(c.cmd("a CREATE Archive.") == "a OK Create completed.\r\n");
  CHECK(c.cmd("b CREATE Archive") == "b NO [ALREADYEXISTS] Mailbox already exists.\r\n");
  CHECK(c.cmd("c CREATE INBOX") == "c NO [ALREADYEXISTS] Mailbox already exists.\r\n");
  CHECK(c.cmd("d CREATE \"a/b\"") == "d NO [CANNOT] Invalid mailbox name.\r\n");
  CHECK(c.cmd("e DELETE INBOX") == "e NO [CANNOT] INBOX can't be deleted.\r\n");
  CHECK(c.cmd("f DELETE Nope") == "f NO [NONEXISTENT] Mailbox doesn't exist.\r\n");
  CHECK(c.cmd("g RENAME Archive Old") == "g OK Rename completed.\r\n");
  CHECK(c.cmd("h RENAME Old Sent") == "h NO [ALREADYEXISTS] Mailbox already exists.\r\n");
  CHECK(c.cmd("i SUBSCRIBE Nope") == "i NO [NONEXISTENT] Mailbox doesn't exist.\r\n");
  CHECK(c.cmd("j UNSUBSCRIBE Nope") == "j OK Unsubscribe completed.\r\n");
  CHECK(c.cmd("k STATUS INBOX (MESSAGES UIDNEXT UNSEEN DELETED SIZE RECENT)") ==
        "* STATUS INBOX (MESSAGES 1 UIDNEXT 2 UNSEEN 1 DELETED 0 SIZE " + std::to_string(std::string(kSimple).size()) +
            " RECENT 1)\r\nk OK Status completed.\r\n");
  CHECK(c.cmd("l STATUS INBOX (FOO)") == "l BAD Error in IMAP command STATUS: expected status item at column 17.\r\n");
  CHECK(c.cmd("m DELETE Old") == "m OK Delete completed.\r\n");
  // Modified UTF-7 names for IMAP4rev1 clients, UTF-8 once UTF8=ACCEPT is enabled.
  CHECK(c.cmd("n CREATE Entw&APw-rfe") == "n OK Create completed.\r\n");
  CHECK(host.store->folder("bob", "Entw\xc3\xbcrfe") != nullptr);
  CHECK(c.cmd("o CREATE &Jjo!") == "o NO [CANNOT] Mailbox name is not valid mUTF-7.\r\n");
  CHECK(has_line(c.cmd("p LIST \"\" Entw*"), "* LIST (\\HasNoChildren) \".\" Entw&APw-rfe"));
  c.cmd("q ENABLE UTF8=ACCEPT");
  CHECK(has_line(c.cmd("r LIST \"\" Entw*"), "* LIST (\\HasNoChildren) \".\" \"Entw\xc3\xbcrfe\""));
}

TEST_CASE("APPEND: flags, date, APPENDUID, TRYCREATE, literal limits", "[imap][server][append]") {
  TestHost host;
  ServerConfig cfg = quick_config();
  cfg.limits.max_append_literal = 1000;
  Conn c(host, cfg);
  c.login();
  const std::string msg = "Subject: saved\r\n\r\nbody\r\n";
  const std::uint32_t validity = host.store->folder("bob", "Sent")->uidvalidity;
  CHECK(c.cmd("a1 APPEND Sent (\\Seen $Sent) \"17-Jul-1996 02:44:25 -0700\" {" + std::to_string(msg.size()) + "}") ==
        "+ Ready for literal data\r\n");
  CHECK(c.send(msg + "\r\n") == "a1 OK [APPENDUID " + std::to_string(validity) + " 1] Append completed.\r\n");
  const mda::Folder* sent = host.store->folder("bob", "Sent");
  REQUIRE(sent->messages.size() == 1);
  CHECK(sent->messages[0].flags == mda::Seen);
  CHECK(sent->keywords == std::vector<std::string>{"$Sent"});
  CHECK(sent->messages[0].internal_date == 837596665);
  // LITERAL+: no round trip.
  CHECK(c.cmd("a2 APPEND INBOX {" + std::to_string(msg.size()) + "+}\r\n" + msg) .find("a2 OK [APPENDUID") == 0);
  CHECK(c.cmd("a3 APPEND Nope {1+}\r\nx") == "a3 NO [TRYCREATE] Mailbox doesn't exist.\r\n");
  CHECK(c.cmd("a4 APPEND INBOX {1001}") == "a4 NO [TOOBIG] Literal too big.\r\n");
  CHECK(c.cmd("a5 APPEND INBOX {0+}\r\n") == "a5 NO Can't save a zero byte message.\r\n");
  CHECK(c.cmd("a6 APPEND INBOX (\\Bogus) {1+}\r\nx") == "a6 BAD Invalid system flag \\Bogus.\r\n");
  CHECK(c.cmd("a8 APPEND INBOX \"17-Jul-5996 02:44:25 -0700\" {1+}\r\nx") == "a8 NO [CANNOT] Date out of range.\r\n");
  // Bare LF line ends are stored as CRLF.
  c.cmd("a7 APPEND INBOX {12+}\r\nSubject: x\n\n");
  const mda::Folder* inbox = host.store->folder("bob", "INBOX");
  CHECK(*host.store->content("bob", inbox->id, inbox->messages.back().uid) == "Subject: x\r\n\r\n");
}
