// The loader's `events` part: one item with `at` and exactly one action
// (scenario-format.md "events"). Host names are recorded in the Context and checked
// once every host is known.
#include <tuple>

#include "scenarios/loader_yaml.hpp"

namespace maillab::scenario::detail {
namespace {

const std::vector<std::string_view> kActions{"send", "fetch", "down",  "up",        "refuse",
                                             "accept", "cut", "heal", "loss", "disk_full",
                                             "disk_ok", "flush", "idle", "dns_set",
                                             "strip_starttls", "unstrip_starttls"};

const FieldTable kActionFields{
    {"send", {"from", "to", "cc", "bcc", "subject", "body", "client", "server", "auth", "password", "tls",
              "save_sent", "via"}},
    {"fetch", {"user", "server", "client", "protocol", "delete", "password", "tls"}},
    {"idle", {"user", "server", "client", "until", "password"}},
    {"refuse", {"host", "service"}},
    {"accept", {"host", "service"}},
    {"loss", {"between", "rate"}},
    {"dns_set", {"server", "record"}},
};

const std::vector<std::string_view>& fields_of(std::string_view action) {
  for (const auto& [name, fields] : kActionFields)
    if (name == action) return fields;
  static const std::vector<std::string_view> kNone;
  return kNone;
}

std::optional<std::string> optional_string(const Map& m, std::string_view key) {
  if (std::optional<Item> i = m.get(key)) return as_string(*i);
  return std::nullopt;
}

std::string host_ref(const Item& item, std::string role, Need need, Context& cx) {
  std::string name = as_host_name(item);
  cx.refer(item, name, std::move(role), need);
  return name;
}

Send parse_send(const Item& item, Context& cx) {
  Map m(item, "`send`", fields_of("send"));
  Send s;
  s.from = as_mail_address(m.require("from", "the sender's address, e.g. `from: alice@a.example`"),
                           true);
  if (std::optional<Item> i = m.get("to")) s.to = as_strings(*i, true);
  if (std::optional<Item> i = m.get("cc")) s.cc = as_strings(*i, true);
  if (std::optional<Item> i = m.get("bcc")) s.bcc = as_strings(*i, true);
  if (s.to.empty() && s.cc.empty() && s.bcc.empty())
    fail(m.mark(), "`send` needs at least one recipient in `to`, `cc` or `bcc`");
  s.subject = optional_string(m, "subject").value_or("");
  s.body = optional_string(m, "body").value_or("");
  if (std::optional<Item> i = m.get("client"))
    s.client = host_ref(*i, "`send.client`", Need::Host, cx);
  if (std::optional<Item> i = m.get("via"))
    s.via = host_ref(*i, "`send.via`", Need::Webmail, cx);
  if (s.via && !m.get("server")) {
    s.server.clear();  // the webmail's submission host (World)
  } else {
    s.server = host_ref(m.require("server", "the MTA the message is submitted to (its MSA)"),
                        "`send.server`", Need::Mta, cx);
  }
  s.auth = optional_string(m, "auth");
  if (s.auth && s.auth->empty())
    fail(m.find("auth")->value.mark, "`auth` must name a user of the server, or be `none`");
  s.password = optional_string(m, "password");
  s.tls = optional_string(m, "tls");
  if (s.tls && *s.tls != "starttls" && *s.tls != "implicit" && *s.tls != "none")
    fail(m.find("tls")->value.mark, "`send.tls` must be starttls, implicit or none, found `" + *s.tls + "`");
  if (std::optional<Item> i = m.get("save_sent")) {
    s.save_sent = as_bool(*i);
    // APPEND to Sent over IMAP at the same server (as Thunderbird does).
    if (s.save_sent) host_ref(m.require("server", ""), "`send.server` with `save_sent`", Need::Imap, cx);
  }
  return s;
}

Fetch parse_fetch(const Item& item, Context& cx) {
  Map m(item, "`fetch`", fields_of("fetch"));
  Fetch f;
  Item user = m.require("user", "whose mail to retrieve, e.g. `user: bob`");
  user.name = "`fetch.user`";
  f.user = as_user_name(user);
  if (std::optional<Item> i = m.get("protocol")) {
    f.protocol = as_string(*i);
    if (f.protocol != "pop3" && f.protocol != "imap" && f.protocol != "webmail")
      fail(i->mark, "`protocol` must be pop3, imap or webmail, found " + found(i->node));
  }
  const bool imap = f.protocol == "imap";
  const bool web = f.protocol == "webmail";
  f.server = host_ref(m.require("server", web    ? "the webmail host to read mail on"
                                          : imap ? "the IMAP server to retrieve from"
                                                 : "the POP3 server to retrieve from"),
                      "`fetch.server`", web ? Need::Webmail : imap ? Need::Imap : Need::Pop3, cx);
  if (std::optional<Item> i = m.get("client"))
    f.client = host_ref(*i, "`fetch.client`", Need::Host, cx);
  if (std::optional<Item> i = m.get("delete")) {
    // `delete: trash` (IMAP): the user's "delete" of a mail program, a MOVE to Trash.
    if (i->node.IsDefined() && i->node.IsScalar() && i->node.Scalar() == "trash") {
      if (!imap) fail(i->mark, "`delete: trash` needs `protocol: imap` (POP3 has no folders)");
      f.delete_messages = f.to_trash = true;
    } else {
      f.delete_messages = as_bool(*i);
    }
  }
  f.password = optional_string(m, "password");
  f.tls = optional_string(m, "tls");
  if (f.tls && *f.tls != "starttls" && *f.tls != "implicit" && *f.tls != "none")
    fail(m.find("tls")->value.mark, "`fetch.tls` must be starttls, implicit or none, found `" + *f.tls + "`");
  return f;
}

Idle parse_idle(const Item& item, std::int64_t at_ns, Context& cx) {
  Map m(item, "`idle`", fields_of("idle"));
  Idle d;
  Item user = m.require("user", "whose mailbox to watch, e.g. `user: bob`");
  user.name = "`idle.user`";
  d.user = as_user_name(user);
  d.server = host_ref(m.require("server", "the IMAP server to stay logged in to"), "`idle.server`",
                      Need::Imap, cx);
  if (std::optional<Item> i = m.get("client"))
    d.client = host_ref(*i, "`idle.client`", Need::Host, cx);
  Item until = m.require("until", "when the MUA logs out, e.g. `until: 3h`");
  d.until_ns = as_duration(until);
  if (d.until_ns <= at_ns)
    fail(until.mark, "`until` (" + format_duration(d.until_ns) + ") must be later than the event's `at` (" +
                         format_duration(at_ns) + ")");
  d.password = optional_string(m, "password");
  return d;
}

PortState parse_port(const Item& item, bool accept, Context& cx) {
  Map m(item, code(accept ? "accept" : "refuse"), fields_of("refuse"));
  PortState p;
  p.accept = accept;
  p.host = host_ref(m.require("host", "the host whose port it is"),
                    code(accept ? "accept.host" : "refuse.host"), Need::Host, cx);
  Item service = m.require("service", "one of smtp, submission, smtps, pop3, pop3s, imap, imaps, http, https, dns");
  const std::string name = as_string(service);
  // The implicit-TLS ports (465, 995, 993, 443) are services of their own, as in master.cf.
  for (Service s : {Service::Smtp, Service::Submission, Service::Smtps, Service::Pop3, Service::Pop3s,
                    Service::Imap, Service::Imaps, Service::Http, Service::Https, Service::Dns}) {
    if (service_name(s) == name) {
      p.service = s;
      return p;
    }
  }
  fail(service.mark, "`service` must be smtp, submission, smtps, pop3, pop3s, imap, imaps, http, https or dns, found " +
                         found(service.node));
  return p;
}

// cut/heal: [A, B]; loss: {between: [A, B], rate}
std::pair<std::string, std::string> node_pair(const Item& item, std::string_view role,
                                              Context& cx) {
  auto [a, b] = as_name_pair(item);
  std::string r = code(role);
  return {host_ref(a, r, Need::Node, cx), host_ref(b, r, Need::Node, cx)};
}

Loss parse_loss(const Item& item, Context& cx) {
  Map m(item, "`loss`", fields_of("loss"));
  Loss l;
  std::tie(l.a, l.b) =
      node_pair(m.require("between", "the path's two ends, e.g. `between: [a, b]`"), "loss", cx);
  l.rate = as_rate(m.require("rate", "the packet loss rate from 0 to 1, e.g. `rate: 0.3`"));
  return l;
}

// dns_set: {server: ns.example, record: "NAME TTL IN TYPE DATA"} (or a list of records).
DnsSet parse_dns_set(const Item& item, Context& cx) {
  Map m(item, "`dns_set`", fields_of("dns_set"));
  DnsSet d;
  d.server = host_ref(m.require("server", "the DNS host whose zone holds the name, e.g. `server: ns.example`"),
                      "`dns_set.server`", Need::Dns, cx);
  Item record = m.require("record", "the new record, e.g. `record: '_dmarc.a.example. 3600 IN TXT \"v=DMARC1; p=reject\"'`");
  std::vector<Item> items = as_list(record, true);
  if (items.empty()) fail(record.mark, "`dns_set.record` needs at least one record");
  for (const Item& r : items) {
    Mark at = text_start(r, cx.lines);
    // A quoted scalar's text starts one column after its quote.
    if (at.line == r.mark.line && at.column == r.mark.column && at.line >= 1 &&
        static_cast<std::size_t>(at.line) <= cx.lines.size()) {
      std::string_view line = cx.lines[at.line - 1];
      if (static_cast<std::size_t>(at.column) <= line.size() &&
          (line[at.column - 1] == '"' || line[at.column - 1] == '\''))
        ++at.column;
    }
    d.records.push_back(ZoneText{as_string(r), at});
  }
  return d;
}

}  // namespace

Event parse_event(const Item& item, Context& cx) {
  std::vector<std::string_view> allowed{"at"};
  allowed.insert(allowed.end(), kActions.begin(), kActions.end());
  Map m(item, "an event", allowed, [&](std::string_view key) {
    return misplaced_field_hint(item.node, key, kActionFields);
  });
  Event e;
  e.mark = item.mark;
  e.at_ns = as_duration(m.require("at", "when it happens, e.g. `at: 10m`"));
  const Map::Entry* action = nullptr;
  for (const Map::Entry& entry : m.entries()) {
    if (entry.key == "at") continue;
    if (action)
      fail(entry.value.key_mark, "an event has exactly one action; this one has " +
                                     code(action->key) + " and " + code(entry.key) +
                                     ": write two events with the same `at`");
    action = &entry;
  }
  if (!action) fail(m.mark(), "an event needs one action: " + join(kActions));
  const std::string& k = action->key;
  const Item& v = action->value;
  if (k == "send") e.action = parse_send(v, cx);
  else if (k == "fetch") e.action = parse_fetch(v, cx);
  else if (k == "idle") e.action = parse_idle(v, e.at_ns, cx);
  else if (k == "down" || k == "up")
    e.action = HostState{host_ref(v, code(k), Need::Host, cx), k == "up"};
  else if (k == "disk_full" || k == "disk_ok")
    e.action = DiskState{host_ref(v, code(k), Need::Host, cx), k == "disk_full"};
  else if (k == "flush")
    e.action = Flush{host_ref(v, code(k), Need::Mta, cx)};
  else if (k == "dns_set")
    e.action = parse_dns_set(v, cx);
  else if (k == "refuse" || k == "accept") e.action = parse_port(v, k == "accept", cx);
  else if (k == "cut" || k == "heal") {
    auto [a, b] = node_pair(v, k, cx);
    e.action = Cut{a, b, k == "heal"};
  } else if (k == "strip_starttls" || k == "unstrip_starttls") {
    auto [a, b] = node_pair(v, k, cx);
    e.action = Strip{a, b, k == "unstrip_starttls"};
  } else e.action = parse_loss(v, cx);
  return e;
}

}  // namespace maillab::scenario::detail
