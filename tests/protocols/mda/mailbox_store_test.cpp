// The shared mail store (mailbox_store.hpp): the same rules checked on the memory store
// and on Maildir++ over a virtual disk; then what only Maildir++ has (the files, reload).
#include "protocols/mda/mailbox_store.hpp"

#include <catch2/catch.hpp>

#include <functional>
#include <set>
#include <memory>

#include "mda_test_support.hpp"
#include "protocols/io/disk.hpp"
#include "protocols/mda/maildir_plus_store.hpp"
#include "protocols/mda/memory_mailbox_store.hpp"
#include "protocols/message/date.hpp"

using namespace maillab;
using namespace maillab::mda;
using namespace maillab::mda::test;

namespace {

struct Recorder final : MailboxObserver {
  std::vector<std::string> seen;
  std::function<void()> also;
  void on_mailbox_change(const FolderChange& c) override {
    static const char* kNames[] = {"appended", "flags", "expunged", "created", "deleted", "renamed"};
    seen.push_back(std::string(kNames[static_cast<int>(c.kind)]) + ":" + std::to_string(c.uid));
    if (also) also();
  }
};

// Both implementations, each with a fresh disk.
struct Fixture {
  io::MemoryDisk disk;
  std::unique_ptr<MailboxStore> store;
  explicit Fixture(bool maildir) {
    if (maildir) store = std::make_unique<MaildirPlusStore>(disk, "mail/", "mx.b.example");
    else store = std::make_unique<MemoryMailboxStore>("mx.b.example");
  }
};

std::vector<std::string> names(const std::vector<const Folder*>& folders) {
  std::vector<std::string> out;
  for (const Folder* f : folders) out.push_back(f->name);
  return out;
}

std::vector<std::uint32_t> uids(const Folder* f) {
  std::vector<std::uint32_t> out;
  if (f)
    for (const auto& m : f->messages) out.push_back(m.uid);
  return out;
}

}  // namespace

TEST_CASE("every user gets INBOX, Sent, Drafts, Junk and Trash, subscribed", "[mailbox_store]") {
  for (bool maildir : {false, true}) {
    INFO((maildir ? "maildir++" : "memory"));
    Fixture fx(maildir);
    REQUIRE(fx.store->ensure_user("bob", 0) == StoreResult::Ok);
    REQUIRE(fx.store->ensure_user("bob", kMinute) == StoreResult::Ok);  // idempotent
    CHECK(names(fx.store->folders("bob")) == std::vector<std::string>{"INBOX", "Drafts", "Junk", "Sent", "Trash"});
    CHECK(fx.store->folder("bob", "Sent")->special_use == SpecialUse::Sent);
    CHECK(fx.store->folder("bob", "inbox")->name == "INBOX");
    CHECK(fx.store->subscriptions("bob") == std::vector<std::string>{"Drafts", "INBOX", "Junk", "Sent", "Trash"});
    CHECK(fx.store->ensure_user("../x", 0) == StoreResult::BadName);
    CHECK(fx.store->folders("nobody").empty());
    // Distinct UIDVALIDITY values, from the clock.
    std::set<std::uint32_t> validities;
    for (const Folder* f : fx.store->folders("bob")) validities.insert(f->uidvalidity);
    CHECK(validities.size() == 5);
    CHECK(*validities.begin() == message::kEpochUnixSeconds);
  }
}

TEST_CASE("appends get ascending UIDs; flags, keywords, expunge, copy, recent", "[mailbox_store]") {
  for (bool maildir : {false, true}) {
    INFO((maildir ? "maildir++" : "memory"));
    Fixture fx(maildir);
    auto& s = *fx.store;
    s.ensure_user("bob", 0);
    Recorder rec;
    s.watch(&rec);
    std::uint32_t uid = 0;
    REQUIRE(s.append("bob", "INBOX", letter("Subject: one\r\n\r\nbody\r\n", kMinute), &uid) == StoreResult::Ok);
    CHECK(uid == 1);
    REQUIRE(s.append("bob", "INBOX", letter("Subject: two\r\n\r\nx\r\n", 2 * kMinute, Seen, {"$Forwarded"}), &uid) ==
            StoreResult::Ok);
    CHECK(uid == 2);
    CHECK(s.append("bob", "Nope", letter("x\r\n"), &uid) == StoreResult::NoSuchFolder);
    const Folder* inbox = s.folder("bob", "INBOX");
    CHECK(inbox->uidnext == 3);
    CHECK(uids(inbox) == std::vector<std::uint32_t>{1, 2});
    CHECK(inbox->messages[0].size == 22);
    CHECK(inbox->messages[0].internal_date == message::kEpochUnixSeconds + 60);
    CHECK(inbox->messages[1].flags == Seen);
    CHECK(inbox->keywords == std::vector<std::string>{"$Forwarded"});
    CHECK(*s.content("bob", inbox->id, 1) == "Subject: one\r\n\r\nbody\r\n");

    CHECK(s.set_flags("bob", inbox->id, 1, Seen | Flagged, 0) == StoreResult::Ok);
    CHECK(s.folder("bob", "INBOX")->messages[0].flags == (Seen | Flagged));
    CHECK(s.set_flags("bob", inbox->id, 9, Seen, 0) == StoreResult::NoSuchMessage);

    // Keywords: up to 26 per folder (Maildir letters a-z).
    std::vector<std::string> many;
    for (int i = 0; i < 25; ++i) many.push_back("k" + std::to_string(i));
    std::uint32_t mask = 0;
    CHECK(s.keyword_mask("bob", inbox->id, many, true, &mask) == StoreResult::Ok);
    CHECK(mask == (((1u << 25) - 1) << 1));
    CHECK(s.keyword_mask("bob", inbox->id, {"$FORWARDED", "one-more"}, true, &mask) == StoreResult::TooManyKeywords);
    CHECK(s.folder("bob", "INBOX")->keywords.size() == 26);
    CHECK(s.keyword_mask("bob", inbox->id, {"$forwarded", "unknown"}, false, &mask) == StoreResult::Ok);
    CHECK(mask == 1);

    std::vector<std::uint32_t> copied;
    REQUIRE(s.copy("bob", inbox->id, {1, 2, 7}, "Trash", &copied) == StoreResult::Ok);
    CHECK(copied == std::vector<std::uint32_t>{1, 2});
    const Folder* trash = s.folder("bob", "Trash");
    CHECK(trash->messages[0].flags == (Seen | Flagged));
    CHECK(trash->keywords == std::vector<std::string>{"$Forwarded"});
    CHECK(trash->messages[1].keywords == 1);
    CHECK(*s.content("bob", trash->id, 2) == "Subject: two\r\n\r\nx\r\n");

    CHECK(s.claim_recent("bob", inbox->id) == std::vector<std::uint32_t>{1, 2});
    CHECK(s.claim_recent("bob", inbox->id).empty());
    CHECK(s.expunge("bob", inbox->id, {1, 5}) == StoreResult::Ok);
    CHECK(uids(s.folder("bob", "INBOX")) == std::vector<std::uint32_t>{2});
    REQUIRE(s.append("bob", "INBOX", letter("Subject: three\r\n\r\n"), &uid) == StoreResult::Ok);
    CHECK(uid == 3);  // UIDs are never reused
    CHECK(rec.seen == std::vector<std::string>{"appended:1", "appended:2", "flags:1", "appended:1", "appended:2",
                                               "expunged:1", "appended:3"});
    s.unwatch(&rec);
  }
}

TEST_CASE("folders: create with superiors, delete, rename, subscriptions", "[mailbox_store]") {
  for (bool maildir : {false, true}) {
    INFO((maildir ? "maildir++" : "memory"));
    Fixture fx(maildir);
    auto& s = *fx.store;
    s.ensure_user("bob", 0);
    CHECK(s.create_folder("bob", "Work.Projects.2026", kMinute) == StoreResult::Ok);
    CHECK(s.folder("bob", "Work") != nullptr);
    CHECK(s.folder("bob", "Work.Projects") != nullptr);
    CHECK(s.create_folder("bob", "Work", kMinute) == StoreResult::AlreadyExists);
    CHECK(s.create_folder("bob", "inbox", kMinute) == StoreResult::AlreadyExists);
    for (const char* bad : {"", ".x", "a..b", "a.", "a/b", "~x", "a\tb"}) {
      INFO(bad);
      CHECK(s.create_folder("bob", bad, kMinute) == StoreResult::BadName);
    }
    CHECK(s.delete_folder("bob", "INBOX") == StoreResult::NotAllowed);
    CHECK(s.delete_folder("bob", "Work") == StoreResult::NotAllowed);  // it has children
    CHECK(s.delete_folder("bob", "Nope") == StoreResult::NoSuchFolder);

    // Rename keeps UIDs and UIDVALIDITY and takes the children along.
    const Folder* work = s.folder("bob", "Work.Projects");
    const std::uint64_t id = work->id;
    const std::uint32_t validity = work->uidvalidity;
    s.append("bob", "Work.Projects", letter("Subject: p\r\n\r\n"));
    REQUIRE(s.rename_folder("bob", "Work", "Old.Work", 2 * kMinute) == StoreResult::Ok);
    CHECK(s.folder("bob", "Work") == nullptr);
    const Folder* moved = s.folder("bob", "Old.Work.Projects");
    REQUIRE(moved != nullptr);
    CHECK(moved->id == id);
    CHECK(moved->uidvalidity == validity);
    CHECK(uids(moved) == std::vector<std::uint32_t>{1});
    CHECK(s.folder("bob", "Old.Work.Projects.2026") != nullptr);
    CHECK(s.folder("bob", "Old") != nullptr);
    CHECK(*s.content("bob", moved->id, 1) == "Subject: p\r\n\r\n");
    CHECK(s.rename_folder("bob", "Old", "Old.Work.X", kMinute) == StoreResult::BadName);
    CHECK(s.rename_folder("bob", "Sent", "Trash", kMinute) == StoreResult::AlreadyExists);

    // Deleting and creating again: a new UIDVALIDITY (RFC 9051 2.3.1.1).
    REQUIRE(s.delete_folder("bob", "Old.Work.Projects.2026") == StoreResult::Ok);
    REQUIRE(s.create_folder("bob", "Old.Work.Projects.2026", 0) == StoreResult::Ok);
    std::set<std::uint32_t> validities;
    for (const Folder* f : s.folders("bob")) validities.insert(f->uidvalidity);
    CHECK(validities.size() == s.folders("bob").size());

    // Renaming INBOX moves its messages and leaves it empty.
    s.append("bob", "INBOX", letter("Subject: i\r\n\r\n"));
    const std::uint64_t inbox_id = s.folder("bob", "INBOX")->id;
    REQUIRE(s.rename_folder("bob", "INBOX", "Archive", 3 * kMinute) == StoreResult::Ok);
    CHECK(s.folder("bob", "INBOX")->messages.empty());
    CHECK(s.folder("bob", "INBOX")->id == inbox_id);
    CHECK(s.folder("bob", "Archive")->messages.size() == 1);

    CHECK(s.set_subscribed("bob", "Archive", true) == StoreResult::Ok);
    CHECK(s.set_subscribed("bob", "Sent", false) == StoreResult::Ok);
    CHECK(s.subscriptions("bob") == std::vector<std::string>{"Archive", "Drafts", "INBOX", "Junk", "Trash"});
  }
}

TEST_CASE("an observer may unwatch itself from its callback", "[mailbox_store]") {
  MemoryMailboxStore s;
  s.ensure_user("bob", 0);
  Recorder a, b;
  a.also = [&] { s.unwatch(&a); };
  s.watch(&a);
  s.watch(&b);
  s.append("bob", "INBOX", letter("x\r\n"));
  s.append("bob", "INBOX", letter("y\r\n"));
  CHECK(a.seen.size() == 1);
  CHECK(b.seen.size() == 2);
}
