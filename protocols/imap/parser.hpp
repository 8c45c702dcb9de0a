// Parser: a cursor over one framed IMAP command or response (command_reader.hpp,
// response_reader.hpp) reading the productions of RFC 9051 9 (formal syntax), which
// keeps RFC 3501's for everything IMAP4rev1 clients send.
//
// Each production returns nullopt (or false) when the input does not match, leaving the
// cursor where that production started and recording what was expected in error();
// the caller answers BAD (a server) or treats the response as malformed (a client).
// Nothing throws; every loop advances; a literal's length is checked against the text.
//
// Character classes (RFC 9051 9):
//   ATOM-CHAR    any CHAR (0x01-0x7F) but atom-specials: ( ) { SP CTL % * " \ ]
//   ASTRING-CHAR ATOM-CHAR or "]"          list-char  ATOM-CHAR, % * or "]"
//   tag          1*<ASTRING-CHAR but "+">
//   quoted       DQUOTE *(TEXT-CHAR but " and \, or "\" quoted-special) DQUOTE; octets
//                of 0x80 and above are taken when they are UTF-8 (RFC 9051 allows UTF-8
//                there; RFC 3501 clients send 8-bit passwords in practice)
//   literal      "{" number64 ["+"] "}" CRLF *CHAR8 (no NUL; literal8 "~{" allows it)
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/imap/sequence_set.hpp"

namespace maillab::imap {

bool is_atom_char(char c);
bool is_astring_char(char c);
bool is_list_char(char c);
bool is_tag_char(char c);

class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  bool at_end() const { return i_ >= s_.size(); }
  std::size_t pos() const { return i_; }
  void set_pos(std::size_t p) { i_ = p; }
  char peek() const { return at_end() ? '\0' : s_[i_]; }
  std::string_view rest() const { return s_.substr(i_); }
  bool take(char c);
  bool sp() { return take(' ') || fail("SP"); }
  // A keyword (case-insensitive) not followed by another atom character.
  bool take_word(std::string_view word);
  bool end() { return at_end() || fail("end of command"); }

  std::optional<std::string> tag();
  std::optional<std::string_view> atom();
  // ATOM-CHARs and "[" ... "]" sections with their contents, plus "<...>" after them:
  // a fetch attribute name as a response writes it ("BODY[HEADER.FIELDS (A B)]<0>").
  std::optional<std::string_view> fetch_att_name();
  std::optional<std::string> quoted();
  std::optional<std::string> literal();
  std::optional<std::string> literal8();  // "~{n}" (RFC 3516); NUL allowed
  std::optional<std::string> string();    // quoted / literal
  std::optional<std::string> astring();
  // nstring: the string, or nullopt inside for NIL.
  std::optional<std::optional<std::string>> nstring();
  std::optional<std::string> list_mailbox();
  std::optional<std::uint32_t> number();     // 0..2^32-1
  std::optional<std::uint32_t> nz_number();  // 1..2^32-1, no leading zero
  std::optional<std::uint64_t> number64();
  std::optional<SequenceSet> sequence_set();
  // "\Seen" (case kept) or a keyword atom; "\*" only when allow_star.
  std::optional<std::string> flag(bool allow_star = false);
  // "(" [flag *(SP flag)] ")"
  std::optional<std::vector<std::string>> flag_list();
  // date = date-text / DQUOTE date-text DQUOTE; date-text = d[d]-Mon-yyyy.
  // Unix seconds of 00:00:00 UTC that day.
  std::optional<std::int64_t> date();
  // date-time = DQUOTE dd-Mon-yyyy SP hh:mm:ss SP (+|-)hhmm DQUOTE (day may be " d").
  // Unix seconds (UTC).
  std::optional<std::int64_t> date_time();

  const std::string& error() const { return error_; }
  bool fail(std::string_view expected);

 private:
  std::optional<std::string> literal_impl(bool binary);
  std::optional<std::int64_t> date_text(bool fixed_day);

  std::string_view s_;
  std::size_t i_ = 0;
  std::string error_;
};

// Month number 1..12 of "Jan".."Dec" (case-insensitive), 0 when none.
int month_number(std::string_view name);

}  // namespace maillab::imap
