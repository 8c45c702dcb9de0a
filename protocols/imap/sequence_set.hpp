// SequenceSet: a sequence-set or uid-set (RFC 9051 9: seq-number / seq-range, "," lists,
// "*" for the largest number in use) as written, resolved against a mailbox when used.
//
// Invariants: ranges hold the numbers as written, kStar for "*"; a range "a:b" means
// min..max whatever the order (RFC 9051 9: "4:2" is "2:4"). contains() substitutes
// `largest` for "*" (the message count, or the last UID, or for an empty mailbox UIDNEXT
// as RFC 9051 9 says). format() writes a sorted list of numbers back as the shortest
// set ("1:3,5"), as ESEARCH and COPYUID want.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace maillab::imap {

class SequenceSet {
 public:
  static constexpr std::uint32_t kStar = 0;
  struct Range {
    std::uint32_t lo = 0;
    std::uint32_t hi = 0;
  };

  std::vector<Range> ranges;

  bool contains(std::uint32_t n, std::uint32_t largest) const;
  // The highest number written (stars count as `largest`).
  std::uint32_t highest(std::uint32_t largest) const;
  // False when some number (not "*") is above `count` or is 0: a sequence set naming
  // messages that do not exist (RFC 9051 9 seq-number; Dovecot: "Invalid messageset").
  bool within(std::uint32_t count) const;
  bool has_star() const;

  // Parses the whole of `text` ("1:3,5,*"); an empty set when it is not a sequence-set.
  static bool parse(std::string_view text, SequenceSet& out);
  // `sorted` ascending, no duplicates.
  static std::string format(const std::vector<std::uint32_t>& sorted);
};

}  // namespace maillab::imap
