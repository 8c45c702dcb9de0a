#include "protocols/mda/maildir_store.hpp"

#include <catch2/catch.hpp>

#include "mda_test_support.hpp"
#include "protocols/mda/maildir_plus_store.hpp"
#include "protocols/io/disk.hpp"
#include "protocols/message/date.hpp"
#include "protocols/message/message.hpp"

using namespace maillab;
using maillab::mda::Delivery;
using maillab::mda::DeliveryStatus;
using maillab::mda::test::FailingDisk;

namespace {

const char* kMessage =
    "From: alice@a.example\r\n"
    "To: bob@b.example\r\n"
    "Subject: hi\r\n"
    "\r\n"
    "line one\r\n"
    "From here\r\n"
    "\r\n";

Delivery delivery(uint64_t unique, int64_t sim_ns) {
  Delivery d;
  d.user = "bob";
  d.envelope_sender = "alice@a.example";
  d.recipient = "bob@b.example";
  d.content = io::make_bytes(kMessage);
  d.sim_ns = sim_ns;
  d.hostname = "mx.b.example";
  d.unique = unique;
  return d;
}

const std::string kPrefix = "Return-Path: <alice@a.example>\r\nDelivered-To: bob@b.example\r\n";


}  // namespace

TEST_CASE("Maildir: two deliveries land in new/ under distinct names", "[maildir]") {
  io::MemoryDisk disk;
  auto store = mda::make_maildir_store(disk);
  REQUIRE(store->kind() == "maildir");
  REQUIRE(store->deliver(delivery(1, 0)) == DeliveryStatus::Ok);
  REQUIRE(store->deliver(delivery(2, 1'500'000)) == DeliveryStatus::Ok);  // 1.5 ms later

  auto files = disk.list("mail/bob/new/");
  REQUIRE(files.size() == 2);
  CHECK(files[0] != files[1]);
  CHECK(disk.list("mail/bob/tmp/").empty());
  const std::string lf_size = std::to_string(disk.read(files[0])->size());
  CHECK(files[0].rfind("mail/bob/new/1772442000.M0P1Q1.mx.b.example,S=" + lf_size + ",W=", 0) == 0);
  CHECK(files[1].rfind("mail/bob/new/1772442000.M1500P2Q2.mx.b.example,S=", 0) == 0);

  // Files on disk use LF line ends and carry the delivery headers.
  const std::string& raw = *disk.read(files[0]);
  CHECK(raw.find('\r') == std::string::npos);
  CHECK(raw.rfind("Return-Path: <alice@a.example>\nDelivered-To: bob@b.example\nFrom: alice", 0) == 0);

  auto msgs = store->list("bob");
  REQUIRE(msgs.size() == 2);
  for (const auto& m : msgs) {
    CHECK(*m.content == kPrefix + kMessage);
    CHECK(m.size == m.content->size());
    message::Message parsed = message::Message::parse(*m.content);
    CHECK(parsed.header("Return-Path") == std::string("<alice@a.example>"));
    CHECK(parsed.header("Delivered-To") == std::string("bob@b.example"));
  }
  CHECK(msgs[0].id != msgs[1].id);
  CHECK(msgs[0].id.find("Q1.") != std::string::npos);  // oldest first
  CHECK(files[0].find(",W=" + std::to_string(msgs[0].size)) != std::string::npos);
  CHECK(store->users() == std::vector<std::string>{"bob"});
}

TEST_CASE("Maildir: remove, cur/ files and ordering", "[maildir]") {
  io::MemoryDisk disk;
  mda::MaildirStore store(disk, "var/mail");
  for (uint64_t u = 1; u <= 11; ++u) REQUIRE(store.deliver(delivery(u, int64_t(u) * 100'000)) == DeliveryStatus::Ok);
  auto msgs = store.list("bob");
  REQUIRE(msgs.size() == 11);
  // Numeric, not lexicographic, order (M1000000 after M900000... and Q10 after Q9).
  for (std::size_t i = 1; i < msgs.size(); ++i) CHECK(msgs[i].id.find("Q" + std::to_string(i + 1) + ".") != std::string::npos);

  // A reader moved one message to cur/ with flags: still listed under the same id.
  const std::string id = msgs[3].id;
  auto path = disk.list(store.folder("bob", "new") + id);
  REQUIRE(path.size() == 1);
  REQUIRE(disk.rename(path[0], store.folder("bob", "cur") + path[0].substr(path[0].rfind('/') + 1) + ":2,S"));
  auto again = store.list("bob");
  REQUIRE(again.size() == 11);
  CHECK(again[3].id == id);

  CHECK(store.remove("bob", id));
  CHECK_FALSE(store.remove("bob", id));
  CHECK(store.remove("bob", msgs[0].id));
  CHECK(store.list("bob").size() == 9);
  CHECK_FALSE(store.remove("bob", "nonexistent"));
  CHECK_FALSE(store.remove("../bob", msgs[1].id));
}

TEST_CASE("Maildir: a full disk leaves nothing behind", "[maildir]") {
  io::MemoryDisk disk;
  auto store = mda::make_maildir_store(disk);
  disk.set_full(true);
  CHECK(store->deliver(delivery(1, 0)) == DeliveryStatus::DiskFull);
  CHECK(disk.list("mail/").empty());
  CHECK(store->list("bob").empty());
  disk.set_full(false);
  CHECK(store->deliver(delivery(1, 0)) == DeliveryStatus::Ok);
  CHECK(store->list("bob").size() == 1);

  // Fail each mutation in turn: either delivered (new/ only) or nothing at all.
  for (int fail_at = 1; fail_at <= 3; ++fail_at) {
    FailingDisk fd(fail_at);
    mda::MaildirStore s(fd);
    DeliveryStatus st = s.deliver(delivery(7, 0));
    INFO("fail_at " << fail_at);
    CHECK(fd.inner.list("mail/bob/tmp/").empty());
    if (st == DeliveryStatus::Ok) {
      CHECK(fd.inner.list("mail/bob/new/").size() == 1);
    } else {
      CHECK(st == DeliveryStatus::DiskFull);
      CHECK(fd.inner.list("mail/").empty());
    }
  }
}

TEST_CASE("Maildir: bad user names, loops, null sender", "[maildir]") {
  io::MemoryDisk disk;
  auto store = mda::make_store("maildir", disk);
  REQUIRE(store);
  CHECK_FALSE(mda::make_store("mh", disk));
  for (const char* bad : {"", ".", "..", "a/b", "tab\there"}) {
    Delivery d = delivery(1, 0);
    d.user = bad;
    CHECK(store->deliver(d) == DeliveryStatus::Error);
  }
  CHECK(disk.list("").empty());

  Delivery looped = delivery(2, 0);
  looped.content = io::make_bytes("Delivered-To: BOB@b.example\r\n" + *looped.content);
  CHECK(store->deliver(looped) == DeliveryStatus::Loop);

  Delivery bounce = delivery(3, 0);
  bounce.envelope_sender = "";
  REQUIRE(store->deliver(bounce) == DeliveryStatus::Ok);
  auto msgs = store->list("bob");
  REQUIRE(msgs.size() == 1);
  CHECK(msgs[0].content->rfind("Return-Path: <>\r\nDelivered-To: bob@b.example\r\n", 0) == 0);
  CHECK(mda::to_string(DeliveryStatus::DiskFull) == "disk full");
}

TEST_CASE("maildir: a delivery to a folder is a Maildir++ folder Dovecot reads; the inbox does not list it",
          "[maildir]") {
  io::MemoryDisk disk;
  mda::MaildirStore store(disk);
  Delivery junk = delivery(1, 0);
  junk.folder = "Junk";
  REQUIRE(store.deliver(junk) == DeliveryStatus::Ok);
  CHECK(disk.exists("mail/bob/.Junk/maildirfolder"));
  CHECK(disk.list("mail/bob/.Junk/new/").size() == 1);
  CHECK(store.list("bob").empty());  // POP3 sees the inbox only
  REQUIRE(store.deliver(delivery(2, 1)) == DeliveryStatus::Ok);
  CHECK(store.list("bob").size() == 1);
  // A second message to the folder keeps its marker.
  junk.unique = 3;
  REQUIRE(store.deliver(junk) == DeliveryStatus::Ok);
  CHECK(disk.list("mail/bob/.Junk/new/").size() == 2);
  // The lab's IMAP store reads the folder where it was written.
  mda::MaildirPlusStore imap(disk, "mail/", "mx.b.example");
  const mda::Folder* folder = imap.folder("bob", "Junk");
  REQUIRE(folder);
  CHECK(folder->messages.size() == 2);
  for (const char* bad : {"../x", "a/b", ".", "J.unk", ""}) {
    Delivery d = delivery(4, 2);
    d.folder = bad;
    if (*bad) CHECK(store.deliver(d) == DeliveryStatus::Error);
  }
}
