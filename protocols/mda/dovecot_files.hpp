// The control files Dovecot keeps beside a Maildir++ folder, written and read so that
// Dovecot takes over a store the lab wrote (and the lab reads one Dovecot wrote):
// - dovecot-uidlist (version 3): "3 V<uidvalidity> N<uidnext> G<128-bit hex>" then one
//   "<uid> :<base name>" line per message, ascending UID. Version 1 (Courier's
//   "1 <uidvalidity> <uidnext>", "<uid> <name>") is read too; extension fields before
//   ":" ("W1234") are skipped.
// - dovecot-keywords: "<index> <keyword>" lines; index i is the Maildir letter 'a' + i.
// - the Maildir info suffix ":2,<letters>" (https://cr.yp.to/proto/maildir.html): D
//   \Draft, F \Flagged, R \Answered, S \Seen, T \Deleted, then a-z for keywords, in
//   ASCII order; other letters are ignored when read.
// Parsers never fail: a malformed line is skipped (Dovecot rebuilds what it cannot read).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace maillab::mda {

struct UidList {
  std::uint32_t uidvalidity = 0;
  std::uint32_t uidnext = 1;
  std::string guid;  // 32 hex digits
  std::vector<std::pair<std::uint32_t, std::string>> records;  // uid, base name
};

std::string format_uidlist(const UidList& list);
// nullopt when the header is not a version 1 or 3 header.
std::optional<UidList> parse_uidlist(std::string_view text);

std::string format_keywords(const std::vector<std::string>& keywords);
std::vector<std::string> parse_keywords(std::string_view text);

// "DFRST" and "a".."z" letters (no ":2," prefix), in ASCII order.
std::string maildir_flag_letters(std::uint8_t flags, std::uint32_t keywords);
// The letters after ":2," in a file name; unknown letters ignored.
void parse_maildir_flags(std::string_view letters, std::uint8_t& flags, std::uint32_t& keywords);

}  // namespace maillab::mda
