// SearchProgram: the arguments of SEARCH / UID SEARCH parsed (RFC 9051 6.4.4, RFC 3501
// 6.4.4 search keys; RFC 4731 ESEARCH's RETURN options), ready to be matched against
// messages by the server (server_search.cpp).
//
// Grammar: ["RETURN" SP "(" [opt *(SP opt)] ")" SP] ["CHARSET" SP astring SP]
//          search-key *(SP search-key)
// Every RFC 3501 key is read (ALL ANSWERED BCC BEFORE BODY CC DELETED DRAFT FLAGGED FROM
// HEADER KEYWORD LARGER NEW NOT OLD ON OR RECENT SEEN SENTBEFORE SENTON SENTSINCE SINCE
// SMALLER SUBJECT TEXT TO UID UNANSWERED UNDELETED UNDRAFT UNFLAGGED UNKEYWORD UNSEEN,
// sequence sets, parenthesized lists). Keys nest at most kMaxDepth deep (NOT/OR/lists),
// so a hostile command cannot exhaust the stack; deeper is a parse error (BAD).
// The charset is kept as given; the server accepts US-ASCII and UTF-8 only
// (RFC 9051 6.4.4: NO [BADCHARSET (...)] for the rest).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "protocols/imap/parser.hpp"
#include "protocols/imap/sequence_set.hpp"

namespace maillab::imap {

struct SearchKey {
  enum class Kind {
    All, Answered, Bcc, Before, Body, Cc, Deleted, Draft, Flagged, From, Header, Keyword,
    Larger, New, Not, Old, On, Or, Recent, Seen, SentBefore, SentOn, SentSince, Since,
    Smaller, Subject, Text, To, Uid, Unanswered, Undeleted, Undraft, Unflagged, Unkeyword,
    Unseen, Sequence, And
  };
  Kind kind = Kind::All;
  std::string field;   // HEADER's field name
  std::string value;   // search string, keyword
  std::uint64_t number = 0;  // LARGER / SMALLER
  std::int64_t date = 0;     // unix seconds of 00:00 UTC of the date given
  SequenceSet set;           // Sequence / Uid
  std::vector<SearchKey> children;  // Not: 1, Or: 2, And: any
};

struct SearchProgram {
  static constexpr int kMaxDepth = 64;

  bool has_return = false;  // RETURN (...) given: answer with ESEARCH (RFC 4731)
  bool ret_min = false, ret_max = false, ret_count = false, ret_all = false;
  std::optional<std::string> charset;
  SearchKey root;  // an And of the top-level keys
};

// Parses from the parser's position to the end of the command; nullopt with
// parser.error() set on a syntax error.
std::optional<SearchProgram> parse_search_program(Parser& p);

}  // namespace maillab::imap
