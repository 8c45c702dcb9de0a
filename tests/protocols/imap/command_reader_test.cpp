#include "protocols/imap/command_reader.hpp"

#include <catch2/catch.hpp>

#include <vector>

using maillab::imap::CommandReader;
using maillab::imap::ReaderLimits;
using Kind = CommandReader::Item::Kind;

namespace {

// "C:text" for a command, "L:text" for a line, "+:tag" for a continuation,
// "LONG:tag", "BIG:tag:sync|nosync".
std::string shown(const CommandReader::Item& item) {
  switch (item.kind) {
    case Kind::Command: return "C:" + item.text;
    case Kind::Line: return "L:" + item.text;
    case Kind::Continue: return "+:" + item.tag;
    case Kind::TooLong: return "LONG:" + item.tag;
    case Kind::LiteralTooBig: return "BIG:" + item.tag + (item.sync ? ":sync" : ":nosync");
  }
  return "?";
}

std::vector<std::string> drain(CommandReader& r) {
  std::vector<std::string> out;
  while (auto item = r.next()) out.push_back(shown(*item));
  return out;
}

std::vector<std::string> read_all(std::string_view stream, std::size_t chunk, ReaderLimits limits = {}) {
  CommandReader r(limits);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < stream.size(); i += chunk) {
    r.feed(stream.substr(i, chunk));
    for (auto& s : drain(r)) out.push_back(std::move(s));
  }
  return out;
}

}  // namespace

TEST_CASE("commands and literals are framed the same at every split", "[imap][reader]") {
  const std::string stream =
      "a1 NOOP\r\n"
      "a2 LOGIN {5}\r\nalice {6}\r\nsec\r\nt\r\n"
      "a3 APPEND INBOX {3+}\r\n{}}\r\n"
      "a4 SELECT \"INBOX\"\n";
  const std::vector<std::string> want = {
      "C:a1 NOOP",
      "+:a2",
      "+:a2",
      "C:a2 LOGIN {5}\r\nalice {6}\r\nsec\r\nt",
      "C:a3 APPEND INBOX {3+}\r\n{}}",
      "C:a4 SELECT \"INBOX\"",
  };
  for (std::size_t chunk = 1; chunk <= stream.size(); ++chunk) {
    INFO("chunk " << chunk);
    CHECK(read_all(stream, chunk) == want);
  }
}

TEST_CASE("a synchronizing literal over the limit is refused before its bytes", "[imap][reader]") {
  ReaderLimits limits;
  limits.max_literal = 10;
  limits.max_append_literal = 100;
  CHECK(read_all("x LOGIN {11}\r\n", 3, limits) == std::vector<std::string>{"BIG:x:sync"});
  CHECK(read_all("x APPEND INBOX {101}\r\n", 3, limits) == std::vector<std::string>{"BIG:x:sync"});
  CHECK(read_all("x APPEND INBOX {100}\r\n", 3, limits) == std::vector<std::string>{"+:x"});
  CHECK(read_all("x LOGIN {99999999999999999999999}\r\ny NOOP\r\n", 5, limits) ==
        std::vector<std::string>{"BIG:x:sync", "C:y NOOP"});
}

TEST_CASE("a non-synchronizing literal over the limit is skipped, never stored", "[imap][reader]") {
  ReaderLimits limits;
  limits.max_literal = 4;
  const std::string stream = "x LOGIN {12+}\r\n0123456789\r\n {2+}\r\nab\r\ny NOOP\r\n";
  for (std::size_t chunk = 1; chunk <= stream.size(); ++chunk) {
    INFO("chunk " << chunk);
    CHECK(read_all(stream, chunk, limits) == std::vector<std::string>{"BIG:x:nosync", "C:y NOOP"});
  }
}

TEST_CASE("an over-long command is dropped with its tag and the session goes on", "[imap][reader]") {
  ReaderLimits limits;
  limits.max_line = 40;
  const std::string longline = "t1 SELECT " + std::string(100, 'x') + "\r\nt2 NOOP\r\n";
  for (std::size_t chunk : {1, 7, 1000}) {
    CHECK(read_all(longline, chunk, limits) == std::vector<std::string>{"LONG:t1", "C:t2 NOOP"});
  }
  // A long line ending in a sync literal: no "+", the client gives up the command.
  const std::string sync = "t1 LOGIN " + std::string(100, 'x') + " {5}\r\nt2 NOOP\r\n";
  CHECK(read_all(sync, 9, limits) == std::vector<std::string>{"LONG:t1", "C:t2 NOOP"});
  // ... in a non-sync literal: its bytes are skipped too.
  const std::string nonsync = "t1 LOGIN " + std::string(100, 'x') + " {5+}\r\nt2 NO\r\nt3 NOOP\r\n";
  CHECK(read_all(nonsync, 9, limits) == std::vector<std::string>{"LONG:t1", "C:t3 NOOP"});
  // An unreadable tag.
  CHECK(read_all(std::string(100, '(') + "\r\n", 10, limits) == std::vector<std::string>{"LONG:*"});
}

TEST_CASE("line mode returns raw lines (IDLE's DONE, SASL responses)", "[imap][reader]") {
  CommandReader r;
  r.set_line_mode(true);
  r.feed("DONE\r\n{5}\r\n");
  CHECK(drain(r) == std::vector<std::string>{"L:DONE", "L:{5}"});
  r.set_line_mode(false);
  r.feed("a NOOP\r\n");
  CHECK(drain(r) == std::vector<std::string>{"C:a NOOP"});
}

TEST_CASE("clear() forgets buffered input (STARTTLS)", "[imap][reader]") {
  CommandReader r;
  r.feed("a STARTTLS\r\nb LOGIN x y\r\n");
  auto first = r.next();
  REQUIRE(first);
  CHECK(shown(*first) == "C:a STARTTLS");
  r.clear();
  CHECK(r.buffered() == 0);
  CHECK_FALSE(r.next());
}
