// Tests of the scenario loader (scenarios/loader.hpp) and of durations
// (scenarios/duration.hpp): a full scenario using every key of the format, one broken
// file per class of error with its exact file:line:column, and the value tables.
#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <variant>

#include "scenarios/duration.hpp"
#include "scenarios/loader.hpp"
#include "scenarios/loader_yaml.hpp"

using namespace maillab::scenario;

namespace Catch {
template <>
struct StringMaker<Mark> {
  static std::string convert(const Mark& m) {
    return std::to_string(m.line) + ":" + std::to_string(m.column);
  }
};
}  // namespace Catch

namespace {

Scenario ok(std::variant<Scenario, LoadError> r) {
  if (const auto* e = std::get_if<LoadError>(&r)) FAIL("unexpected error: " << e->str());
  return std::get<Scenario>(std::move(r));
}

Scenario load_ok(std::string_view text) {
  return ok(load_scenario_text(text, "t.yaml"));
}

LoadError load_err(std::string_view text) {
  auto r = load_scenario_text(text, "t.yaml");
  if (std::holds_alternative<Scenario>(r)) FAIL("loaded, but an error was expected:\n" << text);
  return std::get<LoadError>(r);
}

// Every key of scenario-format.md, mostly the spec's own examples.
constexpr std::string_view kFull = R"(scenario: mx-failover          # a comment
title: The primary MX is down; the backup MX holds the mail
description: |
  b.example publishes two MX records.
seed: 42
duration: 3d
network:
  latency: 20ms
  loss: 0
  links:
    - {between: [mail.a.example, core], latency: 5ms}
    - {between: [core, mx1.b.example], latency: 40ms, loss: 0.01, bandwidth: 10Mbps}
    - {between: [core, mx2.b.example]}
    - {between: [core, ns.example]}
    - {between: [pc.alice, mail.a.example]}
    - {between: [pc.bob, core]}
hosts:
  ns.example:
    address: 192.0.2.53
    dns:
      zones:
        - |
          $ORIGIN b.example.
          $TTL 3600
          @    IN SOA ns.example. hostmaster.b.example. 1 3600 600 604800 300
          @    IN MX  10 mx1.b.example.
          mx1  IN A   192.0.2.21
  mail.a.example:
    address: 192.0.2.10
    resolver: 192.0.2.53
    mta:
      domains: [a.example]
      relay_domains: []
      mynetworks: [192.0.2.0/24, 198.51.100.7]
      submission: true
      mailbox: mbox
      queue:
        queue_run_delay: 1m
        minimal_backoff_time: 2m
        maximal_backoff_time: 1h
        maximal_queue_lifetime: 2d
        bounce_queue_lifetime: 1d
        delay_warning_time: 4h
        smtp_connect_timeout: 10s
      message_size_limit: 1000000
      aliases:
        postmaster: [alice]
        team: [alice, carol@c.example]
    pop3: true
    users:
      alice: {password: wonderland}
  mx1.b.example:
    address: 192.0.2.21
    resolver: 192.0.2.53
    mta: {domains: [b.example]}
    pop3: true
    users:
      bob: {password: builder}
  mx2.b.example:
    address: 192.0.2.22
    resolver: 192.0.2.53
    mta:
      relay_domains: [b.example]
  pc.alice:
    address: 192.0.2.100
    resolver: 192.0.2.53
  pc.bob: {address: 192.0.2.101, resolver: 192.0.2.53}
events:
  - at: 0s
    send:
      from: Alice <alice@a.example>
      to: [bob@b.example]
      cc: [carol@c.example]
      bcc: [dave@b.example]
      subject: Quarterly report
      body: |
        Hi Bob, the numbers are attached in spirit.
      client: pc.alice
      server: mail.a.example
      auth: alice
      password: guess
  - at: 10m
    down: mx1.b.example
  - at: 4h
    up: mx1.b.example
  - at: 5h
    fetch:
      user: bob
      server: mx1.b.example
      client: pc.bob
      protocol: pop3
      delete: true
      password: guess
  - {at: 1h, refuse: {host: mx2.b.example, service: smtp}}
  - {at: 2h, accept: {host: mx2.b.example, service: submission}}
  - {at: 1h30m, cut: [core, mx1.b.example]}
  - {at: 2h, heal: [core, mx1.b.example]}
  - {at: 3h, loss: {between: [pc.bob, core], rate: 0.3}}
  - {at: 6h, disk_full: mx2.b.example}
  - {at: 7h, disk_ok: mx2.b.example}
  - at: 8h
    send: {from: bob@b.example, to: alice@a.example, server: mx1.b.example, auth: none}
expect:
  - delivered: {to: bob@b.example, subject: Quarterly report, host: mx1.b.example, after: 4h, before: 5h}
  - not_delivered: {to: dave@b.example, subject: Spam}
  - relayed: {subject: Quarterly report, via: mx2.b.example}
  - bounced: {to: alice@a.example, original_to: carol@c.example, status: 5.1.1}
  - reply: {host: mx2.b.example, code: 452, count: 2}
  - attempts: {subject: Quarterly report, host: mail.a.example, min: 2, max: 5}
  - queue_empty: mx2.b.example
  - queue_empty: all
  - fetched: {user: bob, count: 1}
)";

}  // namespace

TEST_CASE("a scenario using every key loads with the right values", "[loader]") {
  const Scenario s = load_ok(kFull);
  CHECK(s.file == "t.yaml");
  CHECK(s.id == "mx-failover");
  CHECK(s.title == "The primary MX is down; the backup MX holds the mail");
  CHECK(s.description == "b.example publishes two MX records.\n");
  CHECK(s.seed == 42);
  CHECK(s.duration_ns == 3 * kDay);

  CHECK(s.network.latency_ns == 20 * kMillisecond);
  CHECK(s.network.loss == 0);
  REQUIRE(s.network.links.size() == 6);
  const Link& l1 = s.network.links[1];
  CHECK(l1.a == "core");
  CHECK(l1.b == "mx1.b.example");
  CHECK(l1.latency_ns == 40 * kMillisecond);
  CHECK(l1.loss == Approx(0.01));
  CHECK(l1.bandwidth_bps == 10'000'000);
  CHECK(l1.mark == Mark{12, 7});
  CHECK(s.network.links[2].latency_ns == 20 * kMillisecond);  // network's default
  CHECK(s.network.links[2].bandwidth_bps == 0);
  CHECK(s.network.routers == std::vector<std::string>{"core"});

  REQUIRE(s.hosts.size() == 6);
  CHECK(s.hosts[0].name == "ns.example");  // file order
  CHECK(s.hosts[5].name == "pc.bob");
  const Host& ns = s.hosts[0];
  CHECK(ns.mark == Mark{18, 3});
  CHECK(ns.address.text == "192.0.2.53");
  CHECK(ns.address.value == 0xC0000235u);
  CHECK_FALSE(ns.resolver);
  CHECK_FALSE(ns.mta);
  REQUIRE(ns.dns);
  REQUIRE(ns.dns->zones.size() == 1);
  CHECK(ns.dns->zones[0].text.rfind("$ORIGIN b.example.\n$TTL 3600\n", 0) == 0);
  CHECK(ns.dns->zones[0].mark == Mark{23, 11});  // the `$ORIGIN` line

  const Host* a = s.find_host("mail.a.example");
  REQUIRE(a);
  REQUIRE(a->resolver);
  CHECK(a->resolver->text == "192.0.2.53");
  REQUIRE(a->mta);
  const MtaConfig& m = *a->mta;
  CHECK(m.domains == std::vector<std::string>{"a.example"});
  CHECK(m.relay_domains.empty());
  REQUIRE(m.mynetworks.size() == 2);
  CHECK(m.mynetworks[0].network == 0xC0000200u);
  CHECK(m.mynetworks[0].prefix == 24);
  CHECK(m.mynetworks[0].contains(0xC00002FFu));
  CHECK_FALSE(m.mynetworks[0].contains(0xC0000300u));
  CHECK(m.mynetworks[1].prefix == 32);
  CHECK(m.mynetworks[1].text == "198.51.100.7");
  CHECK(m.submission);
  CHECK(m.mailbox == "mbox");
  CHECK(m.queue.queue_run_delay_ns == kMinute);
  CHECK(m.queue.minimal_backoff_time_ns == 2 * kMinute);
  CHECK(m.queue.maximal_backoff_time_ns == kHour);
  CHECK(m.queue.maximal_queue_lifetime_ns == 2 * kDay);
  CHECK(m.queue.bounce_queue_lifetime_ns == kDay);
  CHECK(m.queue.delay_warning_time_ns == 4 * kHour);
  CHECK(m.queue.smtp_connect_timeout_ns == 10 * kSecond);
  CHECK(m.message_size_limit == 1000000);
  CHECK(m.aliases.at("postmaster") == std::vector<std::string>{"alice"});
  CHECK(m.aliases.at("team") == std::vector<std::string>{"alice", "carol@c.example"});
  CHECK(a->pop3);
  REQUIRE(a->users.count("alice"));
  CHECK(a->users.at("alice").password == "wonderland");

  const Host* mx2 = s.find_host("mx2.b.example");
  REQUIRE(mx2);
  REQUIRE(mx2->mta);  // the defaults
  CHECK(mx2->mta->relay_domains == std::vector<std::string>{"b.example"});
  CHECK(mx2->mta->mailbox == "maildir");
  CHECK(mx2->mta->queue.queue_run_delay_ns == 300 * kSecond);
  CHECK(mx2->mta->queue.maximal_backoff_time_ns == 4000 * kSecond);
  CHECK(mx2->mta->queue.maximal_queue_lifetime_ns == 5 * kDay);
  CHECK(mx2->mta->queue.delay_warning_time_ns == 0);
  CHECK(mx2->mta->message_size_limit == 10240000);
  CHECK_FALSE(mx2->pop3);
  CHECK(s.find_host("pc.bob")->address.text == "192.0.2.101");
  CHECK_FALSE(s.find_host("core"));

  REQUIRE(s.events.size() == 12);
  const Event& e0 = s.events[0];
  CHECK(e0.at_ns == 0);
  CHECK(e0.mark == Mark{69, 5});
  REQUIRE(std::holds_alternative<Send>(e0.action));
  const Send& send = std::get<Send>(e0.action);
  CHECK(send.from == "Alice <alice@a.example>");
  CHECK(send.to == std::vector<std::string>{"bob@b.example"});
  CHECK(send.cc == std::vector<std::string>{"carol@c.example"});
  CHECK(send.bcc == std::vector<std::string>{"dave@b.example"});
  CHECK(send.subject == "Quarterly report");
  CHECK(send.body == "Hi Bob, the numbers are attached in spirit.\n");
  CHECK(send.client == "pc.alice");
  CHECK(send.server == "mail.a.example");
  CHECK(send.auth == "alice");
  CHECK(send.password == "guess");
  CHECK(action_name(e0.action) == "send");

  CHECK(s.events[1].at_ns == 10 * kMinute);
  CHECK(std::get<HostState>(s.events[1].action).host == "mx1.b.example");
  CHECK_FALSE(std::get<HostState>(s.events[1].action).up);
  CHECK(std::get<HostState>(s.events[2].action).up);
  CHECK(action_name(s.events[2].action) == "up");

  const Fetch& fetch = std::get<Fetch>(s.events[3].action);
  CHECK(fetch.user == "bob");
  CHECK(fetch.server == "mx1.b.example");
  CHECK(fetch.client == "pc.bob");
  CHECK(fetch.protocol == "pop3");
  CHECK(fetch.delete_messages);
  CHECK(fetch.password == "guess");

  const PortState& refuse = std::get<PortState>(s.events[4].action);
  CHECK(refuse.host == "mx2.b.example");
  CHECK(refuse.service == Service::Smtp);
  CHECK_FALSE(refuse.accept);
  CHECK(std::get<PortState>(s.events[5].action).accept);
  CHECK(std::get<PortState>(s.events[5].action).service == Service::Submission);
  CHECK(action_name(s.events[5].action) == "accept");

  CHECK(s.events[6].at_ns == 90 * kMinute);
  const Cut& cut = std::get<Cut>(s.events[6].action);
  CHECK((cut.a == "core" && cut.b == "mx1.b.example" && !cut.heal));
  CHECK(std::get<Cut>(s.events[7].action).heal);
  const Loss& loss = std::get<Loss>(s.events[8].action);
  CHECK((loss.a == "pc.bob" && loss.b == "core"));
  CHECK(loss.rate == Approx(0.3));
  CHECK(std::get<DiskState>(s.events[9].action).full);
  CHECK_FALSE(std::get<DiskState>(s.events[10].action).full);
  CHECK(action_name(s.events[10].action) == "disk_ok");
  const Send& send2 = std::get<Send>(s.events[11].action);
  CHECK(send2.to == std::vector<std::string>{"alice@a.example"});  // one address, no list
  CHECK_FALSE(send2.client);
  CHECK(send2.auth == "none");
  CHECK(send2.subject.empty());

  REQUIRE(s.expect.size() == 9);
  CHECK(s.expect[0].mark == Mark{104, 5});
  const auto& d = std::get<Delivered>(s.expect[0].check);
  CHECK(d.to == "bob@b.example");
  CHECK(d.subject == "Quarterly report");
  CHECK(d.host == "mx1.b.example");
  CHECK(d.after_ns == 4 * kHour);
  CHECK(d.before_ns == 5 * kHour);
  CHECK(check_name(s.expect[0].check) == "delivered");
  const auto& nd = std::get<NotDelivered>(s.expect[1].check);
  CHECK((nd.to == "dave@b.example" && nd.subject == "Spam"));
  const auto& rel = std::get<Relayed>(s.expect[2].check);
  CHECK((rel.subject == "Quarterly report" && rel.via == "mx2.b.example"));
  const auto& b = std::get<Bounced>(s.expect[3].check);
  CHECK((b.to == "alice@a.example" && b.original_to == "carol@c.example" && b.status == "5.1.1"));
  const auto& rep = std::get<ReplyCheck>(s.expect[4].check);
  CHECK((rep.host == "mx2.b.example" && rep.code == 452 && rep.count == 2u));
  const auto& at = std::get<Attempts>(s.expect[5].check);
  CHECK((at.subject == "Quarterly report" && at.host == "mail.a.example"));
  CHECK((at.min == 2u && at.max == 5u));
  CHECK(std::get<QueueEmpty>(s.expect[6].check).host == "mx2.b.example");
  CHECK_FALSE(std::get<QueueEmpty>(s.expect[6].check).all());
  CHECK(std::get<QueueEmpty>(s.expect[7].check).all());
  const auto& f = std::get<Fetched>(s.expect[8].check);
  CHECK((f.user == "bob" && f.count == 1u));
  CHECK(check_name(s.expect[8].check) == "fetched");
}

TEST_CASE("the smallest scenario, and empty values where lists or mappings go", "[loader]") {
  const Scenario s = load_ok(R"(scenario: tiny
duration: 1h
hosts:
  mx.b.example:
    address: 192.0.2.1
    mta:
    dns:
    users:
  pc.a: {address: 192.0.2.2}
network:
events:
expect: []
)");
  CHECK(s.seed == 1);
  CHECK(s.title.empty());
  CHECK(s.network.latency_ns == 10 * kMillisecond);
  CHECK(s.network.links.empty());
  CHECK(s.events.empty());
  CHECK(s.expect.empty());
  const Host& mx = s.hosts[0];
  REQUIRE(mx.mta);
  CHECK(mx.mta->domains.empty());
  CHECK(mx.mta->queue.smtp_connect_timeout_ns == 30 * kSecond);
  REQUIRE(mx.dns);
  CHECK(mx.dns->zones.empty());
  CHECK(mx.users.empty());
  CHECK_FALSE(s.hosts[1].mta);
}

TEST_CASE("queue times: 1s is the shortest, 0s where it means something", "[loader]") {
  const Scenario s = load_ok(R"(scenario: short-queue
duration: 1h
hosts:
  mx.b.example:
    address: 192.0.2.1
    mta:
      queue: {queue_run_delay: 1s, minimal_backoff_time: 1s, maximal_backoff_time: 1s,
              smtp_connect_timeout: 1s, maximal_queue_lifetime: 0s, bounce_queue_lifetime: 0s,
              delay_warning_time: 0s}
)");
  const QueueConfig& q = s.hosts[0].mta->queue;
  CHECK(q.queue_run_delay_ns == kSecond);
  CHECK(q.minimal_backoff_time_ns == kSecond);
  CHECK(q.smtp_connect_timeout_ns == kSecond);
  CHECK(q.maximal_queue_lifetime_ns == 0);
  CHECK(q.bounce_queue_lifetime_ns == 0);
  CHECK(q.delay_warning_time_ns == 0);
}

TEST_CASE("relaxed forms: one value for a list, a user without password", "[loader]") {
  const Scenario s = load_ok(R"(scenario: relaxed
duration: 1h
hosts:
  mx.b.example:
    address: 192.0.2.1
    mta:
      domains: b.example
      mynetworks: 10.0.0.0/8
      aliases: {postmaster: bob}
    users:
      bob:
      carol: {}
events:
  - {at: 0s, send: {from: a@b.example, bcc: bob@b.example, server: mx.b.example}}
expect:
  - relayed: {via: mx.b.example}
  - attempts: {host: mx.b.example}
  - reply: {host: mx.b.example}
  - fetched: {user: bob}
)");
  const MtaConfig& m = *s.hosts[0].mta;
  CHECK(m.domains == std::vector<std::string>{"b.example"});
  CHECK(m.mynetworks[0].prefix == 8);
  CHECK(m.aliases.at("postmaster") == std::vector<std::string>{"bob"});
  CHECK_FALSE(s.hosts[0].users.at("bob").password);
  CHECK_FALSE(s.hosts[0].users.at("carol").password);
  CHECK(std::get<Send>(s.events[0].action).bcc == std::vector<std::string>{"bob@b.example"});
  CHECK_FALSE(std::get<Relayed>(s.expect[0].check).subject);
  CHECK_FALSE(std::get<Attempts>(s.expect[1].check).subject);
  CHECK_FALSE(std::get<ReplyCheck>(s.expect[2].check).code);
  CHECK_FALSE(std::get<Fetched>(s.expect[3].check).count);
}

TEST_CASE("hosts may be declared after the events and expectations that name them",
          "[loader]") {
  const Scenario s = load_ok(R"(scenario: order
duration: 1h
events:
  - {at: 5m, down: mx.b.example}
expect:
  - queue_empty: mx.b.example
hosts:
  mx.b.example: {address: 192.0.2.1, mta: {}}
)");
  CHECK(s.events.size() == 1);
  CHECK(s.expect.size() == 1);
}

namespace {

// A valid head, lines 1 to 10; cases append to it, so their lines start at 11.
constexpr std::string_view kHead = R"(scenario: t
duration: 1h
hosts:
  mx.b.example:
    address: 192.0.2.1
    mta: {domains: [b.example]}
    pop3: true
  pc.a:
    address: 192.0.2.2
    resolver: 192.0.2.1
)";

struct ErrorCase {
  const char* what;
  std::string text;
  int line, column;
  const char* message;  // a part of the message
};

std::string head(std::string_view rest) { return std::string(kHead) + std::string(rest); }

}  // namespace

TEST_CASE("each broken file gives one error at its file:line:column", "[loader][errors]") {
  const std::vector<ErrorCase> cases{
      // YAML syntax (yaml-cpp's ParserException and its mark)
      {"unclosed flow sequence", "scenario: t\nhosts: [a, b\nduration: 1h\n", 3, 9,
       "invalid YAML: end of sequence flow not found (a `[` is not closed by `]`)"},
      {"bad indentation", "scenario: t\n  duration: 1h\n", 2, 11, "invalid YAML: illegal map value"},
      {"undefined alias", "scenario: *x\n", 1, 11, "the referenced anchor is not defined"},
      {"tab indentation", "scenario: t\nduration: 1h\nhosts:\n\tpc: {address: 192.0.2.1}\n", 4, 1,
       "invalid YAML: this line is indented with a tab; YAML indents with spaces only"},
      // yaml-cpp ends an unquoted flow value at `?` (the YAML 1.1 rule); said at the `?`.
      {"a ? in a flow value", head("events:\n  - at: 1s\n    send: {subject: Why? Because, body: x}\n"), 13, 24,
       "invalid YAML: a `?` inside an unquoted value in `{...}` or `[...]` ends the value here"},
      {"a ? ending a flow value, over two lines",
       head("events:\n  - at: 1s\n    send: {from: a@a.example,\n           body: Why?, to: b@b.example}\n"), 14, 21,
       "quote the value (`subject: \"Why?\"`)"},
      {"two documents", head("---\nscenario: u\n"), 11, 1, "holds one YAML document"},
      {"empty file", "", 1, 1, "the file holds no scenario"},
      {"only comments", "# nothing\n", 1, 1, "the file holds no scenario"},
      {"a list at the top", "- scenario: t\n", 1, 1,
       "a scenario must be a mapping with at least `scenario`, `duration` and `hosts`, found a list"},
      // unknown keys, with the closest allowed one
      {"unknown top key", head("expectations: []\n"), 11, 1,
       "unknown key `expectations` in the scenario (did you mean `expect`?); allowed keys: scenario, "
       "title, description, seed, duration, network, hosts, events, expect"},
      {"typo in a host key", head("  mx2.b.example:\n    adress: 192.0.2.3\n"), 12, 5,
       "unknown key `adress` in host `mx2.b.example` (did you mean `address`?)"},
      {"typo in mta", head("  h.example:\n    address: 192.0.2.3\n    mta: {domain: [x.example]}\n"),
       13, 11, "unknown key `domain` in `mta` of host `h.example` (did you mean `domains`?)"},
      {"typo in queue",
       head("  h.example:\n    address: 192.0.2.3\n    mta:\n      queue: {queue_run_dely: 1m}\n"),
       14, 15, "(did you mean `queue_run_delay`?)"},
      {"queue key at the mta level",
       head("  h.example:\n    address: 192.0.2.3\n    mta:\n      smtp_connect_timeout: 1m\n"), 14, 7,
       "(`smtp_connect_timeout` belongs in `mta.queue`)"},
      {"typo in network", "scenario: t\nduration: 1h\nnetwork: {latncy: 5ms}\n", 3, 11,
       "unknown key `latncy` in `network` (did you mean `latency`?)"},
      {"typo in a link", "scenario: t\nduration: 1h\nnetwork:\n  links:\n    - {between: [a, b], bandwith: 1Mbps}\n",
       5, 25, "unknown key `bandwith` in a link (did you mean `bandwidth`?)"},
      {"typo in an event action", head("events:\n  - at: 1s\n    sned: {}\n"), 13, 5,
       "unknown key `sned` in an event (did you mean `send`?)"},
      {"field of send not indented",
       head("events:\n  - at: 1s\n    send:\n    from: a@b.example\n"), 14, 5,
       "unknown key `from` in an event (`from` belongs inside `send`: indent it under `send:`)"},
      {"typo in send", head("events:\n  - at: 1s\n    send: {form: a@b.example}\n"), 13, 12,
       "unknown key `form` in `send` (did you mean `from`?)"},
      {"typo in fetch", head("events:\n  - {at: 1s, fetch: {usr: bob}}\n"), 12, 22,
       "unknown key `usr` in `fetch` (did you mean `user`?)"},
      {"unknown check", head("expect:\n  - delivred: {to: a@b.example}\n"), 12, 5,
       "unknown key `delivred` in an expectation (did you mean `delivered`?)"},
      {"field of a check not indented",
       head("expect:\n  - delivered: {to: a@b.example}\n    subject: x\n"), 13, 5,
       "(`subject` belongs inside `delivered`: indent it under `delivered:`)"},
      {"typo in a check", head("expect:\n  - bounced: {to: a@b.example, stat: 5.1.1}\n"), 12, 32,
       "unknown key `stat` in `bounced` (did you mean `status`?)"},
      {"unknown user key", head("  h.example:\n    address: 192.0.2.3\n    users: {bob: {pass: x}}\n"),
       13, 19, "unknown key `pass` in user `bob` (did you mean `password`?)"},
      {"merge key", head("  h.example:\n    <<: {address: 192.0.2.3}\n"), 12, 5,
       "unknown key `<<` in host `h.example` (YAML merge keys are not supported: write the keys out)"},
      {"duplicate key", "scenario: t\nduration: 1h\nduration: 2h\n", 3, 1,
       "`duration` appears twice in the scenario (first at line 2)"},
      // missing required keys
      {"no scenario", "duration: 1h\nhosts: {}\n", 1, 1,
       "the scenario needs `scenario`: its id, e.g. `scenario: mx-failover`"},
      {"no duration", "scenario: t\nhosts: {}\n", 1, 1, "the scenario needs `duration`"},
      {"no hosts", "scenario: t\nduration: 1h\n", 1, 1, "the scenario needs `hosts`"},
      {"no hosts at all", "scenario: t\nduration: 1h\nhosts: {}\n", 3, 8,
       "`hosts` must declare at least one host"},
      {"host without address", head("  h.example:\n    resolver: 192.0.2.1\n"), 11, 3,
       "host `h.example` needs `address`"},
      {"host with nothing", head("  h.example:\n"), 11, 3, "host `h.example` needs `address`"},
      {"event without at", head("events:\n  - down: pc.a\n"), 12, 5, "an event needs `at`"},
      {"send without from", head("events:\n  - at: 1s\n    send: {to: [x@y.example], server: mx.b.example}\n"),
       13, 5, "`send` needs `from`"},
      {"send without recipient", head("events:\n  - at: 1s\n    send:\n      from: a@b.example\n"), 13, 5,
       "`send` needs at least one recipient in `to`, `cc` or `bcc`"},
      {"link without between", "scenario: t\nduration: 1h\nnetwork:\n  links: [{latency: 1ms}]\n", 4, 11,
       "a link needs `between`"},
      {"loss without rate", head("events:\n  - {at: 1s, loss: {between: [pc.a, mx.b.example]}}\n"), 12,
       14, "`loss` needs `rate`"},
      {"delivered without to", head("expect:\n  - delivered: {subject: x}\n"), 12, 5,
       "`delivered` needs `to`"},
      {"relayed with neither field", head("expect:\n  - relayed: {}\n"), 12, 5,
       "`relayed` needs `subject`, `via` or both"},
      // wrong types
      {"a list where a mapping goes", head("    users: [alice]\n"), 11, 12,
       "`users` must be a mapping (`key: value` pairs), found a list"},
      {"a mapping where a list goes", head("  h.example:\n    address: 192.0.2.3\n    mta: {domains: {a: b}}\n"),
       13, 20, "`domains` must be a list (`[a, b]` or `- a` lines) or one value, found a mapping"},
      {"a list where a string goes", "scenario: [t]\n", 1, 11, "`scenario` must be a string, found a list"},
      {"a string where a bool goes", head("  h.example:\n    address: 192.0.2.3\n    pop3: yes\n"), 13, 11,
       "`pop3` must be true or false, found `yes`"},
      {"a list as a host", head("  h.example: [192.0.2.3]\n"), 11, 14,
       "host `h.example` must be a mapping (`key: value` pairs), found a list"},
      {"a scalar as a user", head("  h.example:\n    address: 192.0.2.3\n    users: {bob: secret}\n"), 13, 18,
       "user `bob` must be a mapping (`key: value` pairs), found `secret`"},
      {"a scalar as the hosts", "scenario: t\nduration: 1h\nhosts: many\n", 3, 8,
       "`hosts` must be a mapping (`key: value` pairs), found `many`"},
      {"an event that is a scalar", head("events:\n  - 10m\n"), 12, 5,
       "an event must be a mapping (`key: value` pairs), found `10m`"},
      {"a host key at the hosts level", head("  address: 192.0.2.9\n"), 11, 3,
       "`address` is not a host name: indent a host's settings under its name"},
      {"bad seed", "scenario: t\nseed: -1\n", 2, 7, "`seed` must be a whole number (0 or more), found `-1`"},
      {"empty value where a string goes", "scenario:\nduration: 1h\n", 1, 1,
       "`scenario` must be a string, found an empty value"},
      // durations
      {"bare number", "scenario: t\nduration: 30\n", 2, 11,
       "bad duration for `duration`: `30` has no unit: write 30s, 30m, 30h, 30d, 30ms, ..."},
      {"bare number at the end", "scenario: t\nduration: 1h30\n", 2, 11,
       "`1h30`: the last number `30` has no unit"},
      {"negative duration", head("events:\n  - {at: -5m, down: pc.a}\n"), 12, 10,
       "bad duration for `at`: `-5m` is negative"},
      {"zero duration", "scenario: t\nduration: 0s\n", 2, 11, "`duration` must be greater than 0s"},
      {"unknown unit", "scenario: t\nduration: 5min\n", 2, 11, "unknown unit `min` (units: ns, us, ms, s, m, h, d); write 5m"},
      {"zero queue_run_delay",
       head("  h.example:\n    address: 192.0.2.3\n    mta: {queue: {queue_run_delay: 0s}}\n"), 13, 36,
       "`queue_run_delay` must be greater than 0s"},
      // Queue timers count in seconds (issue 15 item 9: 1ns hung `run` and `chaos`).
      {"queue_run_delay of 1ns",
       head("  h.example:\n    address: 192.0.2.3\n    mta: {queue: {queue_run_delay: 1ns}}\n"), 13, 36,
       "`queue_run_delay` must be at least 1s (queue times count in seconds, as Postfix's do), found 1ns"},
      {"minimal_backoff_time under a second",
       head("  h.example:\n    address: 192.0.2.3\n    mta: {queue: {minimal_backoff_time: 999ms}}\n"), 13, 41,
       "`minimal_backoff_time` must be at least 1s"},
      {"maximal_queue_lifetime of 1us (0s would mean: try once)",
       head("  h.example:\n    address: 192.0.2.3\n    mta: {queue: {maximal_queue_lifetime: 1us}}\n"), 13, 43,
       "`maximal_queue_lifetime` must be 0s or at least 1s"},
      {"delay_warning_time of 5ms",
       head("  h.example:\n    address: 192.0.2.3\n    mta: {queue: {delay_warning_time: 5ms}}\n"), 13, 39,
       "`delay_warning_time` must be 0s or at least 1s"},
      {"bad bandwidth", "scenario: t\nduration: 1h\nnetwork: {links: [{between: [a, b], bandwidth: 10}]}\n", 3, 48,
       "bad bandwidth for `bandwidth`: `10` has no unit: write 10Mbps"},
      {"window the wrong way", head("expect:\n  - delivered: {to: a@b.example, after: 2h, before: 1h}\n"),
       12, 53, "`before` (1h) is earlier than `after` (2h)"},
      // ids, addresses, networks, names
      {"bad id", "scenario: MX_Failover\n", 1, 11,
       "`scenario` must be an id of lowercase letters, digits and `-` (like mx-failover), found `MX_Failover`"},
      {"bad IPv4 address", head("  h.example:\n    address: 192.0.2.300\n"), 12, 14,
       "`address` must be an IPv4 address like 192.0.2.10, found `192.0.2.300`"},
      {"address with leading zero", head("  h.example:\n    address: 192.0.2.010\n"), 12, 14,
       "must be an IPv4 address"},
      {"bad resolver", head("  h.example:\n    address: 192.0.2.3\n    resolver: ns.example\n"), 13, 15,
       "`resolver` must be an IPv4 address like 192.0.2.10, found `ns.example`"},
      {"bad CIDR", head("  h.example:\n    address: 192.0.2.3\n    mta: {mynetworks: [192.0.2.0/33]}\n"), 13, 24,
       "an item of `mynetworks` must be a network like 192.0.2.0/24 (or one address), found `192.0.2.0/33`"},
      {"CIDR with host bits", head("  h.example:\n    address: 192.0.2.3\n    mta: {mynetworks: [192.0.2.7/24]}\n"),
       13, 24, "`192.0.2.7/24` has bits set beyond its /24 prefix: did you mean 192.0.2.0/24?"},
      {"duplicate host name", head("  pc.a:\n    address: 192.0.2.9\n"), 11, 3,
       "`pc.a` appears twice in `hosts` (first at line 8)"},
      {"duplicate address", head("  h.example:\n    address: 192.0.2.2\n"), 12, 14,
       "address 192.0.2.2 of host `h.example` is already host `pc.a`'s (line 8)"},
      {"uppercase host name", head("  Mail.Example:\n    address: 192.0.2.3\n"), 11, 3,
       "host names are lowercase: write `mail.example` for `Mail.Example`"},
      {"bad host name", head("  mail_server:\n    address: 192.0.2.3\n"), 11, 3,
       "a key of `hosts` must be a host name (lowercase letters, digits and `-`, labels joined by `.`), "
       "found `mail_server`"},
      {"bad domain", head("  h.example:\n    address: 192.0.2.3\n    mta: {domains: [a..example]}\n"), 13, 21,
       "an item of `domains` must be a domain name"},
      {"domain both final and relay",
       head("  h.example:\n    address: 192.0.2.3\n    mta: {domains: [x.example], relay_domains: [x.example]}\n"),
       13, 49, "`x.example` is in both `domains` and `relay_domains`"},
      {"bad from", head("events:\n  - {at: 1s, send: {from: alice, to: [b@b.example], server: mx.b.example}}\n"),
       12, 27, "`from` must be a mail address like alice@a.example or Alice <alice@a.example>, found `alice`"},
      {"bad delivered.to", head("expect:\n  - delivered: {to: bob}\n"), 12, 21,
       "`to` must be a mail address like alice@a.example, found `bob`"},
      {"mailbox kind", head("  h.example:\n    address: 192.0.2.3\n    mta: {mailbox: mh}\n"), 13, 20,
       "`mailbox` must be maildir or mbox, found `mh`"},
      {"bad user name", head("  h.example:\n    address: 192.0.2.3\n    users: {bob@x: {}}\n"), 13, 13,
       "user name `bob@x` is not allowed: a user name names its mailbox directory"},
      // A user name is a directory under --mailboxes: nothing that climbs out (issue 15).
      {"user name climbing out", head("  h.example:\n    address: 192.0.2.3\n    users:\n      ../x: {}\n"),
       14, 7, "user name `../x` is not allowed"},
      {"user name with a slash", head("  h.example:\n    address: 192.0.2.3\n    users:\n      a/b: {}\n"), 14,
       7, "user name `a/b` is not allowed"},
      {"absolute user name",
       head("  h.example:\n    address: 192.0.2.3\n    users:\n      bob: {}\n      /etc/x: {}\n"), 15, 7,
       "user name `/etc/x` is not allowed"},
      {"user name too long", head("  h.example:\n    address: 192.0.2.3\n    users: {" + std::string(65, 'u') + ": {}}\n"),
       13, 13, "at most 64 characters"},
      {"two users equal but for case",
       head("  h.example:\n    address: 192.0.2.3\n    users:\n      bob: {}\n      Bob: {}\n"), 15, 7,
       "user `Bob` is user `bob` again: user names ignore case"},
      {"two aliases equal but for case",
       head("  h.example:\n    address: 192.0.2.3\n    mta:\n      aliases: {team: [a], TEAM: [b]}\n"), 14, 28,
       "alias `TEAM` is alias `team` again"},
      {"fetch user climbing out",
       head("events:\n  - {at: 1s, fetch: {user: ../../etc, server: mx.b.example}}\n"), 12, 28,
       "`fetch.user` `../../etc` is not allowed"},
      {"host name climbing out", "scenario: t\nduration: 1h\nhosts:\n  ../x: {address: 192.0.2.1}\n", 4, 3,
       "a key of `hosts` must be a host name"},
      {"zero hard error limit",
       head("  h.example:\n    address: 192.0.2.3\n    mta: {smtpd_hard_error_limit: 0}\n"), 13, 35,
       "`smtpd_hard_error_limit` must be at least 1"},
      {"loss rate above 1", "scenario: t\nduration: 1h\nnetwork: {loss: 1.5}\n", 3, 17,
       "`loss` must be a number from 0 to 1 (e.g. 0.3 for 30%), found `1.5`"},
      {"loss event rate in percent", head("events:\n  - {at: 1s, loss: {between: [pc.a, mx.b.example], rate: 30%}}\n"),
       12, 58, "`rate` must be a number from 0 to 1"},
      {"link between three", "scenario: t\nduration: 1h\nnetwork: {links: [{between: [a, b, c]}]}\n", 3, 29,
       "`between` must be a pair of names like [a.example, b.example], found a list of 3"},
      {"link between a name and itself", "scenario: t\nduration: 1h\nnetwork: {links: [{between: [a, a]}]}\n", 3, 33,
       "`between` names `a` twice"},
      {"link declared twice",
       "scenario: t\nduration: 1h\nnetwork:\n  links:\n    - {between: [a, b]}\n    - {between: [b, a]}\n", 6, 7,
       "a link between `b` and `a` is already declared at line 5"},
      {"cut with one name", head("events:\n  - {at: 1s, cut: [pc.a]}\n"), 12, 19, "found a list of 1"},
      {"bad service", head("events:\n  - {at: 1s, refuse: {host: pc.a, service: imap4s}}\n"), 12, 44,
       "`service` must be smtp, submission, smtps, pop3, pop3s, imap, imaps, http, https or dns, found `imap4s`"},
      {"bad protocol", head("events:\n  - {at: 1s, fetch: {user: u, server: mx.b.example, protocol: imaps}}\n"), 12,
       63, "`protocol` must be pop3, imap or webmail"},
      {"bad status", head("expect:\n  - bounced: {to: a@b.example, status: 550}\n"), 12, 40,
       "`status` must be an enhanced status code or its start, like 5.1.1, 5.1 or 5, found `550`"},
      {"bad reply code", head("expect:\n  - reply: {host: mx.b.example, code: 25}\n"), 12, 39,
       "`code` must be an SMTP reply code from 200 to 599, found `25`"},
      {"min above max", head("expect:\n  - attempts: {host: mx.b.example, min: 3, max: 2}\n"), 12, 49,
       "`max` (2) is less than `min` (3)"},
      // events and expectations: one action, one check
      {"event with no action", head("events:\n  - at: 1s\n"), 12, 5,
       "an event needs one action: send, fetch, down, up, refuse, accept, cut, heal, loss, disk_full, disk_ok"},
      {"event with two actions", head("events:\n  - at: 1s\n    down: pc.a\n    up: pc.a\n"), 14, 5,
       "an event has exactly one action; this one has `down` and `up`: write two events with the same `at`"},
      {"expectation with two checks",
       head("expect:\n  - queue_empty: all\n    fetched: {user: bob}\n"), 13, 5,
       "an expectation holds exactly one check; this one has `queue_empty` and `fetched`"},
      {"expectation with no check", head("expect:\n  - {}\n"), 12, 5, "an expectation needs one check"},
      // host names in events and expectations (checked after everything is read)
      {"send.server unknown", head("events:\n  - {at: 1s, send: {from: a@b.example, to: x@y.example, server: mx.b.exmple}}\n"),
       12, 65, "`send.server` names `mx.b.exmple`, which is not a host (did you mean `mx.b.example`?); hosts: mx.b.example, pc.a"},
      {"send.client unknown", head("events:\n  - {at: 1s, send: {from: a@b.example, to: x@y.example, server: mx.b.example, client: pc.b}}\n"),
       12, 87, "`send.client` names `pc.b`, which is not a host"},
      {"send.server without mta", head("events:\n  - {at: 1s, send: {from: a@b.example, to: x@y.example, server: pc.a}}\n"),
       12, 65, "`send.server` names `pc.a`, which has no `mta`"},
      {"fetch.server without pop3", head("  h.example: {address: 192.0.2.3}\nevents:\n  - {at: 1s, fetch: {user: u, server: h.example}}\n"),
       13, 39, "`fetch.server` names `h.example`, which does not run POP3 (give it `pop3: true`)"},
      {"fetch.client unknown", head("events:\n  - {at: 1s, fetch: {user: u, server: mx.b.example, client: pc.z}}\n"),
       12, 61, "`fetch.client` names `pc.z`, which is not a host"},
      {"down unknown", head("events:\n  - {at: 1s, down: mx1.b.example}\n"), 12, 20,
       "`down` names `mx1.b.example`, which is not a host (did you mean `mx.b.example`?)"},
      {"up unknown", head("events:\n  - {at: 1s, up: nowhere}\n"), 12, 18, "`up` names `nowhere`, which is not a host"},
      {"refuse unknown", head("events:\n  - {at: 1s, refuse: {host: nowhere, service: smtp}}\n"), 12, 29,
       "`refuse.host` names `nowhere`, which is not a host"},
      {"disk_full unknown", head("events:\n  - {at: 1s, disk_full: nowhere}\n"), 12, 25,
       "`disk_full` names `nowhere`, which is not a host"},
      {"cut unknown", head("events:\n  - {at: 1s, cut: [pc.a, core]}\n"), 12, 26,
       "`cut` names `core`, which is not a host or a router of `network.links`"},
      {"loss unknown", head("events:\n  - {at: 1s, loss: {between: [pc.a, nowhere], rate: 0.1}}\n"), 12, 37,
       "`loss` names `nowhere`, which is not a host or a router"},
      {"expect host unknown", head("expect:\n  - delivered: {to: a@b.example, host: mx.c.example}\n"), 12, 40,
       "`delivered.host` names `mx.c.example`, which is not a host"},
      {"expect via unknown", head("expect:\n  - relayed: {via: relay.example}\n"), 12, 20,
       "`relayed.via` names `relay.example`, which is not a host"},
      {"queue_empty unknown", head("expect:\n  - queue_empty: mx2.b.example\n"), 12, 18,
       "`queue_empty` names `mx2.b.example`, which is not a host"},
      {"queue_empty on a host without mta", head("expect:\n  - queue_empty: pc.a\n"), 12, 18,
       "`queue_empty` names `pc.a`, which has no `mta`"},
      {"reply host without mta", head("expect:\n  - reply: {host: pc.a, code: 250}\n"), 12, 19,
       "`reply.host` names `pc.a`, which has no `mta`"},
  };
  for (const ErrorCase& c : cases) {
    INFO(c.what << "\n" << c.text);
    LoadError e = load_err(c.text);
    const std::string where = "t.yaml:" + std::to_string(c.line) + ":" + std::to_string(c.column) +
                              ": error: ";
    INFO(e.str());
    CHECK(e.str().rfind(where, 0) == 0);
    CHECK(e.message.find(c.message) != std::string::npos);
    CHECK(e.message.find('\n') == std::string::npos);
  }
}

TEST_CASE("the first error in file order is the one reported", "[loader][errors]") {
  LoadError e = load_err(head("events:\n  - {at: 1s, down: nowhere}\n  - {at: 2s, up: pc.a, down: pc.a}\n"));
  CHECK(e.line == 13);  // a structural error is found before any host name is resolved
  e = load_err(head("events:\n  - {at: 1s, down: nowhere}\n  - {at: 2s, up: elsewhere}\n"));
  CHECK(e.line == 12);
}

TEST_CASE("parse_duration", "[duration]") {
  struct Good {
    const char* text;
    std::int64_t ns;
  };
  const Good good[] = {
      {"0s", 0},          {"0h", 0},
      {"250ms", 250 * kMillisecond},
      {"30s", 30 * kSecond},
      {"5m", 5 * kMinute},
      {"2h", 2 * kHour},  {"3d", 3 * kDay},
      {"1h30m", 90 * kMinute},
      {"4000s", 4000 * kSecond},
      {"1d2h3m4s5ms6us7ns", kDay + 2 * kHour + 3 * kMinute + 4 * kSecond + 5 * kMillisecond +
                                6 * kMicrosecond + 7},
      {"10us", 10 * kMicrosecond},
      {"1ns", 1},         {"007s", 7 * kSecond},
      {"106751d", 106751 * kDay},
      {"9223372036854775807ns", INT64_MAX},
  };
  for (const Good& g : good) {
    INFO(g.text);
    std::string error;
    auto ns = parse_duration(g.text, &error);
    REQUIRE(ns);
    CHECK(*ns == g.ns);
    CHECK(error.empty());
  }
  struct Bad {
    const char* text;
    const char* message;
  };
  const Bad bad[] = {
      {"30", "`30` has no unit: write 30s, 30m, 30h, 30d, 30ms, ..."},
      {"0", "`0` has no unit"},
      {"1h30", "`1h30`: the last number `30` has no unit: write e.g. 1h30m or 1h30s"},
      {"", "empty duration"},
      {"-5m", "`-5m` is negative"},
      {"+5m", "write 5m without a sign"},
      {"1.5h", "durations are whole numbers"},
      {"5min", "unknown unit `min` (units: ns, us, ms, s, m, h, d); write 5m"},
      {"5M", "unknown unit `M`"},
      {"5 m", "no spaces inside a duration"},
      {"1h 30m", "no spaces inside a duration"},
      {"30m1h", "parts go from the largest unit to the smallest, each unit once"},
      {"1m1m", "each unit once"},
      {"h", "expected a number at `h`"},
      {"106752d", "is too long"},
      {"9223372036854775808ns", "is too long"},
      {"99999999999999999999999s", "is too long"},
      {"106751d1d", "each unit once"},
      {"106751d23h59m59s1000ms", "is too long"},
      {"106751d23h47m16s854775808ns", "is too long"},
  };
  for (const Bad& b : bad) {
    INFO(b.text);
    std::string error;
    CHECK_FALSE(parse_duration(b.text, &error));
    CHECK(error.find(b.message) != std::string::npos);
    INFO(error);
  }
  CHECK_FALSE(parse_duration("30", nullptr));  // no error wanted: no crash either
}

TEST_CASE("format_duration writes the shortest exact form and round-trips", "[duration]") {
  struct Case {
    std::int64_t ns;
    const char* text;
  };
  const Case cases[] = {
      {0, "0s"},
      {250 * kMillisecond, "250ms"},
      {90 * kMinute, "1h30m"},
      {4000 * kSecond, "1h6m40s"},
      {1500 * kMillisecond, "1s500ms"},
      {36 * kHour, "1d12h"},
      {5 * kDay, "5d"},
      {1, "1ns"},
      {1001 * kMicrosecond, "1ms1us"},
      {-30 * kSecond, "-30s"},
      {INT64_MAX, "106751d23h47m16s854ms775us807ns"},
      {INT64_MIN, "-106751d23h47m16s854ms775us808ns"},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    CHECK(format_duration(c.ns) == c.text);
    if (c.ns >= 0) CHECK(parse_duration(c.text, nullptr) == c.ns);
  }
}

TEST_CASE("bandwidths", "[duration]") {
  CHECK(parse_bandwidth("10Mbps", nullptr) == 10'000'000u);
  CHECK(parse_bandwidth("1Gbps", nullptr) == 1'000'000'000u);
  CHECK(parse_bandwidth("512kbps", nullptr) == 512'000u);
  CHECK(parse_bandwidth("512Kbps", nullptr) == 512'000u);
  CHECK(parse_bandwidth("9600bps", nullptr) == 9600u);
  struct Bad {
    const char* text;
    const char* message;
  };
  const Bad bad[] = {{"10", "`10` has no unit: write 10Mbps, 10kbps, 10Gbps or 10bps"},
                     {"10MB/s", "unknown unit `MB/s`"},
                     {"0Mbps", "must be greater than 0"},
                     {"fast", "is not a bandwidth"},
                     {"99999999999Gbps", "is too large"}};
  for (const Bad& b : bad) {
    INFO(b.text);
    std::string error;
    CHECK_FALSE(parse_bandwidth(b.text, &error));
    CHECK(error.find(b.message) != std::string::npos);
  }
  CHECK(format_bandwidth(10'000'000) == "10Mbps");
  CHECK(format_bandwidth(512'000) == "512kbps");
  CHECK(format_bandwidth(1'500) == "1500bps");
}

TEST_CASE("every prefix of a valid file loads or fails cleanly", "[loader][robustness]") {
  // Truncating the file anywhere must give a Scenario or one LoadError, never a crash or
  // an exception (Beast's fail_count idea, applied to input).
  // Every line end and every 4th byte keep it quick under the sanitizers.
  std::size_t errors = 0, loads = 0;
  for (std::size_t n = 0; n <= kFull.size(); ++n) {
    if (n % 4 != 0 && kFull[n] != '\n') continue;
    ++loads;
    auto r = load_scenario_text(kFull.substr(0, n), "t.yaml");
    if (const auto* e = std::get_if<LoadError>(&r)) {
      ++errors;
      CHECK(e->line >= 1);
      CHECK(e->column >= 1);
      CHECK_FALSE(e->message.empty());
    }
  }
  CHECK(errors > loads / 2);
  // Likewise with one character changed here and there.
  std::string damaged(kFull);
  for (std::size_t i = 0; i < damaged.size(); i += 13) {
    std::string copy = damaged;
    copy[i] = copy[i] == ' ' ? ':' : ' ';
    auto r = load_scenario_text(copy, "t.yaml");
    if (const auto* e = std::get_if<LoadError>(&r)) CHECK(e->line >= 1);
  }
}

TEST_CASE("syntax of addresses and names", "[loader]") {
  using namespace maillab::scenario::detail;
  CHECK(parse_ipv4("192.0.2.10") == 0xC000020Au);
  CHECK(parse_ipv4("0.0.0.0") == 0u);
  CHECK(parse_ipv4("255.255.255.255") == 0xFFFFFFFFu);
  for (const char* bad : {"", "1.2.3", "1.2.3.4.5", "1.2.3.256", "01.2.3.4", "1.2.3.-4", "1..3.4",
                          "a.b.c.d", "1.2.3.4 ", "1.2.3.4/24", "1234.1.1.1"}) {
    INFO(bad);
    CHECK_FALSE(parse_ipv4(bad));
  }
  for (const char* good : {"a", "core", "mx1.b.example", "pc.alice", "a-b.c0", "1.2.3.4"}) {
    INFO(good);
    CHECK(is_host_name(good));
  }
  for (const char* bad : {"", "Mx.example", "a..b", ".a", "a.", "-a.b", "a-.b", "a_b", "a b",
                          "\xc3\xa9.example"}) {
    INFO(bad);
    CHECK_FALSE(is_host_name(bad));
  }
  CHECK_FALSE(is_host_name(std::string(64, 'a')));
  CHECK(is_host_name(std::string(63, 'a')));
  for (const char* good : {"a@b", "alice@a.example", "first.last+tag@Mail.Example", "x@[192.0.2.1]",
                           "weird!#$%&'*/=?^_`{|}~-@b.example"}) {
    INFO(good);
    CHECK(is_mail_address(good));
  }
  for (const char* bad : {"", "alice", "@b.example", "alice@", "a b@c", "<a@b>", "a@b..c",
                          "a@b_c", "a@[1.2.3]", "a,b@c", "a@b c"}) {
    INFO(bad);
    CHECK_FALSE(is_mail_address(bad));
  }
}

TEST_CASE("load_scenario_file", "[loader]") {
  SECTION("a missing file") {
    auto r = load_scenario_file("/nonexistent/x.yaml");
    REQUIRE(std::holds_alternative<LoadError>(r));
    CHECK(std::get<LoadError>(r).str() == "/nonexistent/x.yaml: error: cannot read: No such file or directory");
  }
  SECTION("a directory") {
    auto r = load_scenario_file("/tmp");
    REQUIRE(std::holds_alternative<LoadError>(r));
    CHECK(std::get<LoadError>(r).str() == "/tmp: error: is a directory, not a scenario file");
  }
  SECTION("a file on disk: its path labels the scenario and its errors") {
    const std::string path =
        (std::filesystem::temp_directory_path() / "maillab_loader_test.yaml").string();
    {
      std::ofstream(path) << kFull;
    }
    CHECK(ok(load_scenario_file(path)).file == path);
    {
      std::ofstream(path) << "scenario: t\nduration: 30\n";
    }
    auto r = load_scenario_file(path);
    REQUIRE(std::holds_alternative<LoadError>(r));
    CHECK(std::get<LoadError>(r).str().rfind(path + ":2:11: error: bad duration", 0) == 0);
    std::remove(path.c_str());
  }
}

#ifdef MAILLAB_SOURCE_DIR
TEST_CASE("the built-in scenarios load", "[loader][library]") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(MAILLAB_SOURCE_DIR) / "scenarios" / "library";
  int n = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".yaml") continue;
    INFO(entry.path().string());
    const Scenario s = ok(load_scenario_file(entry.path().string()));
    CHECK(s.id == entry.path().stem().string());
    ++n;
  }
  CHECK(n > 0);
}
#endif

TEST_CASE("a ? in a value: quoted in flow style, or plain in block style, it loads as written", "[loader]") {
  const std::string events = std::string(kHead) + R"(events:
  - at: 1s
    send: {from: a@b.example, to: b@b.example, subject: "Why? Because", server: mx.b.example}
  - at: 2s
    send:
      from: a@b.example
      to: b@b.example
      subject: Why? Because
      body: Really? Yes.
      server: mx.b.example
)";
  const Scenario s = load_ok(events);
  REQUIRE(s.events.size() == 2);
  CHECK(std::get<Send>(s.events[0].action).subject == "Why? Because");
  CHECK(std::get<Send>(s.events[1].action).subject == "Why? Because");
  CHECK(std::get<Send>(s.events[1].action).body == "Really? Yes.");
}
