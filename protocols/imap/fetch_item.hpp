// FetchItem: one data item of FETCH / UID FETCH (RFC 9051 6.4.5, RFC 3501 6.4.5; BINARY
// of RFC 3516) parsed, with the section spec (RFC 9051 6.4.5 "BODY[<section>]<<partial>>")
// and the name the response gives it (RFC 9051 7.5.2).
//
// Grammar read by parse_fetch_items(): "ALL" / "FULL" / "FAST" (macros) / fetch-att /
// "(" fetch-att *(SP fetch-att) ")", where
//   fetch-att = ENVELOPE / FLAGS / INTERNALDATE / RFC822 [.HEADER / .SIZE / .TEXT] /
//               BODY [STRUCTURE] / UID / BODY[.PEEK] section [partial] /
//               BINARY[.PEEK] section-binary [partial] / BINARY.SIZE section-binary
//   section   = "[" [ HEADER / HEADER.FIELDS [.NOT] SP header-list / TEXT /
//                     part *("." part) ["." (HEADER... / TEXT / MIME)] ] "]"
//   partial   = "<" number "." nz-number ">"
// Invariants: MIME appears only after a part number (RFC 9051 6.4.5); BINARY sections
// have part numbers only; a list has at least one item; at most kMaxItems items and
// kMaxParts part levels, kMaxFields header names (more is a parse error).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "protocols/imap/parser.hpp"

namespace maillab::imap {

struct Section {
  enum class Text { Full, Header, HeaderFields, HeaderFieldsNot, Text, Mime };
  std::vector<std::uint32_t> part;  // "1.2" -> {1, 2}; empty: the whole message
  Text text = Text::Full;
  std::vector<std::string> fields;  // HEADER.FIELDS [.NOT] names, as given

  // The section as the response echoes it: "1.2.HEADER.FIELDS (From To)".
  std::string spec() const;
};

struct FetchItem {
  enum class Kind {
    Flags, InternalDate, Rfc822Size, Rfc822, Rfc822Header, Rfc822Text, Envelope,
    Body, BodyStructure, BodySection, Binary, BinarySize, Uid
  };
  static constexpr std::size_t kMaxItems = 100;
  static constexpr std::size_t kMaxParts = 32;
  static constexpr std::size_t kMaxFields = 200;

  Kind kind = Kind::Flags;
  Section section;  // BodySection, Binary, BinarySize
  bool peek = false;
  bool partial = false;
  std::uint32_t origin = 0;
  std::uint32_t count = 0;

  // Whether fetching it sets \Seen (RFC 9051 6.4.5: BODY[...] and BINARY[...] without
  // .PEEK, RFC822, RFC822.TEXT).
  bool sets_seen() const;
  // The item's name in the FETCH response, without the partial's length:
  // "BODY[HEADER]<0>", "RFC822.SIZE", "BINARY.SIZE[1]".
  std::string response_name() const;
};

std::optional<std::vector<FetchItem>> parse_fetch_items(Parser& p);

}  // namespace maillab::imap
