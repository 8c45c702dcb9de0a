// smtp::StarttlsStripper: what a STARTTLS-stripping attacker does to one SMTP connection's
// bytes, in place and length for length (starttls_strip.hpp): the server's EHLO reply and
// the client's STARTTLS command, never message content, nothing once TLS is on.
#include <catch2/catch.hpp>

#include <string>

#include "protocols/smtp/starttls_strip.hpp"

using maillab::smtp::StarttlsStripper;
using maillab::smtp::StripCount;

namespace {

// Feeds one send of the server (or the client) and returns it as it went on.
std::string server(StarttlsStripper& s, std::string bytes, StripCount* n = nullptr) {
  const StripCount c = s.from_server(bytes);
  if (n) *n = c;
  return bytes;
}
std::string client(StarttlsStripper& s, std::string bytes, StripCount* n = nullptr) {
  const StripCount c = s.from_client(bytes);
  if (n) *n = c;
  return bytes;
}

// A session up to the EHLO reply.
StarttlsStripper greeted() {
  StarttlsStripper s;
  server(s, "220 mx.b.example ESMTP\r\n");
  return s;
}

}  // namespace

TEST_CASE("the EHLO keyword becomes XXXXXXXA, the rest of the reply is untouched", "[smtp][strip]") {
  StarttlsStripper s = greeted();
  client(s, "EHLO mail.a.example\r\n");
  StripCount n;
  CHECK(server(s, "250-mx.b.example\r\n250-PIPELINING\r\n250-STARTTLS\r\n250 8BITMIME\r\n", &n) ==
        "250-mx.b.example\r\n250-PIPELINING\r\n250-XXXXXXXA\r\n250 8BITMIME\r\n");
  CHECK(n.replies == 1);
  CHECK(n.commands == 0);
  StarttlsStripper last = greeted();
  client(last, "ehlo a\r\n");
  CHECK(server(last, "250-mx\r\n250 starttls\r\n") == "250-mx\r\n250 XXXXXXXA\r\n");
}

TEST_CASE("a client's STARTTLS command is masked so the server does not know it", "[smtp][strip]") {
  StarttlsStripper s = greeted();
  StripCount n;
  CHECK(client(s, "STARTTLS\r\nRSET\r\n", &n) == "XXXXXXXX\r\nRSET\r\n");
  CHECK(n.commands == 1);
}

TEST_CASE("only whole lines that are the keyword are touched", "[smtp][strip]") {
  for (const std::string keep : {"250-STARTTLSX\r\n", "250-AUTH STARTTLS\r\n", "250-STARTTLS"}) {
    INFO(keep);
    StarttlsStripper s = greeted();
    client(s, "EHLO a\r\n");
    CHECK(server(s, keep) == keep);
  }
  for (const std::string keep : {"MAIL FROM:<starttls@a.example>\r\n", "STARTTLS", "Subject: STARTTLS\r\n"}) {
    INFO(keep);
    StarttlsStripper s = greeted();
    CHECK(client(s, keep) == keep);
  }
}

TEST_CASE("a reply that does not answer EHLO keeps its STARTTLS", "[smtp][strip]") {
  StarttlsStripper s = greeted();
  client(s, "NOOP\r\n");
  CHECK(server(s, "250-STARTTLS\r\n250 ok\r\n") == "250-STARTTLS\r\n250 ok\r\n");
  client(s, "EHLO a\r\n");
  CHECK(server(s, "250-mx\r\n250-STARTTLS\r\n250 SIZE\r\n") == "250-mx\r\n250-XXXXXXXA\r\n250 SIZE\r\n");
  client(s, "HELP\r\n");
  CHECK(server(s, "214 STARTTLS\r\n") == "214 STARTTLS\r\n");
}

TEST_CASE("message content passes untouched: DATA after the 354 up to the dot, BDAT octets", "[smtp][strip]") {
  const std::string body = "STARTTLS\r\n250-STARTTLS\r\nEHLO x\r\n..\r\n";
  StarttlsStripper s = greeted();
  client(s, "MAIL FROM:<a@a.example>\r\nRCPT TO:<b@b.example>\r\nDATA\r\n");
  server(s, "250 ok\r\n250 ok\r\n354 go ahead\r\n");
  CHECK(client(s, body + ".\r\n") == body + ".\r\n");
  // The split across sends does not lose the way: the content goes on to the dot.
  StarttlsStripper split = greeted();
  client(split, "DATA\r\n");
  server(split, "354 go ahead\r\n");
  CHECK(client(split, "STARTTLS\r\nSTAR") == "STARTTLS\r\nSTAR");
  CHECK(client(split, "TTLS\r\nSTARTTLS\r\n.\r\nSTARTTLS\r\n") == "TTLS\r\nSTARTTLS\r\n.\r\nXXXXXXXX\r\n");
  // BDAT: the chunk's octets are content even where they look like lines.
  StarttlsStripper bdat = greeted();
  const std::string chunk = "STARTTLS\r\n";
  CHECK(client(bdat, "BDAT " + std::to_string(chunk.size()) + " LAST\r\n" + chunk + "STARTTLS\r\n") ==
        "BDAT 10 LAST\r\n" + chunk + "XXXXXXXX\r\n");
  // A chunk in two sends.
  StarttlsStripper two = greeted();
  CHECK(client(two, "BDAT 20 LAST\r\nSTARTTLS\r\n") == "BDAT 20 LAST\r\nSTARTTLS\r\n");
  CHECK(client(two, "STARTTLS\r\nSTARTTLS\r\n") == "STARTTLS\r\nXXXXXXXX\r\n");
}

TEST_CASE("after a STARTTLS that got through, the session is TLS: nothing more is touched", "[smtp][strip]") {
  StarttlsStripper s = greeted();
  client(s, "START");
  client(s, "TLS\r\n");  // split: not rewritten, so the server starts TLS
  CHECK(s.awaiting_tls());
  server(s, "220 2.0.0 Ready to start TLS\r\n");
  CHECK(s.done());
  CHECK(client(s, "STARTTLS\r\n") == "STARTTLS\r\n");
  StarttlsStripper quit = greeted();
  client(quit, "QUIT\r\n");
  server(quit, "221 2.0.0 Bye\r\n");
  CHECK(quit.done());
}
