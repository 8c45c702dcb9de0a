// Internal to the loader (loader*.cpp): typed reads of yaml-cpp nodes that fail with one
// clear message at a 1-based file position, so that each check in the loader is one line.
//
// A problem is reported by throwing detail::Failure; load_scenario_text() catches it and
// turns it into the one LoadError of the file. Nothing else throws it, and it never
// leaves the loader. Only const, read-only yaml-cpp calls are used (operator[] on a
// mutable node would insert keys), and nothing calls Node::as<>() (no BadConversion).
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "scenarios/model.hpp"

namespace maillab::scenario::detail {

struct Failure {
  Mark mark;
  std::string message;
};

[[noreturn]] void fail(Mark mark, std::string message);

// yaml-cpp's 0-based mark as 1-based; {0, 0} when yaml-cpp has none.
Mark mark_of(const YAML::Node& node);

// One YAML value and where it stands.
struct Item {
  YAML::Node node;
  Mark mark;         // where problems with the value point
  Mark key_mark;     // the key it is the value of (the item itself in a list)
  std::string name;  // how messages name it: "`latency`", "an item of `to`"
};

// What a node is, for "found ...": "`30`", "a list", "a mapping", "an empty value".
std::string found(const YAML::Node& node);

// "`x`"
std::string code(std::string_view text);

// The allowed word nearest to `word` when it is a likely typo (or a known synonym), else "".
std::string closest(std::string_view word, const std::vector<std::string_view>& allowed);

// Extra advice for a key that is not allowed in this mapping, or "" (see Map).
using KeyHint = std::function<std::string(std::string_view key)>;

// For a mapping holding one action or check (an event, an expectation): when `key` is a
// field of the action/check present in `node` (per `fields`), advice to indent it under
// that action ("`from` belongs inside `send`: ..."), else "".
using FieldTable = std::vector<std::pair<std::string_view, std::vector<std::string_view>>>;
std::string misplaced_field_hint(const YAML::Node& node, std::string_view key,
                                 const FieldTable& fields);

// ASCII lowercase.
std::string lower(std::string_view s);

// "a, b, c"
std::string join(const std::vector<std::string_view>& words);

// A mapping whose keys are checked on construction: it is a mapping (an empty value
// counts as an empty one), no key appears twice, and, unless `allowed` is empty (a data
// mapping such as `hosts` or `users`), every key is one of `allowed`.
class Map {
 public:
  struct Entry {
    std::string key;
    Item value;  // value.key_mark is the key's position
  };

  // `what` names the mapping in messages: "the scenario", "host `pc.alice`".
  Map(const Item& item, std::string what, std::vector<std::string_view> allowed,
      const KeyHint& hint = {});

  const Entry* find(std::string_view key) const;
  std::optional<Item> get(std::string_view key) const;
  // Fails "<what> needs `key`: <why>" at the mapping's key when the key is missing.
  Item require(std::string_view key, std::string_view why) const;
  const std::vector<Entry>& entries() const { return entries_; }
  const std::string& what() const { return what_; }
  Mark mark() const { return mark_; }

 private:
  std::vector<Entry> entries_;
  std::string what_;
  Mark mark_;
};

// Scalars. Every reader fails with "<name> must be <expected>, found <found>".
std::string as_string(const Item& item);
bool as_bool(const Item& item);
std::uint64_t as_count(const Item& item);  // a whole number >= 0
double as_rate(const Item& item);          // 0..1
std::int64_t as_duration(const Item& item);
std::uint64_t as_bandwidth(const Item& item);
Ipv4 as_ipv4(const Item& item);
Cidr as_cidr(const Item& item);             // a.b.c.d/n, or a bare address (/32)
// A lowercase DNS name; `kind` names it in messages ("a host name", "a domain name").
std::string as_host_name(const Item& item, std::string_view kind = "a host name");
// A user name (a `users` key, a fetch's `user`): it names a mailbox directory under
// --mailboxes (DIR/HOST/USER), so only letters, digits, `.`, `-`, `_` and `+`, not
// starting with `.` nor holding `..`, at most 64 octets (RFC 5321 4.5.3.1.1).
std::string as_user_name(const Item& item);
bool is_user_name(std::string_view text);
// local@domain; with display_name_allowed also `Alice <alice@a.example>` (as written).
std::string as_mail_address(const Item& item, bool display_name_allowed = false);

// A list; an empty value is an empty list. With `one_allowed`, a lone scalar is a list
// of one (an extension: `to: bob@b.example`).
std::vector<Item> as_list(const Item& item, bool one_allowed = false);
std::vector<std::string> as_strings(const Item& item, bool one_allowed = false);
// `[A, B]`: two different host (or router) names; the items, for their marks.
std::pair<Item, Item> as_name_pair(const Item& item);

// The place (1-based) where the text of a block scalar (`|`, `>`) starts: the line after
// the indicator, at the indentation of its first non-blank line. For other scalars, the
// scalar's own mark. `lines` is the scenario text split at '\n'.
Mark text_start(const Item& item, const std::vector<std::string_view>& lines);

// ---- the loader's parts, which share one Context ---------------------------------------

// What a host name mentioned in an event or an expectation must name; checked once every
// host is known (hosts may be declared after the events that use them).
enum class Need { Host, Node /* a host or a router of network.links */, Mta, Pop3, Imap, Dns, Webmail };
struct Reference {
  std::string name;
  Mark mark;
  std::string role;  // "`send.server`"
  Need need;
};

struct Context {
  std::vector<std::string_view> lines;  // the scenario text split at '\n'
  std::vector<Reference> references;    // in the order found
  void refer(const Item& item, std::string name, std::string role, Need need) {
    references.push_back({std::move(name), item.mark, std::move(role), need});
  }
};

Host parse_host(const Map::Entry& entry, Context& cx);       // loader_hosts.cpp
// The Postfix staples of an `mta` block (loader_staples.cpp): the keys, and their reader.
extern const std::vector<std::string_view> kStapleKeys;
void parse_staples(const Map& m, MtaConfig& mta);
// A size in bytes: a whole number, or with a k or M unit (powers of 1024): `20k`.
std::uint64_t as_size(const Item& item);
Event parse_event(const Item& item, Context& cx);            // loader_events.cpp
Expectation parse_expectation(const Item& item, Context& cx);  // loader_expect.cpp
// Every host name in cx.references names a host that can play its role (loader.cpp).
void check_references(const Scenario& s, const Context& cx);

// ---- plain syntax checks (tested on their own in tests/scenarios/loader_test.cpp) -------
using base::parse_ipv4;  // base/ipv4.hpp
bool is_host_name(std::string_view text);     // lowercase labels [a-z0-9-], dot-separated
bool is_mail_address(std::string_view text);  // local@domain, no spaces or brackets

}  // namespace maillab::scenario::detail
