// smtp::strip_starttls: what a STARTTLS-stripping attacker does to the bytes, in place and
// length for length (starttls_strip.hpp).
#include <catch2/catch.hpp>

#include <string>

#include "protocols/smtp/starttls_strip.hpp"

using maillab::smtp::strip_starttls;

namespace {

std::string stripped(std::string bytes, std::size_t* replies = nullptr, std::size_t* commands = nullptr) {
  const auto n = strip_starttls(bytes);
  if (replies) *replies = n.replies;
  if (commands) *commands = n.commands;
  return bytes;
}

}  // namespace

TEST_CASE("the EHLO keyword becomes XXXXXXXA, the rest of the reply is untouched", "[smtp][strip]") {
  std::size_t replies = 0, commands = 0;
  CHECK(stripped("250-mx.b.example\r\n250-PIPELINING\r\n250-STARTTLS\r\n250 8BITMIME\r\n", &replies, &commands) ==
        "250-mx.b.example\r\n250-PIPELINING\r\n250-XXXXXXXA\r\n250 8BITMIME\r\n");
  CHECK(replies == 1);
  CHECK(commands == 0);
  CHECK(stripped("250 starttls\r\n") == "250 XXXXXXXA\r\n");
}

TEST_CASE("a client's STARTTLS command is masked so the server does not know it", "[smtp][strip]") {
  std::size_t commands = 0;
  CHECK(stripped("STARTTLS\r\nRSET\r\n", nullptr, &commands) == "XXXXXXXX\r\nRSET\r\n");
  CHECK(commands == 1);
}

TEST_CASE("only whole lines that are the keyword are touched", "[smtp][strip]") {
  for (const std::string keep : {"250-STARTTLSX\r\n", "MAIL FROM:<starttls@a.example>\r\n",
                                 "250-STARTTLS",  // no line end in this send
                                 "Subject: STARTTLS\r\n", "250-AUTH STARTTLS\r\n"}) {
    INFO(keep);
    CHECK(stripped(keep) == keep);
  }
}
