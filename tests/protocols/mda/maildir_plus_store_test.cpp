// Maildir++ on disk: the files Dovecot and Python read, a reload in a new store object,
// MaildirStore's INBOX taken over, every disk failure point, a real directory checked by
// Python's mailbox module.
#include "protocols/mda/maildir_plus_store.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <tuple>
#include <unistd.h>

#include "mda_test_support.hpp"
#include "protocols/io/disk.hpp"
#include "protocols/mda/dovecot_files.hpp"
#include "protocols/mda/mailbox_mail_store.hpp"
#include "protocols/mda/maildir_store.hpp"
#include "protocols/message/date.hpp"

using namespace maillab;
using namespace maillab::mda;
using namespace maillab::mda::test;
namespace fs = std::filesystem;

namespace {

// What a client could observe of a user's store, `recent` aside.
using Snapshot = std::vector<std::tuple<std::string, std::uint32_t, std::uint32_t, std::vector<std::string>,
                                        std::vector<std::tuple<std::uint32_t, int, std::uint32_t, std::string>>>>;
Snapshot snapshot(MailboxStore& s, const std::string& user) {
  Snapshot out;
  for (const Folder* f : s.folders(user)) {
    std::vector<std::tuple<std::uint32_t, int, std::uint32_t, std::string>> msgs;
    for (const auto& m : f->messages) {
      auto content = s.content(user, f->id, m.uid);
      msgs.emplace_back(m.uid, m.flags, m.keywords, content ? *content : std::string("<missing>"));
    }
    out.emplace_back(f->name, f->uidvalidity, f->uidnext, f->keywords, std::move(msgs));
  }
  return out;
}

std::string shown(const Snapshot& s) {
  std::string out;
  for (const auto& [name, validity, next, keywords, msgs] : s) {
    out += name + " V" + std::to_string(validity) + " N" + std::to_string(next) + " kw" + std::to_string(keywords.size()) + ":";
    for (const auto& [uid, flags, kw, content] : msgs)
      out += " " + std::to_string(uid) + "/" + std::to_string(flags) + "/" + std::to_string(kw) + "/" +
             std::to_string(content.size());
    out += "\n";
  }
  return out;
}


// An io::Disk over a real directory, for the Python check (the lab's own FileDisk lives
// in bridge/, above this layer).
class DirectoryDisk final : public io::Disk {
 public:
  explicit DirectoryDisk(fs::path root) : root_(std::move(root)) {}
  using io::Disk::write;
  bool write(const std::string& p, io::Bytes d) override {
    std::error_code ec;
    fs::create_directories((root_ / p).parent_path(), ec);
    std::ofstream f(root_ / p, std::ios::binary | std::ios::trunc);
    f.write(d->data(), static_cast<std::streamsize>(d->size()));
    return static_cast<bool>(f);
  }
  bool append(const std::string& p, std::string_view d) override {
    std::ofstream f(root_ / p, std::ios::binary | std::ios::app);
    f.write(d.data(), static_cast<std::streamsize>(d.size()));
    return static_cast<bool>(f);
  }
  bool rename(const std::string& from, const std::string& to) override {
    std::error_code ec;
    fs::create_directories((root_ / to).parent_path(), ec);
    fs::rename(root_ / from, root_ / to, ec);
    return !ec;
  }
  bool remove(const std::string& p) override {
    std::error_code ec;
    return fs::remove(root_ / p, ec);
  }
  io::Bytes read(const std::string& p) const override {
    std::ifstream f(root_ / p, std::ios::binary);
    if (!f) return nullptr;
    std::ostringstream s;
    s << f.rdbuf();
    return io::make_bytes(s.str());
  }
  bool exists(const std::string& p) const override { return fs::is_regular_file(root_ / p); }
  std::vector<std::string> list(const std::string& prefix) const override {
    std::vector<std::string> out;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(root_, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      if (!it->is_regular_file()) continue;
      std::string rel = fs::relative(it->path(), root_).generic_string();
      if (rel.compare(0, prefix.size(), prefix) == 0) out.push_back(rel);
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  std::size_t used_bytes() const override { return 0; }

 private:
  fs::path root_;
};

}  // namespace

TEST_CASE("Maildir++: the files are where Dovecot keeps them", "[maildir_plus]") {
  io::MemoryDisk disk;
  MaildirPlusStore s(disk, "mail/", "mx.b.example");
  REQUIRE(s.ensure_user("bob", 0) == StoreResult::Ok);
  REQUIRE(s.create_folder("bob", "Entw\xc3\xbcrfe", 0) == StoreResult::Ok);
  std::uint32_t uid = 0;
  REQUIRE(s.append("bob", "INBOX", letter("Subject: a\r\n\r\nhello\r\n", kMinute), &uid) == StoreResult::Ok);
  REQUIRE(s.append("bob", "INBOX", letter("Subject: b\r\n\r\nx\r\n", 2 * kMinute, Seen | Answered, {"$Forwarded"}),
                   &uid) == StoreResult::Ok);
  CHECK(disk.exists("mail/bob/.Sent/maildirfolder"));
  CHECK(disk.exists("mail/bob/.Entw&APw-rfe/maildirfolder"));
  CHECK_FALSE(disk.exists("mail/bob/maildirfolder"));
  const auto inbox_new = disk.list("mail/bob/new/");
  REQUIRE(inbox_new.size() == 1);
  CHECK(inbox_new[0].rfind("mail/bob/new/1772442060.M0P", 0) == 0);
  CHECK(*disk.read(inbox_new[0]) == "Subject: a\n\nhello\n");  // LF on disk
  const auto inbox_cur = disk.list("mail/bob/cur/");
  REQUIRE(inbox_cur.size() == 1);
  CHECK(inbox_cur[0].substr(inbox_cur[0].size() - 6) == ":2,RSa");
  CHECK(*disk.read("mail/bob/dovecot-keywords") == "0 $Forwarded\n");
  const auto list = parse_uidlist(*disk.read("mail/bob/dovecot-uidlist"));
  REQUIRE(list);
  CHECK(list->uidvalidity == message::kEpochUnixSeconds);
  CHECK(list->uidnext == 3);
  CHECK(list->guid.size() == 32);
  REQUIRE(list->records.size() == 2);
  CHECK(inbox_new[0] == "mail/bob/new/" + list->records[0].second);
  CHECK(disk.read("mail/bob/dovecot-uidlist")->rfind("3 V1772442000 N3 G", 0) == 0);
  CHECK(*disk.read("mail/bob/subscriptions") == "Drafts\nINBOX\nJunk\nSent\nTrash\n");

  // Flags move the file to cur/ with its letters; claiming recent moves new/ to cur/.
  const std::uint64_t inbox = s.folder("bob", "INBOX")->id;
  REQUIRE(s.set_flags("bob", inbox, 2, Seen | Deleted | Draft | Flagged, 1) == StoreResult::Ok);
  CHECK(disk.list("mail/bob/cur/")[0].substr(disk.list("mail/bob/cur/")[0].size() - 8) == ":2,DFSTa");
  s.claim_recent("bob", inbox);
  CHECK(disk.list("mail/bob/new/").empty());
  CHECK(disk.list("mail/bob/cur/").size() == 2);
  CHECK(s.maildir_directories("bob").size() == 18);
}

TEST_CASE("Maildir++: a new store object reads back what the old one wrote", "[maildir_plus]") {
  io::MemoryDisk disk;
  Snapshot before;
  {
    MaildirPlusStore s(disk);
    s.ensure_user("bob", 0);
    s.create_folder("bob", "Work.Projects", kMinute);
    s.append("bob", "INBOX", letter("Subject: 1\r\n\r\n", kMinute));
    s.append("bob", "INBOX", letter("Subject: 2\r\n\r\n", kMinute, Flagged, {"Junk", "$Label1"}));
    s.append("bob", "Work.Projects", letter("Subject: 3\r\n\r\nline\r\n", 2 * kMinute, Seen));
    s.expunge("bob", s.folder("bob", "INBOX")->id, {1});
    s.append("bob", "INBOX", letter("Subject: 4\r\n\r\n", 3 * kMinute));
    s.set_subscribed("bob", "Work.Projects", true);
    before = snapshot(s, "bob");
  }
  MaildirPlusStore again(disk);
  CHECK(snapshot(again, "bob") == before);
  CHECK(again.subscriptions("bob") == std::vector<std::string>{"Drafts", "INBOX", "Junk", "Sent", "Trash", "Work.Projects"});
  CHECK(again.users() == std::vector<std::string>{"bob"});
  // UIDVALIDITY values stay unique after a reload.
  REQUIRE(again.create_folder("bob", "Later", 0) == StoreResult::Ok);
  std::set<std::uint32_t> validities;
  for (const Folder* f : again.folders("bob")) validities.insert(f->uidvalidity);
  CHECK(validities.size() == again.folders("bob").size());
}

TEST_CASE("Maildir++: MaildirStore's INBOX and files changed behind the store's back", "[maildir_plus]") {
  io::MemoryDisk disk;
  auto old = make_maildir_store(disk);
  for (std::uint64_t i = 1; i <= 3; ++i) {
    Delivery d;
    d.user = "bob";
    d.recipient = "bob@b.example";
    d.content = io::make_bytes("Subject: " + std::to_string(i) + "\r\n\r\n");
    d.sim_ns = static_cast<std::int64_t>(4 - i) * kMinute;  // the last one delivered has the oldest time
    d.hostname = "mx.b.example";
    d.unique = i;
    REQUIRE(old->deliver(d) == DeliveryStatus::Ok);
  }
  const auto pop3_before = old->list("bob");
  {
    MaildirPlusStore s(disk);
    const Folder* inbox = s.folder("bob", "INBOX");
    REQUIRE(inbox != nullptr);
    CHECK(inbox->messages.size() == 3);
    // UIDs follow the delivery times in the names: the oldest first.
    CHECK(s.content("bob", inbox->id, 1)->find("Subject: 3") != std::string::npos);
    CHECK(disk.exists("mail/bob/dovecot-uidlist"));
    // The POP3 view through the adapter: same ids (UIDL) and contents as MaildirStore's.
    MailboxMailStore adapter(s);
    const auto pop3_after = adapter.list("bob");
    REQUIRE(pop3_after.size() == pop3_before.size());
    for (std::size_t i = 0; i < pop3_after.size(); ++i) {
      CHECK(pop3_after[i].id == pop3_before[i].id);
      CHECK(*pop3_after[i].content == *pop3_before[i].content);
    }
  }
  // One file removed and one added behind the store's back.
  const auto files = disk.list("mail/bob/new/");
  disk.remove(files[0]);
  disk.write("mail/bob/new/9999999999.M1P1.other", std::string_view("Subject: late\n\n"));
  MaildirPlusStore s(disk);
  const Folder* inbox = s.folder("bob", "INBOX");
  std::vector<std::uint32_t> got;
  for (const auto& m : inbox->messages) got.push_back(m.uid);
  CHECK(got.size() == 3);
  CHECK(got.back() == 4);  // a new UID, never an old one
  CHECK(inbox->uidnext == 5);
  // The internal date is the Unix time a name starts with, but only up to 2200 (what
  // simulated nanoseconds hold): 9999999999 is in 2286, so it is unknown (0) rather than
  // a number that overflows later (found by imap_server_fuzz).
  CHECK(inbox->messages.front().internal_date == message::kEpochUnixSeconds + 2 * 60);
  CHECK(inbox->messages.back().internal_date == 0);
  disk.write("mail/bob/new/999999999999999999.M1P1.other", std::string_view("Subject: far\n\n"));
  MaildirPlusStore far(disk);
  const Folder* again = far.folder("bob", "INBOX");
  REQUIRE(again->messages.size() == 4);
  CHECK(again->messages.back().uid == 5);
  CHECK(again->messages.back().internal_date == 0);
}

TEST_CASE("MailboxMailStore: the MDA's delivery and POP3's maildrop on the shared store", "[maildir_plus]") {
  io::MemoryDisk disk;
  MaildirPlusStore s(disk, "mail/", "mx.b.example");
  MailboxMailStore store(s);
  Delivery d;
  d.user = "bob";
  d.envelope_sender = "alice@a.example";
  d.recipient = "bob@b.example";
  d.content = io::make_bytes("Subject: hi\r\n\r\nbody\r\n");
  d.sim_ns = kMinute;
  d.hostname = "mx.b.example";
  d.unique = 7;
  REQUIRE(store.deliver(d) == DeliveryStatus::Ok);
  CHECK(s.folder("bob", "Sent") != nullptr);  // the user's folders were made
  auto listed = store.list("bob");
  REQUIRE(listed.size() == 1);
  CHECK(*listed[0].content ==
        "Return-Path: <alice@a.example>\r\nDelivered-To: bob@b.example\r\nSubject: hi\r\n\r\nbody\r\n");
  CHECK(disk.exists("mail/bob/new/" + listed[0].id));
  Delivery loop = d;
  loop.content = io::make_bytes(*listed[0].content);
  CHECK(store.deliver(loop) == DeliveryStatus::Loop);
  CHECK(store.users() == std::vector<std::string>{"bob"});
  CHECK(store.remove("bob", listed[0].id));
  CHECK_FALSE(store.remove("bob", listed[0].id));
  CHECK(store.list("bob").empty());
  d.user = "../etc";
  CHECK(store.deliver(d) == DeliveryStatus::Error);
}

TEST_CASE("Maildir++: a disk failure at any step changes nothing, and the disk agrees", "[maildir_plus]") {
  // `whole`: the operation changes one folder, so a failure must leave everything as it
  // was; the others make several folders, each whole. In every case a new store object
  // reading the disk must see what the live one shows.
  using Op = std::pair<bool, std::function<StoreResult(MailboxStore&)>>;
  const std::vector<Op> ops = {
      {false, [](MailboxStore& s) { return s.ensure_user("bob", 0); }},
      {true, [](MailboxStore& s) { return s.append("bob", "INBOX", letter("Subject: 1\r\n\r\n", kMinute)); }},
      {true, [](MailboxStore& s) { return s.append("bob", "INBOX", letter("Subject: 2\r\n\r\n", kMinute, Seen, {"$k"})); }},
      {true, [](MailboxStore& s) {
         const Folder* f = s.folder("bob", "INBOX");
         return f ? s.set_flags("bob", f->id, 1, Flagged, 0) : StoreResult::NoSuchFolder;
       }},
      {false, [](MailboxStore& s) { return s.create_folder("bob", "A.B", kMinute); }},
      {true, [](MailboxStore& s) {
         const Folder* f = s.folder("bob", "INBOX");
         return f ? s.copy("bob", f->id, {1, 2}, "A.B", nullptr) : StoreResult::NoSuchFolder;
       }},
      {true, [](MailboxStore& s) {
         const Folder* f = s.folder("bob", "INBOX");
         return f ? s.expunge("bob", f->id, {1}) : StoreResult::NoSuchFolder;
       }},
      {true, [](MailboxStore& s) { return s.rename_folder("bob", "A", "C", kMinute); }},
      {false, [](MailboxStore& s) { return s.rename_folder("bob", "INBOX", "Old", kMinute); }},
      {true, [](MailboxStore& s) { return s.delete_folder("bob", "Old"); }},
  };
  int total = 0;
  {
    FailingDisk count_only(0);
    MaildirPlusStore s(count_only);
    for (const auto& [whole, op] : ops) REQUIRE(op(s) == StoreResult::Ok);
    total = count_only.count;
  }
  for (int fail_at = 1; fail_at <= total; ++fail_at) {
    INFO("failing mutation " << fail_at << " of " << total);
    FailingDisk disk(fail_at);
    MaildirPlusStore s(disk);
    for (const auto& [whole, op] : ops) {
      const Snapshot before = snapshot(s, "bob");
      const StoreResult r = op(s);
      if (r != StoreResult::Ok && whole) CHECK(shown(snapshot(s, "bob")) == shown(before));
    }
    MaildirPlusStore reloaded(disk.inner);
    CHECK(shown(snapshot(reloaded, "bob")) == shown(snapshot(s, "bob")));
  }
}

TEST_CASE("Maildir++ in a real directory reads with Python's mailbox module", "[maildir_plus][python]") {
  if (std::system("python3 -c 'import mailbox' >/dev/null 2>&1") != 0) {
    WARN("python3 not available: skipped");
    return;
  }
  const fs::path dir = fs::temp_directory_path() / ("maillab-maildirplus-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  {
    DirectoryDisk disk(dir);
    MaildirPlusStore s(disk, "", "mx.b.example");
    REQUIRE(s.ensure_user("bob", 0) == StoreResult::Ok);
    REQUIRE(s.create_folder("bob", "Work.Projects", 0) == StoreResult::Ok);
    REQUIRE(s.append("bob", "INBOX", letter("Subject: unread\r\n\r\nhi\r\n", kMinute)) == StoreResult::Ok);
    REQUIRE(s.append("bob", "INBOX", letter("Subject: read\r\n\r\nhi\r\n", kMinute, Seen | Flagged)) ==
            StoreResult::Ok);
    REQUIRE(s.append("bob", "Sent", letter("Subject: sent\r\n\r\nbye\r\n", kMinute, Seen)) == StoreResult::Ok);
    REQUIRE(s.append("bob", "Work.Projects", letter("Subject: deep\r\n\r\n", kMinute, Deleted | Answered,
                                                     {"$Forwarded"})) == StoreResult::Ok);
    for (const auto& d : s.maildir_directories("bob")) fs::create_directories(dir / d);
  }
  const std::string script = std::string(MAILLAB_SOURCE_DIR) + "/tests/scripts/maildir_plus_check.py";
  const int rc = std::system(("python3 " + script + " " + (dir / "bob").string()).c_str());
  fs::remove_all(dir);
  CHECK(rc == 0);
}
