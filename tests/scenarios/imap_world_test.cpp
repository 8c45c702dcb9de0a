// IMAP in the simulated world (scenario-format 1.1 "IMAP"): hosts with `imap: true` share
// one Maildir++ store between the MDA, POP3 and IMAP; `fetch` with `protocol: imap`,
// `idle`, `send` with `save_sent` and the `stored` check; what the loader refuses.
#include <catch2/catch.hpp>

#include "protocols/mda/maildir_plus_store.hpp"
#include "scenarios/expectations.hpp"
#include "scenarios/library.hpp"
#include "scenarios/loader.hpp"
#include "scenarios/world.hpp"

using namespace maillab;
using namespace maillab::scenario;

namespace {

std::unique_ptr<World> run(const std::string& name) {
  auto loaded = load_scenario(name);
  REQUIRE(std::holds_alternative<Scenario>(loaded));
  const Scenario& s = std::get<Scenario>(loaded);
  auto built = World::build(s, s.seed);
  REQUIRE(std::holds_alternative<std::unique_ptr<World>>(built));
  auto w = std::move(std::get<std::unique_ptr<World>>(built));
  w->run_until(s.duration_ns);
  for (const auto& r : check_expectations(*w)) {
    INFO(r.what << " found " << r.found);
    CHECK(r.passed);
  }
  return w;
}

// The time of the first trace event of this name on this host (-1: none).
io::Time first(const World& w, std::string_view host, std::string_view event, std::string_view command = {}) {
  for (const auto& e : w.trace().events()) {
    if (e.host == host && e.event == event && (command.empty() || e.get("command").find(command) != std::string::npos))
      return e.t_ns;
  }
  return -1;
}

const char* kHead = R"(scenario: t
duration: 1h
hosts:
  mx.b.example:
    address: 192.0.2.20
    mta: {domains: [b.example]}
    users: {bob: {password: builder}}
)";

std::string load_error(const std::string& rest) {
  auto r = load_scenario_text(std::string(kHead) + rest, "t.yaml");
  if (std::holds_alternative<Scenario>(r)) return "loaded";
  return std::get<LoadError>(r).str();
}

}  // namespace

TEST_CASE("imap-vs-pop3: POP3 takes the mail away, IMAP leaves it on the server") {
  auto w = run("imap-vs-pop3");
  REQUIRE(w->fetches().size() == 4);
  CHECK(w->fetches()[0].result.messages.size() == 2);  // POP3, delete: true
  CHECK(w->fetches()[0].result.deletions_committed);
  CHECK(w->fetches()[1].result.ok);                     // IMAP: nothing left
  CHECK(w->fetches()[1].result.messages.empty());
  CHECK(w->fetches()[2].result.messages.size() == 1);  // the laptop reads "Third" ...
  CHECK(w->fetches()[3].result.ok);                     // ... and the phone sees it \Seen
  CHECK(w->fetches()[3].result.messages.empty());
  // What IMAP left is on the host's disk as Maildir++ with Dovecot's index.
  const io::Disk& disk = w->hosts().at("mx.b.example")->disk;
  CHECK(disk.exists("mail/bob/dovecot-uidlist"));
  CHECK(disk.list("mail/bob/cur/").size() == 1);  // \Seen: moved to cur/ with ":2,S"
  CHECK(disk.list("mail/bob/cur/")[0].find(":2,S") != std::string::npos);
}

TEST_CASE("imap-idle: the phone fetches each message moments after the MDA files it") {
  auto w = run("imap-idle");
  const io::Time delivered = first(*w, "mx.b.example", "deliver");
  const io::Time fetched = first(*w, "mx.b.example", "imap.in", "UID FETCH");
  REQUIRE(delivered > 0);
  REQUIRE(fetched > delivered);
  CHECK(fetched - delivered < 100'000'000);  // under 100 ms: pushed, not polled
  REQUIRE(w->fetches().size() == 1);
  CHECK(w->fetches()[0].result.ok);
  CHECK(w->fetches()[0].result.messages.size() == 2);
}

TEST_CASE("imap-folders: save_sent APPENDs to Sent; delete: trash MOVEs to Trash on the server") {
  auto w = run("imap-folders");
  // Sent holds exactly what the MUA submitted.
  REQUIRE(w->submissions().size() >= 1);
  io::MemoryDisk copy;
  const io::Disk& disk = w->hosts().at("mail.a.example")->disk;
  for (const auto& p : disk.list("mail/")) copy.write(p, disk.read(p));
  mda::MaildirPlusStore store(copy, "mail/", "mail.a.example");
  const mda::Folder* sent = store.folder("alice", "Sent");
  REQUIRE(sent != nullptr);
  REQUIRE(sent->messages.size() == 1);
  CHECK(sent->special_use == mda::SpecialUse::Sent);
  CHECK(*store.content("alice", sent->id, sent->messages[0].uid) == w->submissions()[0].content);
  // The phone's delete moved the second answer to Trash, \Seen; INBOX keeps the first.
  const mda::Folder* trash = store.folder("alice", "Trash");
  REQUIRE(trash != nullptr);
  REQUIRE(trash->messages.size() == 1);
  CHECK(trash->messages[0].flags == mda::Seen);
  CHECK(store.content("alice", trash->id, trash->messages[0].uid)->find("Subject: Re: Plans (2)") != std::string::npos);
  CHECK(store.folder("alice", "INBOX")->messages.size() == 1);
}

TEST_CASE("the loader: IMAP keys and what it refuses") {
  CHECK(load_error("    imap: true\nevents:\n  - {at: 1m, idle: {user: bob, server: mx.b.example, until: 2m}}\n") ==
        "loaded");
  CHECK_THAT(load_error("events:\n  - {at: 1m, fetch: {user: bob, server: mx.b.example, protocol: imap}}\n"),
             Catch::Contains("which does not run IMAP (give it `imap: true`)"));
  CHECK_THAT(load_error("    imap: true\nevents:\n  - {at: 1m, fetch: {user: bob, server: mx.b.example, protocol: pop3}}\n"),
             Catch::Contains("which does not run POP3"));
  CHECK_THAT(load_error("    imap: true\nevents:\n  - {at: 1m, idle: {user: bob, server: mx.b.example, until: 1m}}\n"),
             Catch::Contains("must be later than the event's `at`"));
  CHECK_THAT(load_error("events:\n  - {at: 1m, send: {from: bob@b.example, to: a@a.example, server: mx.b.example, "
                        "save_sent: true}}\n"),
             Catch::Contains("with `save_sent` names `mx.b.example`, which does not run IMAP"));
  CHECK_THAT(load_error("    imap: true\nexpect:\n  - stored: {user: bob, host: mx.b.example, folder: a..b}\n"),
             Catch::Contains("`folder` must be a folder name"));
  CHECK(load_error("    imap: true\nevents:\n  - {at: 1m, fetch: {user: bob, server: mx.b.example, protocol: imap, "
                   "delete: trash}}\n") == "loaded");
  CHECK_THAT(load_error("    pop3: true\nevents:\n  - {at: 1m, fetch: {user: bob, server: mx.b.example, delete: trash}}\n"),
             Catch::Contains("`delete: trash` needs `protocol: imap`"));
  CHECK_THAT(load_error("events:\n  - {at: 1m, fetch: {user: bob, server: mx.b.example, protocol: imapx}}\n"),
             Catch::Contains("`protocol` must be pop3, imap or webmail"));
  auto mbox = load_scenario_text(R"(scenario: t
duration: 1h
hosts:
  mx.b.example:
    address: 192.0.2.20
    mta: {domains: [b.example], mailbox: mbox}
    imap: true
)",
                                 "t.yaml");
  REQUIRE(std::holds_alternative<LoadError>(mbox));
  CHECK_THAT(std::get<LoadError>(mbox).message, Catch::Contains("needs the host's mailboxes in Maildir"));
}

TEST_CASE("a wrong IMAP password: NO after the failure delay, nothing fetched, counted per address") {
  auto loaded = load_scenario_text(std::string(kHead) + R"(    imap: true
events:
  - {at: 1s, send: {from: x@a.example, to: bob@b.example, subject: Hi, server: mx.b.example}}
  - {at: 1m, fetch: {user: bob, server: mx.b.example, protocol: imap, password: wrong}}
  - {at: 2m, fetch: {user: bob, server: mx.b.example, protocol: imap, password: ""}}
expect:
  - stored: {user: bob, host: mx.b.example, count: 1, seen: 0}
)",
                                   "t.yaml");
  REQUIRE(std::holds_alternative<Scenario>(loaded));
  const Scenario& s = std::get<Scenario>(loaded);
  auto w = std::move(std::get<std::unique_ptr<World>>(World::build(s, s.seed)));
  w->run_until(s.duration_ns);
  REQUIRE(w->fetches().size() == 2);
  for (const auto& f : w->fetches()) {
    CHECK_FALSE(f.result.ok);
    CHECK(f.result.messages.empty());
  }
  const io::Time login = first(*w, "mx.b.example", "imap.auth_failed");
  REQUIRE(login > 0);
  for (const auto& r : check_expectations(*w)) CHECK(r.passed);
}
