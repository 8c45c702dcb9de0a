#include "protocols/message/mime_part.hpp"

#include <catch2/catch.hpp>

#include "protocols/message/modified_utf7.hpp"

using maillab::message::count_lines;
using maillab::message::MimePart;
using maillab::message::parse_mime;

namespace {

std::string_view slice(std::string_view all, std::size_t b, std::size_t e) { return all.substr(b, e - b); }

const std::string kMultipart =
    "From: a@a.example\r\n"
    "Subject: parts\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"XX\"\r\n"
    "\r\n"
    "preamble\r\n"
    "--XX\r\n"
    "Content-Type: text/plain; charset=utf-8; format=flowed\r\n"
    "Content-Transfer-Encoding: 8bit\r\n"
    "\r\n"
    "first part\r\n"
    "line two\r\n"
    "--XX\r\n"
    "Content-Type: message/rfc822\r\n"
    "Content-Disposition: attachment; filename=\"inner.eml\"\r\n"
    "\r\n"
    "Subject: inner\r\n"
    "\r\n"
    "inner body\r\n"
    "--XX\r\n"
    "\r\n"
    "no headers at all\r\n"
    "--XX--\r\n"
    "epilogue\r\n";

}  // namespace

TEST_CASE("a single-part message: defaults and ranges", "[message][mime]") {
  const std::string m = "Subject: hi\r\n\r\nHello\r\nWorld\r\n";
  const MimePart p = parse_mime(m);
  CHECK(p.content_type.type == "text/plain");
  CHECK_FALSE(p.has_content_type);
  CHECK(p.content_type.param("charset") == "us-ascii");
  CHECK(slice(m, p.header_begin, p.body_begin) == "Subject: hi\r\n\r\n");
  CHECK(slice(m, p.body_begin, p.body_end) == "Hello\r\nWorld\r\n");
  CHECK(p.body_lines == 2);
  CHECK(p.children.empty());
}

TEST_CASE("a multipart message: parts, an encapsulated message, a part with no header", "[message][mime]") {
  const MimePart p = parse_mime(kMultipart);
  REQUIRE(p.is_multipart());
  REQUIRE(p.children.size() == 3);
  const MimePart& text = p.children[0];
  CHECK(text.content_type.type == "text/plain");
  REQUIRE(text.content_type.ordered.size() == 2);
  CHECK(text.content_type.ordered[0].first == "charset");
  CHECK(text.content_type.ordered[1].first == "format");
  CHECK(text.encoding == "8bit");
  CHECK(slice(kMultipart, text.body_begin, text.body_end) == "first part\r\nline two");
  CHECK(text.body_lines == 2);

  const MimePart& msg = p.children[1];
  CHECK(msg.is_message());
  CHECK(msg.has_disposition);
  CHECK(msg.disposition.type == "attachment");
  CHECK(msg.disposition.param("filename") == "inner.eml");
  REQUIRE(msg.children.size() == 1);
  const MimePart& inner = msg.children[0];
  CHECK(slice(kMultipart, inner.header_begin, inner.body_begin) == "Subject: inner\r\n\r\n");
  CHECK(slice(kMultipart, inner.body_begin, inner.body_end) == "inner body");

  const MimePart& bare = p.children[2];
  CHECK(bare.header_size() == 2);  // just the empty line
  CHECK(slice(kMultipart, bare.body_begin, bare.body_end) == "no headers at all");
}

TEST_CASE("a digest's parts default to message/rfc822", "[message][mime]") {
  const std::string m =
      "Content-Type: multipart/digest; boundary=d\r\n\r\n--d\r\n\r\nSubject: one\r\n\r\nbody\r\n--d--\r\n";
  const MimePart p = parse_mime(m);
  REQUIRE(p.children.size() == 1);
  CHECK(p.children[0].is_message());
  REQUIRE(p.children[0].children.size() == 1);
}

TEST_CASE("nesting and part counts are bounded", "[message][mime]") {
  std::string m;
  for (int i = 0; i < 200; ++i) m += "Content-Type: multipart/mixed; boundary=b" + std::to_string(i) + "\r\n\r\n--b" + std::to_string(i) + "\r\n";
  const MimePart p = parse_mime(m);
  int depth = 0;
  for (const MimePart* q = &p; !q->children.empty(); q = &q->children[0]) ++depth;
  CHECK(depth == MimePart::kMaxDepth);

  std::string wide = "Content-Type: multipart/mixed; boundary=w\r\n\r\n";
  for (int i = 0; i < 5000; ++i) wide += "--w\r\n\r\nx\r\n";
  CHECK(parse_mime(wide).children.size() < MimePart::kMaxParts);
}

TEST_CASE("line counts", "[message][mime]") {
  CHECK(count_lines("") == 0);
  CHECK(count_lines("a") == 1);
  CHECK(count_lines("a\r\n") == 1);
  CHECK(count_lines("a\r\nb") == 2);
}

TEST_CASE("modified UTF-7 (RFC 3501 5.1.3)", "[message][mutf7]") {
  using maillab::message::decode_modified_utf7;
  using maillab::message::encode_modified_utf7;
  // RFC 3501's example: "~peter/mail/台北/日本語"
  const std::string utf8 = "~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e";
  CHECK(encode_modified_utf7(utf8) == "~peter/mail/&U,BTFw-/&ZeVnLIqe-");
  CHECK(decode_modified_utf7("~peter/mail/&U,BTFw-/&ZeVnLIqe-") == utf8);
  CHECK(encode_modified_utf7("Tom & Jerry") == "Tom &- Jerry");
  CHECK(decode_modified_utf7("Tom &- Jerry") == "Tom & Jerry");
  CHECK(encode_modified_utf7("Entw\xc3\xbcrfe") == "Entw&APw-rfe");
  // U+1F600, a surrogate pair.
  const std::string emoji = "\xf0\x9f\x98\x80";
  CHECK(decode_modified_utf7(encode_modified_utf7(emoji)) == emoji);
  for (const char* bad : {"&", "&U,BTFw", "&AGE-", "&2D3-", "a\x80", "&U,BTF-", "&Jjo!-"}) {
    INFO(bad);
    CHECK_FALSE(decode_modified_utf7(bad).has_value());
  }
  CHECK(maillab::message::valid_utf8(utf8));
  CHECK_FALSE(maillab::message::valid_utf8("\xc0\xaf"));
  CHECK_FALSE(maillab::message::valid_utf8("\xed\xa0\x80"));
}
