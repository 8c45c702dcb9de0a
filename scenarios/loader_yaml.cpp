#include "scenarios/loader_yaml.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>

#include "base/ascii.hpp"
#include "scenarios/duration.hpp"

namespace maillab::scenario::detail {
namespace {

// Where a key that is not allowed in the current mapping does belong (for the message).
struct Home {
  std::string_view key;
  std::string_view where;
};
constexpr std::array<Home, 50> kHomes{{
    {"scenario", "the top level"},
    {"duration", "the top level"},
    {"seed", "the top level"},
    {"hosts", "the top level"},
    {"events", "the top level"},
    {"expect", "the top level"},
    {"latency", "`network` or a link"},
    {"links", "`network`"},
    {"bandwidth", "a link"},
    {"between", "a link or a `loss` event"},
    {"address", "a host (under `hosts:`)"},
    {"resolver", "a host (under `hosts:`)"},
    {"dns", "a host (under `hosts:`)"},
    {"mta", "a host (under `hosts:`)"},
    {"pop3", "a host (under `hosts:`)"},
    {"tls", "a host (under `hosts:`), a `send` or a `fetch`"},
    {"smtps", "a host's `mta`"},
    {"smtpd_tls_security_level", "a host's `mta`"},
    {"smtpd_tls_auth_only", "a host's `mta`"},
    {"smtp_tls_security_level", "a host's `mta`"},
    {"users", "a host (under `hosts:`)"},
    {"zones", "a host's `dns`"},
    {"domains", "a host's `mta`"},
    {"relay_domains", "a host's `mta`"},
    {"mynetworks", "a host's `mta`"},
    {"submission", "a host's `mta`"},
    {"mailbox", "a host's `mta`"},
    {"queue", "a host's `mta`"},
    {"message_size_limit", "a host's `mta`"},
    {"aliases", "a host's `mta`"},
    {"queue_run_delay", "`mta.queue`"},
    {"minimal_backoff_time", "`mta.queue`"},
    {"maximal_backoff_time", "`mta.queue`"},
    {"maximal_queue_lifetime", "`mta.queue`"},
    {"bounce_queue_lifetime", "`mta.queue`"},
    {"delay_warning_time", "`mta.queue`"},
    {"smtp_connect_timeout", "`mta.queue`"},
    {"password", "a user (`alice: {password: ...}`), a `send` or a `fetch`"},
    {"at", "an item of `events`"},
    {"send", "an item of `events`"},
    {"fetch", "an item of `events`"},
    {"down", "an item of `events`"},
    {"up", "an item of `events`"},
    {"cut", "an item of `events`"},
    {"disk_full", "an item of `events`"},
    {"delivered", "an item of `expect`"},
    {"bounced", "an item of `expect`"},
    {"reply", "an item of `expect`"},
    {"queue_empty", "an item of `expect`"},
}};

// Words people use for a key, and the key they mean.
struct Synonym {
  std::string_view word;
  std::string_view key;
};
constexpr std::array<Synonym, 16> kSynonyms{{
    {"id", "scenario"},           {"name", "scenario"},     {"expectations", "expect"},
    {"expected", "expect"},       {"checks", "expect"},     {"time", "at"},
    {"when", "at"},               {"ip", "address"},        {"addr", "address"},
    {"nameserver", "resolver"},   {"dns_server", "resolver"}, {"pop", "pop3"},
    {"mydestination", "domains"}, {"rate", "loss"},         {"pass", "password"},
    {"timeout", "smtp_connect_timeout"},
}};

// Optimal string alignment distance (Levenshtein plus adjacent transpositions).
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

bool is_scalar(const YAML::Node& n) { return n.IsDefined() && n.IsScalar(); }

[[noreturn]] void fail_type(const Item& item, std::string_view expected) {
  fail(item.mark, item.name + " must be " + std::string(expected) + ", found " + found(item.node));
}

bool is_label_char(char c, bool any_case) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         (any_case && c >= 'A' && c <= 'Z');
}

bool is_dns_name(std::string_view text, bool any_case) {
  if (text.empty() || text.size() > 253) return false;
  std::size_t start = 0;
  while (true) {
    std::size_t dot = text.find('.', start);
    std::string_view label = text.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
      return false;
    for (char c : label)
      if (!is_label_char(c, any_case)) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

}  // namespace

std::string lower(std::string_view s) { return base::ascii_lower(s); }

std::string join(const std::vector<std::string_view>& words) {
  std::string out;
  for (std::string_view w : words) {
    if (!out.empty()) out += ", ";
    out += w;
  }
  return out;
}

std::string misplaced_field_hint(const YAML::Node& node, std::string_view key,
                                 const FieldTable& fields) {
  if (!node.IsDefined() || !node.IsMap()) return "";
  for (const auto& kv : node) {
    const YAML::Node k = kv.first;
    if (!is_scalar(k)) continue;
    const std::string present = k.Scalar();
    for (const auto& [container, keys] : fields)
      if (container == present && std::find(keys.begin(), keys.end(), key) != keys.end())
        return code(key) + " belongs inside " + code(container) + ": indent it under `" +
               present + ":`";
  }
  return "";
}

void fail(Mark mark, std::string message) { throw Failure{mark, std::move(message)}; }

Mark mark_of(const YAML::Node& node) {
  if (!node.IsDefined()) return {};
  YAML::Mark m = node.Mark();
  if (m.line < 0 || m.column < 0) return {};
  return {m.line + 1, m.column + 1};
}

std::string code(std::string_view text) {
  // Messages are one line: quote the first line of a value, and no more than 60 bytes.
  std::size_t cut = std::min(text.find_first_of("\r\n"), std::size_t{60});
  if (cut < text.size()) return "`" + std::string(text.substr(0, cut)) + "...`";
  return "`" + std::string(text) + "`";
}

std::string found(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return "an empty value";
  if (node.IsSequence()) return node.size() == 0 ? "an empty list" : "a list";
  if (node.IsMap()) return "a mapping";
  const std::string& text = node.Scalar();
  return text.empty() ? "an empty string" : code(text);
}

std::string closest(std::string_view word, const std::vector<std::string_view>& allowed) {
  const std::string w = lower(word);
  for (const Synonym& s : kSynonyms)
    if (s.word == w && std::find(allowed.begin(), allowed.end(), s.key) != allowed.end())
      return std::string(s.key);
  std::string best;
  std::size_t best_distance = 3;  // suggest at distance 1 or 2 only
  for (std::string_view a : allowed) {
    std::size_t d = edit_distance(w, a);
    if (d < best_distance && 2 * d < std::max(w.size(), a.size())) {
      best = std::string(a);
      best_distance = d;
    }
  }
  return best;
}

Map::Map(const Item& item, std::string what, std::vector<std::string_view> allowed,
         const KeyHint& hint)
    : what_(std::move(what)), mark_(item.key_mark) {
  const YAML::Node& n = item.node;
  if (!n.IsDefined() || n.IsNull()) return;
  if (!n.IsMap()) fail_type(item, "a mapping (`key: value` pairs)");
  for (const auto& kv : n) {  // yaml-cpp's iterator yields a temporary pair: copy the nodes
    const YAML::Node k = kv.first;
    const YAML::Node v = kv.second;
    Mark key_mark = mark_of(k);
    if (!is_scalar(k)) fail(key_mark, "a key must be a plain name, found " + found(k));
    std::string key = k.Scalar();
    if (const Entry* first = find(key))
      fail(key_mark, code(key) + " appears twice in " + what_ + " (first at line " +
                         std::to_string(first->value.key_mark.line) + ")");
    if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      std::string advice = hint ? hint(key) : std::string();
      if (key == "<<") advice = "YAML merge keys are not supported: write the keys out";
      if (advice.empty()) {
        std::string near = closest(key, allowed);
        if (!near.empty()) advice = "did you mean " + code(near) + "?";
      }
      if (advice.empty()) {
        for (const Home& h : kHomes)
          if (h.key == key) advice = code(key) + " belongs in " + std::string(h.where);
      }
      fail(key_mark, "unknown key " + code(key) + " in " + what_ +
                         (advice.empty() ? "" : " (" + advice + ")") +
                         "; allowed keys: " + join(allowed));
    }
    Mark value_mark = mark_of(v);
    // An empty value has the position of whatever follows it; point at its key instead.
    if (v.IsNull() && (value_mark.line == 0 || value_mark.line != key_mark.line))
      value_mark = key_mark;
    entries_.push_back({key, Item{v, value_mark, key_mark, code(key)}});
  }
}

const Map::Entry* Map::find(std::string_view key) const {
  for (const Entry& e : entries_)
    if (e.key == key) return &e;
  return nullptr;
}

std::optional<Item> Map::get(std::string_view key) const {
  if (const Entry* e = find(key)) return e->value;
  return std::nullopt;
}

Item Map::require(std::string_view key, std::string_view why) const {
  if (const Entry* e = find(key)) return e->value;
  fail(mark_, what_ + " needs " + code(key) + ": " + std::string(why));
}

std::string as_string(const Item& item) {
  if (!is_scalar(item.node)) fail_type(item, "a string");
  return item.node.Scalar();
}

bool as_bool(const Item& item) {
  if (is_scalar(item.node)) {
    const std::string& s = item.node.Scalar();
    if (s == "true" || s == "True" || s == "TRUE") return true;
    if (s == "false" || s == "False" || s == "FALSE") return false;
  }
  fail_type(item, "true or false");
}

std::uint64_t as_count(const Item& item) {
  if (is_scalar(item.node)) {
    const std::string& s = item.node.Scalar();
    std::uint64_t value = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (!s.empty() && s[0] != '-' && ec == std::errc() && end == s.data() + s.size())
      return value;
  }
  fail_type(item, "a whole number (0 or more)");
}

double as_rate(const Item& item) {
  if (is_scalar(item.node)) {
    const std::string& s = item.node.Scalar();
    double value = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (!s.empty() && ec == std::errc() && end == s.data() + s.size() && std::isfinite(value) &&
        value >= 0 && value <= 1)
      return value;
  }
  fail_type(item, "a number from 0 to 1 (e.g. 0.3 for 30%)");
}

std::int64_t as_duration(const Item& item) {
  if (!is_scalar(item.node)) fail_type(item, "a duration like 250ms, 30s or 1h30m");
  std::string error;
  std::optional<std::int64_t> ns = parse_duration(item.node.Scalar(), &error);
  if (!ns) fail(item.mark, "bad duration for " + item.name + ": " + error);
  return *ns;
}

std::uint64_t as_bandwidth(const Item& item) {
  if (!is_scalar(item.node)) fail_type(item, "a bandwidth like 10Mbps");
  std::string error;
  std::optional<std::uint64_t> bps = parse_bandwidth(item.node.Scalar(), &error);
  if (!bps) fail(item.mark, "bad bandwidth for " + item.name + ": " + error);
  return *bps;
}

Ipv4 as_ipv4(const Item& item) {
  if (is_scalar(item.node))
    if (auto v = parse_ipv4(item.node.Scalar())) return Ipv4{*v, item.node.Scalar()};
  fail_type(item, "an IPv4 address like 192.0.2.10");
}

Cidr as_cidr(const Item& item) {
  const std::string expected = "a network like 192.0.2.0/24 (or one address)";
  if (!is_scalar(item.node)) fail_type(item, expected);
  const std::string& s = item.node.Scalar();
  const std::optional<base::Cidr> parsed = base::Cidr::parse(s);
  if (!parsed) fail_type(item, expected);
  if (parsed->host_bits_set()) {
    const std::string prefix = std::to_string(parsed->prefix);
    fail(item.mark, code(s) + " has bits set beyond its /" + prefix + " prefix: did you mean " +
                        base::format_ipv4(parsed->network & parsed->mask()) + "/" + prefix + "?");
  }
  return Cidr{*parsed, s};
}

std::string as_host_name(const Item& item, std::string_view kind) {
  const std::string expected =
      std::string(kind) + " (lowercase letters, digits and `-`, labels joined by `.`)";
  if (!is_scalar(item.node)) fail_type(item, expected);
  const std::string& s = item.node.Scalar();
  if (is_host_name(s)) return s;
  if (is_host_name(lower(s)))
    fail(item.mark, std::string(kind.substr(kind.find(' ') + 1)) + "s are lowercase: write " +
                        code(lower(s)) + " for " + code(s));
  fail_type(item, expected);
}

bool is_user_name(std::string_view text) {
  if (text.empty() || text.size() > 64 || text.front() == '.' || text.find("..") != std::string_view::npos)
    return false;
  for (char c : text) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && c != '.' && c != '-' && c != '_' && c != '+') return false;
  }
  return true;
}

std::string as_user_name(const Item& item) {
  if (!is_scalar(item.node)) fail_type(item, "a user name like alice");
  const std::string& s = item.node.Scalar();
  if (!is_user_name(s))
    fail(item.mark, item.name + " " + code(s) +
                        " is not allowed: a user name names its mailbox directory, so it holds only "
                        "letters, digits, `.`, `-`, `_` and `+`, does not start with `.`, has no "
                        "`..` and at most 64 characters");
  return s;
}

std::string as_mail_address(const Item& item, bool display_name_allowed) {
  if (is_scalar(item.node)) {
    const std::string& s = item.node.Scalar();
    if (is_mail_address(s)) return s;
    // RFC 5322 3.4 name-addr: `Alice <alice@a.example>`.
    std::size_t open = s.find('<');
    if (display_name_allowed && open != std::string::npos && s.back() == '>' &&
        is_mail_address(std::string_view(s).substr(open + 1, s.size() - open - 2)))
      return s;
    if (!display_name_allowed && open != std::string::npos)
      fail(item.mark, item.name + " must be a bare mail address like alice@a.example (no name "
                                  "or angle brackets), found " + found(item.node));
  }
  fail_type(item, display_name_allowed
                      ? "a mail address like alice@a.example or Alice <alice@a.example>"
                      : "a mail address like alice@a.example");
}

std::vector<Item> as_list(const Item& item, bool one_allowed) {
  const YAML::Node& n = item.node;
  if (!n.IsDefined() || n.IsNull()) return {};
  if (one_allowed && n.IsScalar()) return {item};
  if (!n.IsSequence())
    fail_type(item, one_allowed ? "a list (`[a, b]` or `- a` lines) or one value"
                                : "a list (`[a, b]` or `- a` lines)");
  std::vector<Item> items;
  for (const YAML::Node& element : n) {
    Mark m = mark_of(element);
    if (m.line == 0) m = item.mark;
    items.push_back(Item{element, m, m, "an item of " + item.name});
  }
  return items;
}

std::vector<std::string> as_strings(const Item& item, bool one_allowed) {
  std::vector<std::string> out;
  for (const Item& i : as_list(item, one_allowed)) {
    out.push_back(as_string(i));
    if (out.back().empty()) fail(i.mark, i.name + " must not be empty");
  }
  return out;
}

std::pair<Item, Item> as_name_pair(const Item& item) {
  const std::string expected = "a pair of names like [a.example, b.example]";
  if (!item.node.IsDefined() || !item.node.IsSequence()) fail_type(item, expected);
  std::vector<Item> items = as_list(item);
  if (items.size() != 2)
    fail(item.mark, item.name + " must be " + expected + ", found a list of " +
                        std::to_string(items.size()));
  std::string a = as_host_name(items[0]);
  std::string b = as_host_name(items[1]);
  if (a == b) fail(items[1].mark, item.name + " names " + code(a) + " twice: name two different hosts");
  return {items[0], items[1]};
}

Mark text_start(const Item& item, const std::vector<std::string_view>& lines) {
  Mark m = item.mark;
  if (m.line < 1 || static_cast<std::size_t>(m.line) > lines.size()) return m;
  std::string_view header = lines[m.line - 1];
  if (static_cast<std::size_t>(m.column) > header.size()) return m;
  char indicator = header[m.column - 1];
  if (indicator != '|' && indicator != '>') return m;
  for (std::size_t i = m.line; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    std::size_t indent = line.find_first_not_of(' ');
    if (indent == std::string_view::npos || line[indent] == '\r') continue;  // blank
    return Mark{m.line + 1, static_cast<int>(indent) + 1};
  }
  return Mark{m.line + 1, 1};
}

bool is_host_name(std::string_view text) { return is_dns_name(text, false); }

bool is_mail_address(std::string_view text) {
  std::size_t at = text.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == text.size()) return false;
  std::string_view local = text.substr(0, at);
  std::string_view domain = text.substr(at + 1);
  for (char c : local) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u <= 32 || u == 127 || c == '<' || c == '>' || c == ',' || c == ';' || c == '@' ||
        c == '"' || c == '(' || c == ')')
      return false;
  }
  if (domain.size() > 2 && domain.front() == '[' && domain.back() == ']')
    return parse_ipv4(domain.substr(1, domain.size() - 2)).has_value();
  return is_dns_name(domain, true);
}

}  // namespace maillab::scenario::detail
