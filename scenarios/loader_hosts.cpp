// The loader's `hosts` part: one host's settings (scenario-format.md "hosts").
#include <algorithm>

#include "scenarios/loader_tls.hpp"
#include "scenarios/loader_yaml.hpp"

namespace maillab::scenario::detail {
namespace {

const std::vector<std::string_view> kHostKeys{"address", "resolver", "dns", "mta", "pop3",
                                              "imap", "users", "tls", "pop3s", "imaps",
                                              "webmail"};

// A local part (user or alias name): what may stand before the `@` of an address.
std::string as_local_part(const std::string& text, Mark mark, std::string_view what) {
  if (text.find('@') != std::string::npos || !is_mail_address(text + "@x"))
    fail(mark, std::string(what) + " must be a local part (the name before `@`, like alice), "
                                   "found " + code(text));
  return text;
}

// A key of a data mapping (a user name, an alias) as an Item, for the readers.
Item key_item(const Map::Entry& e, std::string name) {
  return Item{YAML::Node(e.key), e.value.key_mark, e.value.key_mark, std::move(name)};
}

std::int64_t positive_duration(const Map& m, std::string_view key, std::int64_t fallback) {
  std::optional<Item> item = m.get(key);
  if (!item) return fallback;
  std::int64_t ns = as_duration(*item);
  if (ns == 0) fail(item->mark, item->name + " must be greater than 0s");
  return ns;
}

std::int64_t any_duration(const Map& m, std::string_view key, std::int64_t fallback) {
  std::optional<Item> item = m.get(key);
  return item ? as_duration(*item) : fallback;
}

// Queue timers count in seconds, as Postfix's time units do (s, m, h, d, w): a value under
// a second is refused, since a queue scanned every nanosecond never lets `run` or `chaos`
// reach the end. `zero_ok`: 0 has a meaning of its own (try once, no warnings).
std::int64_t queue_duration(const Map& m, std::string_view key, std::int64_t fallback, bool zero_ok) {
  const std::int64_t ns = zero_ok ? any_duration(m, key, fallback) : positive_duration(m, key, fallback);
  if (ns != 0 && ns < kSecond) {
    const Item item = *m.get(key);  // the defaults are whole seconds: the value was given
    fail(item.mark, item.name + " must be " + (zero_ok ? "0s or " : "") +
                        "at least 1s (queue times count in seconds, as Postfix's do), found " +
                        format_duration(ns));
  }
  return ns;
}

QueueConfig parse_queue(const Item& item, const std::string& host) {
  Map m(item, "`queue` of host " + code(host),
        {"queue_run_delay", "minimal_backoff_time", "maximal_backoff_time",
         "maximal_queue_lifetime", "bounce_queue_lifetime", "delay_warning_time",
         "smtp_connect_timeout"});
  QueueConfig q;
  // Postfix refuses zero for these four (the queue manager would spin); a zero lifetime
  // is allowed and means "try once", a zero delay_warning_time "no warnings".
  q.queue_run_delay_ns = queue_duration(m, "queue_run_delay", q.queue_run_delay_ns, false);
  q.minimal_backoff_time_ns = queue_duration(m, "minimal_backoff_time", q.minimal_backoff_time_ns, false);
  q.maximal_backoff_time_ns = queue_duration(m, "maximal_backoff_time", q.maximal_backoff_time_ns, false);
  q.maximal_queue_lifetime_ns = queue_duration(m, "maximal_queue_lifetime", q.maximal_queue_lifetime_ns, true);
  q.bounce_queue_lifetime_ns = queue_duration(m, "bounce_queue_lifetime", q.bounce_queue_lifetime_ns, true);
  q.delay_warning_time_ns = queue_duration(m, "delay_warning_time", q.delay_warning_time_ns, true);
  q.smtp_connect_timeout_ns = queue_duration(m, "smtp_connect_timeout", q.smtp_connect_timeout_ns, false);
  return q;
}

// A list of domains, none twice, none of them in `taken` (the other list).
std::vector<std::string> parse_domains(const Map& m, std::string_view key,
                                       const std::vector<std::string>& taken) {
  std::vector<std::string> out;
  if (std::optional<Item> list = m.get(key)) {
    for (const Item& i : as_list(*list, true)) {
      std::string d = as_host_name(i, "a domain name");
      if (std::find(out.begin(), out.end(), d) != out.end())
        fail(i.mark, code(d) + " appears twice in " + list->name);
      if (std::find(taken.begin(), taken.end(), d) != taken.end())
        fail(i.mark, code(d) + " is in both `domains` and `relay_domains`: a domain is either "
                               "delivered here or relayed onwards");
      out.push_back(d);
    }
  }
  return out;
}

// A count that fits an int (error and failure limits).
int small_count(const Item& item) {
  std::uint64_t n = as_count(item);
  if (n > 1000000) fail(item.mark, item.name + " must be at most 1000000, found " + found(item.node));
  return static_cast<int>(n);
}

// The optional limits on erring clients and password guessers (docs/security.md).
void parse_limits(const Map& m, MtaConfig& mta) {
  if (std::optional<Item> i = m.get("smtpd_soft_error_limit")) mta.smtpd_soft_error_limit = small_count(*i);
  if (std::optional<Item> i = m.get("smtpd_hard_error_limit")) {
    mta.smtpd_hard_error_limit = small_count(*i);
    if (mta.smtpd_hard_error_limit == 0)
      fail(i->mark, "`smtpd_hard_error_limit` must be at least 1 (the first error would close "
                    "the session)");
  }
  mta.smtpd_error_sleep_time_ns = any_duration(m, "smtpd_error_sleep_time", mta.smtpd_error_sleep_time_ns);
  mta.anvil_rate_time_unit_ns = positive_duration(m, "anvil_rate_time_unit", mta.anvil_rate_time_unit_ns);
  if (std::optional<Item> i = m.get("smtpd_client_auth_failure_limit"))
    mta.smtpd_client_auth_failure_limit = small_count(*i);
  mta.auth_failure_delay_ns = any_duration(m, "auth_failure_delay", mta.auth_failure_delay_ns);
  for (const char* key : {"smtpd_error_sleep_time", "auth_failure_delay"}) {
    std::optional<Item> i = m.get(key);
    if (i && as_duration(*i) > 3600 * kSecond)
      fail(i->mark, code(key) + " must be at most 1h, found " + found(i->node));
  }
}

// `dkim:` a list of {domain, selector, algorithm}; a (domain, selector) pair once.
std::vector<DkimSigning> parse_dkim(const Item& item) {
  std::vector<DkimSigning> out;
  for (const Item& i : as_list(item)) {
    Map m(i, "an item of `dkim`", {"domain", "selector", "algorithm"});
    DkimSigning d;
    d.mark = i.mark;
    d.domain = as_host_name(m.require("domain", "the signing domain (d=), e.g. `domain: a.example`"),
                            "a domain name");
    Item selector = m.require("selector", "the key's selector (s=), e.g. `selector: s1`");
    d.selector = as_host_name(selector, "a selector");
    if (std::optional<Item> a = m.get("algorithm")) {
      d.algorithm = as_string(*a);
      if (d.algorithm != "rsa-sha256" && d.algorithm != "ed25519-sha256")
        fail(a->mark, "`algorithm` must be rsa-sha256 or ed25519-sha256, found " + found(a->node));
    }
    for (const DkimSigning& seen : out)
      if (seen.domain == d.domain && seen.selector == d.selector)
        fail(selector.mark, "selector " + code(d.selector) + " of " + code(d.domain) +
                                " appears twice in `dkim`: one key per selector");
    out.push_back(std::move(d));
  }
  return out;
}

// `smtpd_checks:` {spf: off|tag|reject, dkim: off|tag, dmarc: off|tag|enforce}.
SmtpdChecks parse_checks(const Item& item, const std::string& host) {
  Map m(item, "`smtpd_checks` of host " + code(host), {"spf", "dkim", "dmarc"});
  auto mode = [&](std::string_view key, std::vector<std::pair<std::string_view, CheckMode>> allowed) {
    std::optional<Item> i = m.get(key);
    if (!i) return CheckMode::Off;
    const std::string word = as_string(*i);
    std::vector<std::string_view> names;
    for (const auto& [name, value] : allowed) {
      if (word == name) return value;
      names.push_back(name);
    }
    // YAML 1.1 readers take a bare `off` for false; yaml-cpp keeps the word, so it is read
    // here as written.
    fail(i->mark, code(key) + " must be " + join(names) + ", found " + found(i->node));
  };
  SmtpdChecks c;
  c.spf = mode("spf", {{"off", CheckMode::Off}, {"tag", CheckMode::Tag}, {"reject", CheckMode::Reject}});
  c.dkim = mode("dkim", {{"off", CheckMode::Off}, {"tag", CheckMode::Tag}});
  c.dmarc = mode("dmarc", {{"off", CheckMode::Off}, {"tag", CheckMode::Tag}, {"enforce", CheckMode::Enforce}});
  return c;
}

MtaConfig parse_mta(const Item& item, const std::string& host) {
  std::vector<std::string_view> keys{
      "domains", "relay_domains", "mynetworks", "submission", "mailbox", "queue",
      "message_size_limit", "aliases", "discard", "smtpd_soft_error_limit",
      "smtpd_hard_error_limit", "smtpd_error_sleep_time", "anvil_rate_time_unit",
      "smtpd_client_auth_failure_limit", "auth_failure_delay", "dkim", "smtpd_checks", "smtps",
      "smtpd_tls_security_level", "smtpd_tls_auth_only", "smtp_tls_security_level", "smtp_chunking", "smtputf8_enable",
      "smtp_connection_cache_on_demand"};
  keys.insert(keys.end(), kStapleKeys.begin(), kStapleKeys.end());
  Map m(item, "`mta` of host " + code(host), keys);
  MtaConfig mta;
  parse_staples(m, mta);
  mta.mark = item.key_mark;
  mta.domains = parse_domains(m, "domains", {});
  mta.relay_domains = parse_domains(m, "relay_domains", mta.domains);
  if (std::optional<Item> list = m.get("mynetworks"))
    for (const Item& i : as_list(*list, true)) mta.mynetworks.push_back(as_cidr(i));
  if (std::optional<Item> i = m.get("submission")) mta.submission = as_bool(*i);
  if (std::optional<Item> i = m.get("mailbox")) {
    mta.mailbox = as_string(*i);
    if (mta.mailbox != "maildir" && mta.mailbox != "mbox")
      fail(i->mark, "`mailbox` must be maildir or mbox, found " + found(i->node));
  }
  if (std::optional<Item> i = m.get("queue")) mta.queue = parse_queue(*i, host);
  if (std::optional<Item> i = m.get("message_size_limit")) mta.message_size_limit = as_count(*i);
  if (std::optional<Item> i = m.get("discard")) mta.discard = as_bool(*i);
  if (std::optional<Item> i = m.get("smtp_chunking")) mta.smtp_chunking = as_bool(*i);
  if (std::optional<Item> i = m.get("smtp_connection_cache_on_demand"))
    mta.smtp_connection_cache_on_demand = as_bool(*i);
  if (std::optional<Item> i = m.get("smtputf8_enable")) mta.smtputf8_enable = as_bool(*i);
  parse_limits(m, mta);
  if (std::optional<Item> i = m.get("dkim")) mta.dkim = parse_dkim(*i);
  if (std::optional<Item> i = m.get("smtpd_checks")) mta.smtpd_checks = parse_checks(*i, host);
  parse_mta_tls(m, mta);
  if (std::optional<Item> i = m.get("aliases")) {
    Map aliases(*i, "`aliases` of host " + code(host), {});
    for (const Map::Entry& e : aliases.entries()) {
      as_local_part(e.key, e.value.key_mark, "an alias name");
      // Local parts match without regard to case (Postfix local(8) folds them).
      for (const auto& [name, targets] : mta.aliases)
        if (lower(name) == lower(e.key))
          fail(e.value.key_mark, "alias " + code(e.key) + " is alias " + code(name) +
                                     " again: local parts ignore case");
      std::vector<std::string> targets = as_strings(e.value, true);
      if (targets.empty())
        fail(e.value.mark, "alias " + code(e.key) + " needs at least one target, like [alice]");
      mta.aliases[e.key] = std::move(targets);
    }
  }
  return mta;
}

DnsServer parse_dns(const Item& item, const std::string& host, const Context& cx) {
  Map m(item, "`dns` of host " + code(host), {"zones"});
  DnsServer dns;
  dns.mark = item.key_mark;
  if (std::optional<Item> zones = m.get("zones"))
    for (const Item& z : as_list(*zones))
      dns.zones.push_back(ZoneText{as_string(z), text_start(z, cx.lines)});
  return dns;
}

// `webmail: {imap: HOST, submission: HOST}` (scenario-format.md 1.1 "Webmail").
WebmailSpec parse_webmail(const Item& item, const std::string& host, Context& cx) {
  Map m(item, "`webmail` of host " + code(host), {"imap", "submission"});
  WebmailSpec w;
  w.mark = item.key_mark;
  Item imap = m.require("imap", "the host whose IMAP server it reads, e.g. `imap: mx.b.example`");
  w.imap = as_host_name(imap);
  cx.refer(imap, w.imap, "`webmail.imap` of host " + code(host), Need::Imap);
  Item sub = m.require("submission", "the host it sends through on port 587, e.g. `submission: mx.b.example`");
  w.submission = as_host_name(sub);
  cx.refer(sub, w.submission, "`webmail.submission` of host " + code(host), Need::Mta);
  return w;
}

}  // namespace

Host parse_host(const Map::Entry& entry, Context& cx) {
  const Item& value = entry.value;
  // `address: ...` written at the level of host names: the host's keys lost their indent.
  if (std::find(kHostKeys.begin(), kHostKeys.end(), entry.key) != kHostKeys.end() &&
      !value.node.IsMap())
    fail(value.key_mark, code(entry.key) + " is not a host name: indent a host's settings "
                                           "under its name (`mail.a.example:` then `  " +
                             entry.key + ": ...`)");
  Host h;
  h.name = as_host_name(key_item(entry, "a key of `hosts`"));
  h.mark = value.key_mark;
  Item named = value;
  named.name = "host " + code(h.name);
  Map m(named, named.name, kHostKeys);
  h.address = as_ipv4(m.require("address", "its IPv4 address, e.g. `address: 192.0.2.10`"));
  if (std::optional<Item> i = m.get("resolver")) h.resolver = as_ipv4(*i);
  if (std::optional<Item> i = m.get("dns")) h.dns = parse_dns(*i, h.name, cx);
  if (std::optional<Item> i = m.get("mta")) h.mta = parse_mta(*i, h.name);
  if (std::optional<Item> i = m.get("pop3")) h.pop3 = as_bool(*i);
  if (std::optional<Item> i = m.get("tls")) h.tls = parse_host_tls(*i, h.name);
  if (std::optional<Item> i = m.get("imap")) {
    h.imap = as_bool(*i);
    // IMAP's folders, flags and UIDs live in Maildir++ (Dovecot's layout): mbox has none.
    if (h.imap && h.mta && h.mta->mailbox != "maildir")
      fail(i->mark, "`imap: true` needs the host's mailboxes in Maildir (`mailbox: maildir`), "
                    "not " + code(h.mta->mailbox));
  }
  if (std::optional<Item> i = m.get("imaps")) {
    h.imaps = as_bool(*i);
    if (h.imaps && !h.imap) fail(i->mark, "`imaps: true` needs `imap: true` (the IMAP server it encrypts)");
  }
  if (std::optional<Item> i = m.get("pop3s")) {
    h.pop3s = as_bool(*i);
    if (h.pop3s && !h.pop3) fail(i->mark, "`pop3s: true` needs `pop3: true` (the POP3 server it encrypts)");
  }
  for (const char* key : {"pop3s", "imaps"})
    if (std::optional<Item> i = m.get(key); i && as_bool(*i) && !h.tls)
      fail(i->mark, code(key) + " is implicit TLS and needs the host's `tls` (a certificate)");
  if (std::optional<Item> i = m.get("webmail")) h.webmail = parse_webmail(*i, h.name, cx);
  if (std::optional<Item> i = m.get("users")) {
    Map users(*i, "`users` of host " + code(h.name), {});
    for (const Map::Entry& e : users.entries()) {
      User u;
      u.name = as_user_name(key_item(e, "user name"));
      u.mark = e.value.key_mark;
      for (const auto& [name, other] : h.users)
        if (lower(name) == lower(u.name))
          fail(u.mark, "user " + code(u.name) + " is user " + code(name) +
                           " again: user names ignore case (BOB@ is bob)");
      Item user = e.value;
      user.name = "user " + code(e.key);
      Map settings(user, user.name, {"password", "quota"});
      if (std::optional<Item> p = settings.get("password")) u.password = as_string(*p);
      if (std::optional<Item> q = settings.get("quota")) u.quota = as_size(*q);
      h.users[u.name] = std::move(u);
    }
  }
  return h;
}

}  // namespace maillab::scenario::detail
