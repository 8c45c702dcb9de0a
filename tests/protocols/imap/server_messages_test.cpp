// The IMAP server engine on messages: FETCH (every data item, sections, partials,
// BINARY, \Seen), STORE, SEARCH / ESEARCH, COPY / MOVE with COPYUID, EXPUNGE, CLOSE.
#include <catch2/catch.hpp>

#include <cstring>

#include "imap_test_support.hpp"

using namespace maillab;
using namespace maillab::imap;
using namespace maillab::imap::test;

namespace {

struct Selected {
  TestHost host;
  Conn c;
  explicit Selected(bool maildir = false) : host(maildir), c(host) {
    host.deliver("bob", kSimple);
    host.deliver("bob", kMultipart);
    c.login();
    c.cmd("s SELECT INBOX");
  }
};

}  // namespace

TEST_CASE("FETCH: flags, UID, size, internal date, envelope, body structure", "[imap][server][fetch]") {
  for (bool maildir : {false, true}) {
    INFO((maildir ? "maildir++" : "memory"));
    Selected t(maildir);
    const std::size_t size = std::strlen(kSimple);
    CHECK(t.c.cmd("f1 FETCH 1 (FLAGS UID RFC822.SIZE INTERNALDATE)") ==
          "* 1 FETCH (FLAGS (\\Recent) UID 1 RFC822.SIZE " + std::to_string(size) +
              " INTERNALDATE \"02-Mar-2026 09:00:00 +0000\")\r\nf1 OK Fetch completed.\r\n");
    CHECK(t.c.cmd("f2 FETCH 1 ENVELOPE") ==
          "* 1 FETCH (ENVELOPE (\"Mon, 02 Mar 2026 09:00:00 +0000\" \"Hello Bob\" ((\"Alice\" NIL \"alice\" "
          "\"a.example\")) ((\"Alice\" NIL \"alice\" \"a.example\")) ((\"Alice\" NIL \"alice\" \"a.example\")) "
          "((NIL NIL \"bob\" \"b.example\")) NIL NIL NIL \"<1@a.example>\"))\r\nf2 OK Fetch completed.\r\n");
    CHECK(t.c.cmd("f3 FETCH 1 BODYSTRUCTURE") ==
          "* 1 FETCH (BODYSTRUCTURE (\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 23 2 NIL NIL NIL "
          "NIL))\r\nf3 OK Fetch completed.\r\n");
    CHECK(t.c.cmd("f4 FETCH 2 BODYSTRUCTURE") ==
          "* 2 FETCH (BODYSTRUCTURE ((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"quoted-printable\" 17 1 "
          "NIL NIL NIL NIL)(\"application\" \"octet-stream\" (\"name\" \"x.bin\") NIL NIL \"base64\" 8 NIL "
          "(\"attachment\" (\"filename\" \"x.bin\")) NIL NIL) \"mixed\" (\"boundary\" \"b1\") NIL NIL NIL))\r\n"
          "f4 OK Fetch completed.\r\n");
    CHECK(t.c.cmd("f5 FETCH 2 BODY") ==
          "* 2 FETCH (BODY ((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"quoted-printable\" 17 1)"
          "(\"application\" \"octet-stream\" (\"name\" \"x.bin\") NIL NIL \"base64\" 8) \"mixed\"))\r\n"
          "f5 OK Fetch completed.\r\n");
    const std::string env = t.c.cmd("f6 FETCH 2 ENVELOPE");
    CHECK(env.find("\"=?utf-8?q?Caf=C3=A9?=\" ((\"Carol\" NIL \"carol\" \"c.example\"))") != std::string::npos);
    CHECK(env.find("((NIL NIL \"bob\" \"b.example\")(\"Dave D.\" NIL \"dave\" \"d.example\"))") != std::string::npos);
    CHECK(t.c.cmd("f7 FETCH 1:2 FAST") ==
          "* 1 FETCH (FLAGS (\\Recent) INTERNALDATE \"02-Mar-2026 09:00:00 +0000\" RFC822.SIZE " +
              std::to_string(size) + ")\r\n* 2 FETCH (FLAGS (\\Recent) INTERNALDATE \"02-Mar-2026 09:00:00 +0000\" "
              "RFC822.SIZE " + std::to_string(std::strlen(kMultipart)) + ")\r\nf7 OK Fetch completed.\r\n");
  }
}

TEST_CASE("FETCH: sections, partials, PEEK and \\Seen, BINARY", "[imap][server][fetch]") {
  Selected t;
  const std::string simple = kSimple;
  const std::string header = simple.substr(0, simple.find("\r\n\r\n") + 4);
  const std::string text = simple.substr(header.size());
  CHECK(t.c.cmd("b1 FETCH 1 BODY.PEEK[HEADER]") ==
        "* 1 FETCH (BODY[HEADER] {" + std::to_string(header.size()) + "}\r\n" + header + ")\r\nb1 OK Fetch completed.\r\n");
  CHECK(t.c.cmd("b2 FETCH 1 BODY.PEEK[HEADER.FIELDS (subject TO)]") ==
        "* 1 FETCH (BODY[HEADER.FIELDS (subject TO)] {41}\r\nTo: bob@b.example\r\nSubject: Hello Bob\r\n\r\n)\r\n"
        "b2 OK Fetch completed.\r\n");
  CHECK(t.c.cmd("b3 FETCH 1 BODY.PEEK[]<0.4>") == "* 1 FETCH (BODY[]<0> {4}\r\nFrom)\r\nb3 OK Fetch completed.\r\n");
  CHECK(t.c.cmd("b4 FETCH 1 BODY.PEEK[]<1000.4>") == "* 1 FETCH (BODY[]<1000> {0}\r\n)\r\nb4 OK Fetch completed.\r\n");
  CHECK(t.c.cmd("b5 FETCH 1 FLAGS") == "* 1 FETCH (FLAGS (\\Recent))\r\nb5 OK Fetch completed.\r\n");
  // BODY[TEXT] sets \Seen and says so.
  CHECK(t.c.cmd("b6 FETCH 1 BODY[TEXT]") == "* 1 FETCH (BODY[TEXT] {" + std::to_string(text.size()) + "}\r\n" + text +
                                              " FLAGS (\\Seen \\Recent))\r\nb6 OK Fetch completed.\r\n");
  CHECK(t.host.store->folder("bob", "INBOX")->messages[0].flags == mda::Seen);
  CHECK(t.c.cmd("b7 FETCH 2 (BODY.PEEK[1] BODY.PEEK[2.MIME] BODY.PEEK[3])") ==
        "* 2 FETCH (BODY[1] {17}\r\ncaf=C3=A9 au lait BODY[2.MIME] {142}\r\nContent-Type: application/octet-stream; "
        "name=\"x.bin\"\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; "
        "filename=\"x.bin\"\r\n\r\n BODY[3] NIL)\r\nb7 OK Fetch completed.\r\n");
  CHECK(t.c.cmd("b8 FETCH 2 (BINARY.PEEK[1] BINARY.SIZE[2] BINARY.PEEK[2])") ==
        "* 2 FETCH (BINARY[1] {13}\r\ncaf\xc3\xa9 au lait BINARY.SIZE[2] 4 BINARY[2] ~{4}\r\n" +
            std::string("\0\1\2\3", 4) + ")\r\nb8 OK Fetch completed.\r\n");
  CHECK(t.c.cmd("b9 UID FETCH 2 (FLAGS)") == "* 2 FETCH (UID 2 FLAGS (\\Recent))\r\nb9 OK Fetch completed.\r\n");
  CHECK(t.c.cmd("ba FETCH 3 FLAGS") == "ba BAD Error in IMAP command FETCH: Invalid messageset.\r\n");
  CHECK(t.c.cmd("bb UID FETCH 3:* FLAGS") == "* 2 FETCH (UID 2 FLAGS (\\Recent))\r\nbb OK Fetch completed.\r\n");
  CHECK(t.c.cmd("bc FETCH 1 RFC822.HEADER").find("* 1 FETCH (RFC822.HEADER {") == 0);
  CHECK(t.c.cmd("bd FETCH 1 (BODY[HEADER.FIELDS ()])").rfind("bd BAD Error in IMAP command FETCH: expected", 0) == 0);
  // EXAMINE never sets \Seen.
  t.c.cmd("e EXAMINE INBOX");
  t.c.cmd("be FETCH 2 BODY[]");
  CHECK((t.host.store->folder("bob", "INBOX")->messages[1].flags & mda::Seen) == 0);
}

TEST_CASE("STORE: +FLAGS, -FLAGS, FLAGS, .SILENT, keywords", "[imap][server][store]") {
  Selected t;
  CHECK(t.c.cmd("t1 STORE 1:2 +FLAGS (\\Seen \\Flagged)") ==
        "* 1 FETCH (FLAGS (\\Flagged \\Seen \\Recent))\r\n* 2 FETCH (FLAGS (\\Flagged \\Seen \\Recent))\r\n"
        "t1 OK Store completed.\r\n");
  CHECK(t.c.cmd("t2 STORE 1 -FLAGS.SILENT (\\Flagged)") == "t2 OK Store completed.\r\n");
  CHECK(t.c.cmd("t3 UID STORE 2 FLAGS $Important") ==
        "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Important)\r\n"
        "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Important \\*)] Flags permitted.\r\n"
        "* 2 FETCH (UID 2 FLAGS ($Important \\Recent))\r\nt3 OK Store completed.\r\n");
  const auto* inbox = t.host.store->folder("bob", "INBOX");
  CHECK(inbox->messages[0].flags == mda::Seen);
  CHECK(inbox->messages[1].flags == 0);
  CHECK(inbox->messages[1].keywords == 1);
  CHECK(t.c.cmd("t4 STORE 1 +FLAGS (\\Bogus)") == "t4 BAD Invalid system flag \\Bogus.\r\n");
  CHECK(t.c.cmd("t5 STORE 1 FLAGZ (\\Seen)") == "t5 BAD Error in IMAP command STORE: Invalid item.\r\n");
  t.c.cmd("e EXAMINE INBOX");
  CHECK(t.c.cmd("t6 STORE 1 +FLAGS (\\Deleted)") == "t6 NO [READ-ONLY] Mailbox is read-only.\r\n");
}

TEST_CASE("SEARCH and ESEARCH", "[imap][server][search]") {
  Selected t;
  t.host.now = 86400LL * 1'000'000'000;  // a day later
  t.host.deliver("bob", "From: eve@e.example\r\nSubject: big news\r\nDate: Wed, 4 Mar 2026 08:00:00 -0500\r\n\r\n" +
                            std::string(2000, 'x') + "\r\n");
  t.c.cmd("n NOOP");
  t.c.cmd("st STORE 1 +FLAGS (\\Seen)");
  auto search = [&](const std::string& args) {
    const std::string out = t.c.cmd("q SEARCH " + args);
    return lines(out).front();
  };
  CHECK(search("ALL") == "* SEARCH 1 2 3");
  CHECK(search("UNSEEN") == "* SEARCH 2 3");
  CHECK(search("SEEN") == "* SEARCH 1");
  CHECK(search("FROM alice") == "* SEARCH 1");
  CHECK(search("SUBJECT \"caf\xc3\xa9\"") == "* SEARCH 2");  // encoded-word decoded
  CHECK(search("CHARSET UTF-8 BODY \"au lait\"") == "* SEARCH 2");
  CHECK(search("BODY \"caf\xc3\xa9\"") == "* SEARCH 2");  // quoted-printable decoded
  CHECK(search("TEXT BOB") == "* SEARCH 1 2");
  CHECK(search("LARGER 1000") == "* SEARCH 3");
  CHECK(search("NOT LARGER 1000 SMALLER 400") == "* SEARCH 1");
  CHECK(search("OR FROM eve FROM carol") == "* SEARCH 2 3");
  CHECK(search("SINCE 3-Mar-2026") == "* SEARCH 3");
  CHECK(search("BEFORE 3-Mar-2026") == "* SEARCH 1 2");
  CHECK(search("ON 2-Mar-2026") == "* SEARCH 1 2");
  CHECK(search("SENTON 4-Mar-2026") == "* SEARCH 3");
  CHECK(search("SENTBEFORE 3-Mar-2026") == "* SEARCH 1");
  CHECK(search("HEADER Message-ID \"<1@\"") == "* SEARCH 1");
  CHECK(search("2:* UNSEEN") == "* SEARCH 2 3");
  CHECK(search("RECENT") == "* SEARCH 1 2 3");
  CHECK(search("NEW") == "* SEARCH 2 3");
  CHECK(search("KEYWORD $Junk") == "* SEARCH");
  CHECK(search("UNKEYWORD $Junk") == "* SEARCH 1 2 3");
  CHECK(lines(t.c.cmd("u UID SEARCH UID 2:*"))[0] == "* SEARCH 2 3");
  CHECK(lines(t.c.cmd("r SEARCH RETURN (MIN MAX COUNT ALL) UNSEEN"))[0] ==
        "* ESEARCH (TAG \"r\") MIN 2 MAX 3 COUNT 2 ALL 2:3");
  CHECK(lines(t.c.cmd("r2 UID SEARCH RETURN (COUNT) KEYWORD $Junk"))[0] == "* ESEARCH (TAG \"r2\") UID COUNT 0");
  CHECK(t.c.cmd("c SEARCH CHARSET KOI8-R ALL") == "c NO [BADCHARSET (US-ASCII UTF-8)] Unsupported charset.\r\n");
  CHECK(t.c.cmd("d SEARCH FOO") == "d BAD Error in IMAP command SEARCH: expected search key at column 10.\r\n");
  t.c.cmd("e ENABLE IMAP4rev2");  // not valid in the selected state: ignored
  Conn v2(t.host);
  v2.login();
  v2.cmd("e ENABLE IMAP4rev2");
  v2.cmd("s SELECT INBOX");
  CHECK(lines(v2.cmd("f SEARCH UNSEEN"))[0] == "* ESEARCH (TAG \"f\") ALL 2:3");
}

TEST_CASE("COPY, MOVE with COPYUID; EXPUNGE, UID EXPUNGE, CLOSE", "[imap][server][copy]") {
  Selected t;
  t.host.deliver("bob", kSimple);
  t.host.deliver("bob", kSimple);
  t.c.cmd("n NOOP");
  const std::string trash = std::to_string(t.host.store->folder("bob", "Trash")->uidvalidity);
  CHECK(t.c.cmd("c1 COPY 1:2 Trash") == "c1 OK [COPYUID " + trash + " 1:2 1:2] Copy completed.\r\n");
  CHECK(t.c.cmd("c2 COPY 1 Nope") == "c2 NO [TRYCREATE] Mailbox doesn't exist.\r\n");
  CHECK(t.c.cmd("c3 UID COPY 99 Trash") == "c3 OK No messages found.\r\n");
  CHECK(t.c.cmd("m1 MOVE 2 Trash") ==
        "* OK [COPYUID " + trash + " 2 3] Moved UIDs.\r\n* 2 EXPUNGE\r\nm1 OK Move completed.\r\n");
  // Now INBOX holds UIDs 1 3 4 as sequence numbers 1 2 3.
  t.c.cmd("d1 STORE 1,3 +FLAGS.SILENT (\\Deleted)");
  CHECK(t.c.cmd("x1 UID EXPUNGE 4") == "* 3 EXPUNGE\r\nx1 OK Expunge completed.\r\n");
  CHECK(t.c.cmd("x2 EXPUNGE") == "* 1 EXPUNGE\r\nx2 OK Expunge completed.\r\n");
  CHECK(t.c.cmd("f FETCH 1 UID") == "* 1 FETCH (UID 3)\r\nf OK Fetch completed.\r\n");
  t.c.cmd("d2 STORE 1 +FLAGS.SILENT (\\Deleted)");
  CHECK(t.c.cmd("cl CLOSE") == "cl OK Close completed.\r\n");  // no EXPUNGE responses
  CHECK(t.host.store->folder("bob", "INBOX")->messages.empty());
  CHECK(t.c.s.state() == ServerSession::State::Authenticated);
  CHECK(t.host.store->folder("bob", "Trash")->messages.size() == 3);
  t.c.cmd("e EXAMINE Trash");
  CHECK(t.c.cmd("x3 EXPUNGE") == "x3 NO [READ-ONLY] Mailbox is read-only.\r\n");
  CHECK(t.c.cmd("m2 MOVE 1 INBOX") == "m2 NO [READ-ONLY] Mailbox is read-only.\r\n");
  CHECK(t.c.cmd("u UNSELECT") == "u OK Unselect completed.\r\n");
}
