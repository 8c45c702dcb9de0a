// Domain names as maillab::dns keeps them in memory (RFC 1035 2.3.1, 3.1, 5.1; RFC 4343).
// Invariant of a *canonical* name: presentation text, ASCII letters lowercased, no
// trailing dot, the root is "" ; bytes that are not printable ASCII or that are special
// in master files (. \ " ( ) ; @ $) are escaped (\. or \DDD), so every label, whatever
// its bytes, has exactly one canonical spelling. A canonical name always fits the wire:
// labels of at most 63 octets and at most 255 octets in all (RFC 1035 2.3.4).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace maillab::dns {

inline constexpr std::size_t kMaxLabelLength = 63;  // RFC 1035 2.3.4
inline constexpr std::size_t kMaxNameLength = 255;  // wire octets, length bytes and root included

// Raw label bytes, most specific first ("mx1.b.example" -> {"mx1","b","example"}).
using Labels = std::vector<std::string>;

// Parses presentation text (escapes \X and \DDD, trailing dot optional, "" and "." are
// the root). nullopt on a bad escape, an empty label ("a..b"), a label over 63 octets or a
// name over 255 octets; `why` (when given) then says which.
std::optional<Labels> name_to_labels(std::string_view text, std::string* why = nullptr);

// The canonical text of `labels` (see above); labels are not length-checked here.
std::string labels_to_name(const Labels& labels);
// Appends the canonical text of one label (raw bytes) to `out`.
void append_label_text(std::string& out, std::string_view label);
// True when `text` is a canonical name without escapes, so canonical_name would return it
// as is (a fast check; false for some canonical names, e.g. "a\\.b").
bool is_canonical(std::string_view text);

// name_to_labels + labels_to_name.
std::optional<std::string> canonical_name(std::string_view text, std::string* why = nullptr);

// Octets `labels` takes on the wire, uncompressed (length bytes and the root included).
std::size_t wire_length(const Labels& labels);

// True when canonical `name` is `zone` or lies below it.
bool name_in_zone(std::string_view name, std::string_view zone);

// The canonical parent ("mx1.b.example" -> "b.example", "example" -> ""); root -> root.
std::string parent_name(std::string_view name);
// The same, as a view into `name`.
std::string_view parent_view(std::string_view name);

// Presentation form with the trailing dot: "b.example." ; the root is ".".
std::string absolute_name(std::string_view name);

}  // namespace maillab::dns
