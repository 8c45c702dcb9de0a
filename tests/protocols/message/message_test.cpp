#include "protocols/message/message.hpp"

#include <catch2/catch.hpp>

#include "protocols/message/line_endings.hpp"

using maillab::message::fold_field;
using maillab::message::kFoldLimit;
using maillab::message::Message;

namespace {

std::size_t longest_line(const std::string& s) {
  std::size_t best = 0, pos = 0;
  while (pos < s.size()) {
    std::size_t nl = s.find("\r\n", pos);
    if (nl == std::string::npos) nl = s.size();
    best = std::max(best, nl - pos);
    pos = nl + 2;
  }
  return best;
}

}  // namespace

TEST_CASE("parse/serialize round-trips byte-exact", "[message]") {
  const char* inputs[] = {
      "From: a@a.example\r\nTo: b@b.example\r\nSubject: hi\r\n\r\nbody line\r\n",
      "Subject: a long\r\n folded\r\n\tsubject\r\nX-Empty:\r\n\r\nbody\r\n\r\n",
      "From: a@a.example\r\nSubject: no body\r\n",             // all headers, no separator
      "From: a@a.example\r\nSubject: no end",                  // last line without CRLF
      "From: a@a.example\nSubject: lf\n\nbody\nmore\n",         // bare LF
      "Mixed: crlf\r\nand: lf\n\r\nbody\n",                    // mixed line ends
      "\r\nonly a body\r\n",                                   // empty header section
      "not a header line\r\nFrom: x\r\n\r\nbody\r\n",          // no header section at all
      "From: a\r\nthis line has no colon\r\n: empty name\r\n\r\nb\r\n",  // malformed lines kept
      " leading space\r\n\r\n",
      "",
      "\r\n",
      "Subject : obsolete space before colon\r\n\r\n",
      "A: 1\r\n\r\n\r\n\r\n",
  };
  for (const char* in : inputs) {
    INFO(in);
    Message m = Message::parse(in);
    CHECK(m.serialize() == in);
  }
}

TEST_CASE("header section and body are split at the first empty line", "[message]") {
  Message m = Message::parse("From: a@a.example\r\nSubject: s\r\n\r\nline 1\r\n\r\nline 3\r\n");
  CHECK(m.fields().size() == 2);
  CHECK(m.body() == "line 1\r\n\r\nline 3\r\n");
  CHECK(m.header_section() == "From: a@a.example\r\nSubject: s\r\n");

  Message all_headers = Message::parse("From: a\r\nSubject: b\r\n");
  CHECK(all_headers.fields().size() == 2);
  CHECK(all_headers.body().empty());

  Message all_body = Message::parse("Hello there\r\nFrom: x\r\n");
  CHECK(all_body.fields().empty());
  CHECK(all_body.body() == "Hello there\r\nFrom: x\r\n");
  CHECK_FALSE(all_body.header("From"));
}

TEST_CASE("header lookup is case-insensitive, unfolded and trimmed", "[message]") {
  Message m = Message::parse(
      "SUBJECT:   a long\r\n folded\r\n\tsubject  \r\n"
      "Received: one\r\nreceived: two\r\nRECEIVED:\r\n three\r\n"
      "no colon here\r\n"
      "X-Empty:\r\n\r\nbody\r\n");
  REQUIRE(m.header("subject"));
  CHECK(*m.header("Subject") == "a long folded\tsubject");
  CHECK(m.count("Received") == 3);
  CHECK(m.headers("received") == std::vector<std::string>{"one", "two", "three"});
  CHECK(m.header("X-Empty") == std::string());
  CHECK_FALSE(m.header("Missing"));
  CHECK_FALSE(m.header(""));
  CHECK(m.count("") == 0);
  CHECK(m.fields()[4].name.empty());
  CHECK(m.fields()[4].raw == "no colon here\r\n");

  Message lf = Message::parse("Subject: x\n  y\n\nbody\n");
  CHECK(lf.header("subject") == std::string("x  y"));
  CHECK(lf.eol() == "\n");
}

TEST_CASE("prepend_header and add_header fold long values", "[message]") {
  Message m = Message::parse("Subject: s\r\n\r\nbody\r\n");
  std::string long_value;
  for (int i = 0; i < 30; ++i) long_value += "word" + std::to_string(i) + " ";
  long_value.pop_back();
  m.prepend_header("X-Long", long_value);
  m.add_header("X-Last", "end");
  const std::string out = m.serialize();
  CHECK(out.rfind("X-Long: word0 word1", 0) == 0);
  CHECK(out.find("X-Last: end\r\n\r\nbody\r\n") != std::string::npos);
  CHECK(longest_line(out) <= kFoldLimit);
  CHECK(m.header("x-long") == long_value);  // unfolding gives the value back exactly
  CHECK(m.fields().front().name == "X-Long");
  CHECK(m.fields().back().name == "X-Last");

  // A pre-folded value (Received) keeps its folds; a word longer than a line is not cut.
  Message r = Message::parse("A: b\r\n\r\n");
  r.prepend_header("Received", "from x (x [1.2.3.4])\r\n\tby y (maillab); Mon, 02 Mar 2026 09:00:00 +0000");
  CHECK(r.fields().front().raw ==
        "Received: from x (x [1.2.3.4])\r\n\tby y (maillab); Mon, 02 Mar 2026 09:00:00 +0000\r\n");
  const std::string huge(120, 'x');
  CHECK(fold_field("X", huge) == "X: " + huge + "\r\n");
  CHECK(fold_field("X", "short " + huge) == "X: short\r\n " + huge + "\r\n");
  CHECK(fold_field("X", "a\r\nb") == "X: a\r\n\tb\r\n");  // a break must be followed by WSP
  CHECK(fold_field("X", "a\nb", "\n") == "X: a\n\tb\n");
}

TEST_CASE("remove_headers and count", "[message]") {
  Message m = Message::parse("Bcc: x\r\nTo: y\r\nBCC: z\r\n\r\nbody\r\n");
  CHECK(m.count("bcc") == 2);
  m.remove_headers("Bcc");
  CHECK(m.count("bcc") == 0);
  CHECK(m.serialize() == "To: y\r\n\r\nbody\r\n");
}

TEST_CASE("adding headers keeps the message well formed in edge cases", "[message]") {
  Message no_end = Message::parse("From: a");
  no_end.add_header("To", "b");
  CHECK(no_end.serialize() == "From: a\r\nTo: b\r\n");

  Message body_only = Message::parse("just text\r\n");
  body_only.prepend_header("Return-Path", "<a@a.example>");
  CHECK(body_only.serialize() == "Return-Path: <a@a.example>\r\n\r\njust text\r\n");

  Message lf = Message::parse("From: a\n\nbody\n");
  lf.prepend_header("Delivered-To", "b@b.example");
  CHECK(lf.serialize() == "Delivered-To: b@b.example\nFrom: a\n\nbody\n");

  Message empty = Message::parse("");
  empty.add_header("Subject", "x");
  CHECK(empty.serialize() == "Subject: x\r\n\r\n");
}

TEST_CASE("line ending helpers", "[message]") {
  using namespace maillab::message;
  CHECK(to_crlf("a\nb\r\nc\rd") == "a\r\nb\r\nc\r\nd");
  CHECK(lf_to_crlf("a\nb\r\nc\rd") == "a\r\nb\r\nc\rd");
  CHECK(crlf_to_lf("a\r\nb\nc\rd") == "a\nb\nc\rd");
  CHECK(lf_to_crlf(crlf_to_lf("x\r\n\r\ny\r\n")) == "x\r\n\r\ny\r\n");
  CHECK(is_ascii("plain"));
  CHECK_FALSE(is_ascii("caf\xc3\xa9"));
}

TEST_CASE("parse never fails on arbitrary bytes", "[message]") {
  std::string junk;
  for (int i = 0; i < 2000; ++i) junk += static_cast<char>((i * 131 + 7) % 256);
  for (std::size_t cut = 0; cut < junk.size(); cut += 97) {
    std::string in = junk.substr(0, cut);
    CHECK(Message::parse(in).serialize() == in);
  }
}
