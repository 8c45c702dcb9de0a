// The loader's `expect` part: one item holding exactly one check (scenario-format.md
// "expect"). The spec makes every field but the first named an optional filter; where
// the first named field alone would leave the check without its point (`relayed` without
// `via`, `attempts` without `host`), either of the two is enough.
#include "protocols/mda/mailbox_store.hpp"
#include "scenarios/loader_yaml.hpp"

namespace maillab::scenario::detail {
namespace {

const FieldTable kCheckFields{
    {"delivered", {"to", "subject", "host", "after", "before"}},
    {"not_delivered", {"to", "subject"}},
    {"relayed", {"subject", "via", "tls"}},
    {"bounced", {"to", "original_to", "status"}},
    {"reply", {"host", "code", "count"}},
    {"attempts", {"subject", "host", "min", "max"}},
    {"queue_empty", {}},
    {"fetched", {"user", "count", "tls"}},
    {"authenticated", {"to", "subject", "spf", "dkim", "dmarc"}},
    {"stored", {"user", "host", "folder", "count", "seen"}},
};

// The result names of RFC 8601 2.7 the `authenticated` check takes (scenario-format.md).
const std::vector<std::string_view> kAuthResults{"pass",    "fail",      "softfail", "neutral",
                                                 "none",    "temperror", "permerror"};

std::optional<std::string> auth_result(const Map& m, std::string_view key) {
  std::optional<Item> i = m.get(key);
  if (!i) return std::nullopt;
  std::string result = as_string(*i);
  for (std::string_view r : kAuthResults)
    if (result == r) return result;
  std::string hint = closest(result, kAuthResults);
  fail(i->mark, code(key) + " must be one of " + join(kAuthResults) + ", found " + found(i->node) +
                    (hint.empty() ? "" : " (did you mean " + code(hint) + "?)"));
}

std::vector<std::string_view> check_names() {
  std::vector<std::string_view> names;
  for (const auto& [name, fields] : kCheckFields) names.push_back(name);
  return names;
}

Map check_map(const Map::Entry& e) {
  for (const auto& [name, fields] : kCheckFields)
    if (name == e.key) return Map(e.value, code(e.key), fields);
  fail(e.value.key_mark, "unknown check " + code(e.key));  // not reached: keys are checked
}

std::optional<std::string> optional_string(const Map& m, std::string_view key) {
  if (std::optional<Item> i = m.get(key)) return as_string(*i);
  return std::nullopt;
}

std::optional<std::uint64_t> optional_count(const Map& m, std::string_view key) {
  if (std::optional<Item> i = m.get(key)) return as_count(*i);
  return std::nullopt;
}

std::string address(const Map& m, std::string_view key, std::string_view why) {
  return as_mail_address(m.require(key, why));
}

std::optional<std::string> host(const Map& m, std::string_view key, std::string role,
                                Context& cx) {
  std::optional<Item> i = m.get(key);
  if (!i) return std::nullopt;
  std::string name = as_host_name(*i);
  cx.refer(*i, name, std::move(role), Need::Mta);
  return name;
}

// An enhanced status code (RFC 3463) or a prefix of one: "5", "5.1", "5.1.1".
bool is_status_prefix(std::string_view s) {
  if (s.empty() || (s[0] != '2' && s[0] != '4' && s[0] != '5')) return false;
  std::size_t i = 1;
  for (int part = 0; part < 2 && i < s.size(); ++part) {
    if (s[i] != '.') return false;
    std::size_t start = ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == start || i - start > 3) return false;
  }
  return i == s.size();
}

void require_one_of(const Map& m, std::string_view a, std::string_view b) {
  if (!m.find(a) && !m.find(b))
    fail(m.mark(), m.what() + " needs " + code(a) + ", " + code(b) + " or both");
}

Check parse_check(const Map::Entry& e, Context& cx) {
  const std::string& k = e.key;
  if (k == "queue_empty") {
    std::string name = as_string(e.value);
    if (name == "all") return QueueEmpty{name};
    name = as_host_name(e.value, "a host name or `all`");
    cx.refer(e.value, name, "`queue_empty`", Need::Mta);
    return QueueEmpty{name};
  }
  Map m = check_map(e);
  const std::string to_why = "the mailbox's address, e.g. `to: bob@b.example`";
  if (k == "delivered") {
    Delivered d;
    d.to = address(m, "to", to_why);
    d.subject = optional_string(m, "subject");
    d.host = host(m, "host", "`delivered.host`", cx);
    if (std::optional<Item> i = m.get("after")) d.after_ns = as_duration(*i);
    if (std::optional<Item> i = m.get("before")) {
      d.before_ns = as_duration(*i);
      if (d.after_ns && *d.after_ns > *d.before_ns)
        fail(i->mark, "`before` (" + format_duration(*d.before_ns) + ") is earlier than `after` (" +
                          format_duration(*d.after_ns) + "): no delivery fits that window");
    }
    return d;
  }
  if (k == "not_delivered") return NotDelivered{address(m, "to", to_why), optional_string(m, "subject")};
  if (k == "relayed") {
    require_one_of(m, "subject", "via");
    Relayed r{optional_string(m, "subject"), host(m, "via", "`relayed.via`", cx), std::nullopt};
    if (std::optional<Item> i = m.get("tls")) r.tls = as_bool(*i);
    return r;
  }
  if (k == "bounced") {
    Bounced b;
    b.to = address(m, "to", "the address the DSN goes to (the original sender)");
    if (std::optional<Item> i = m.get("original_to")) b.original_to = as_mail_address(*i);
    if (std::optional<Item> i = m.get("status")) {
      b.status = as_string(*i);
      if (!is_status_prefix(*b.status))
        fail(i->mark, "`status` must be an enhanced status code or its start, like 5.1.1, "
                      "5.1 or 5, found " + found(i->node));
    }
    return b;
  }
  if (k == "reply") {
    ReplyCheck r;
    m.require("host", "whose SMTP server sent the reply");
    r.host = *host(m, "host", "`reply.host`", cx);
    if (std::optional<Item> i = m.get("code")) {
      std::uint64_t code_value = as_count(*i);
      if (code_value < 200 || code_value > 599)
        fail(i->mark, "`code` must be an SMTP reply code from 200 to 599, found " + found(i->node));
      r.code = static_cast<int>(code_value);
    }
    r.count = optional_count(m, "count");
    return r;
  }
  if (k == "attempts") {
    require_one_of(m, "subject", "host");
    Attempts a;
    a.subject = optional_string(m, "subject");
    a.host = host(m, "host", "`attempts.host`", cx);
    a.min = optional_count(m, "min");
    a.max = optional_count(m, "max");
    if (a.min && a.max && *a.min > *a.max)
      fail(m.find("max")->value.mark, "`max` (" + std::to_string(*a.max) + ") is less than `min` (" +
                                          std::to_string(*a.min) + ")");
    return a;
  }
  if (k == "authenticated") {
    Authenticated a;
    a.to = address(m, "to", "the recipient of the message, e.g. `to: bob@b.example`");
    a.subject = optional_string(m, "subject");
    a.spf = auth_result(m, "spf");
    a.dkim = auth_result(m, "dkim");
    a.dmarc = auth_result(m, "dmarc");
    return a;
  }
  if (k == "stored") {
    Stored st;
    Item user = m.require("user", "whose mailbox, e.g. `user: bob`");
    user.name = "`stored.user`";
    st.user = as_user_name(user);
    m.require("host", "the host holding the mailbox, e.g. `host: mx.b.example`");
    st.host = *host(m, "host", "`stored.host`", cx);
    if (std::optional<Item> i = m.get("folder")) {
      st.folder = as_string(*i);
      if (!mda::valid_folder_name(st.folder))
        fail(i->mark, "`folder` must be a folder name like INBOX, Sent or Work.Projects, found " + found(i->node));
      st.folder = mda::canonical_folder_name(st.folder);
    }
    st.count = optional_count(m, "count");
    st.seen = optional_count(m, "seen");
    return st;
  }
  Fetched f;
  Item user = m.require("user", "whose MUA retrieved the mail, e.g. `user: bob`");
  f.user = as_string(user);
  if (f.user.empty()) fail(user.mark, "`user` must not be empty");
  f.count = optional_count(m, "count");
  if (std::optional<Item> i = m.get("tls")) f.tls = as_bool(*i);
  return f;
}

}  // namespace

Expectation parse_expectation(const Item& item, Context& cx) {
  const std::vector<std::string_view> names = check_names();
  Map m(item, "an expectation", names, [&](std::string_view key) {
    return misplaced_field_hint(item.node, key, kCheckFields);
  });
  if (m.entries().empty()) fail(m.mark(), "an expectation needs one check: " + join(names));
  if (m.entries().size() > 1)
    fail(m.entries()[1].value.key_mark,
         "an expectation holds exactly one check; this one has " + code(m.entries()[0].key) +
             " and " + code(m.entries()[1].key) + ": write two items");
  return Expectation{parse_check(m.entries()[0], cx), item.mark};
}

}  // namespace maillab::scenario::detail
