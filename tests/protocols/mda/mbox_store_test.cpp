#include "protocols/mda/mbox_store.hpp"

#include <catch2/catch.hpp>

#include "protocols/io/disk.hpp"

using namespace maillab;
using maillab::mda::Delivery;
using maillab::mda::DeliveryStatus;
using maillab::mda::MboxStore;

namespace {

Delivery delivery(std::string content, uint64_t unique, int64_t sim_ns) {
  Delivery d;
  d.user = "bob";
  d.envelope_sender = "alice@a.example";
  d.recipient = "bob@b.example";
  d.content = io::make_bytes(std::move(content));
  d.sim_ns = sim_ns;
  d.hostname = "mx.b.example";
  d.unique = unique;
  return d;
}

const std::string kPrefix = "Return-Path: <alice@a.example>\r\nDelivered-To: bob@b.example\r\n";

const std::string kTricky =
    "From: alice@a.example\r\n"
    "Subject: quoting\r\n"
    "\r\n"
    "From here\r\n"
    ">From there\r\n"
    ">>From everywhere\r\n"
    "Fromage is not quoted\r\n"
    " From indented\r\n"
    "\r\n";

const std::string kPlain = "From: carol@c.example\r\nSubject: two\r\n\r\nsecond message\r\n";

}  // namespace

TEST_CASE("mbox: mboxrd quoting", "[mbox]") {
  CHECK(MboxStore::quote("From a\n>From b\nFromage\n>>From c\nx From d\n") ==
        ">From a\n>>From b\nFromage\n>>>From c\nx From d\n");
  for (const char* s : {"From a\n>From b\n", "no newline at end From", ">>>From x\n\nFrom\n"})
    CHECK(MboxStore::unquote(MboxStore::quote(s)) == s);
  CHECK(MboxStore::from_line("alice@a.example", 0) == "From alice@a.example Mon Mar  2 09:00:00 2026\n");
  CHECK(MboxStore::from_line("", 0) == "From MAILER-DAEMON Mon Mar  2 09:00:00 2026\n");
}

TEST_CASE("mbox: two messages are written as Postfix does and split back", "[mbox]") {
  io::MemoryDisk disk;
  auto store = mda::make_mbox_store(disk);
  REQUIRE(store->kind() == "mbox");
  REQUIRE(store->deliver(delivery(kTricky, 1, 0)) == DeliveryStatus::Ok);
  REQUIRE(store->deliver(delivery(kPlain, 2, 61'000'000'000)) == DeliveryStatus::Ok);

  const std::string file = *disk.read("mail/bob.mbox");
  CHECK(file ==
        "From alice@a.example Mon Mar  2 09:00:00 2026\n"
        "Return-Path: <alice@a.example>\n"
        "Delivered-To: bob@b.example\n"
        "From: alice@a.example\n"
        "Subject: quoting\n"
        "\n"
        ">From here\n"
        ">>From there\n"
        ">>>From everywhere\n"
        "Fromage is not quoted\n"
        " From indented\n"
        "\n"
        "\n"
        "From alice@a.example Mon Mar  2 09:01:01 2026\n"
        "Return-Path: <alice@a.example>\n"
        "Delivered-To: bob@b.example\n"
        "From: carol@c.example\n"
        "Subject: two\n"
        "\n"
        "second message\n"
        "\n");

  auto msgs = store->list("bob");
  REQUIRE(msgs.size() == 2);
  CHECK(*msgs[0].content == kPrefix + kTricky);
  CHECK(*msgs[1].content == kPrefix + kPlain);
  CHECK(msgs[0].size == msgs[0].content->size());
  CHECK(msgs[0].id != msgs[1].id);
  CHECK(store->users() == std::vector<std::string>{"bob"});
  CHECK(store->list("nobody").empty());
}

TEST_CASE("mbox: remove rewrites the file, ids are stable", "[mbox]") {
  io::MemoryDisk disk;
  MboxStore store(disk, "spool");
  REQUIRE(store.deliver(delivery(kTricky, 1, 0)) == DeliveryStatus::Ok);
  REQUIRE(store.deliver(delivery(kPlain, 2, 0)) == DeliveryStatus::Ok);
  REQUIRE(store.deliver(delivery(kPlain, 3, 0)) == DeliveryStatus::Ok);  // identical entry
  CHECK(store.path("bob") == "spool/bob.mbox");
  auto msgs = store.list("bob");
  REQUIRE(msgs.size() == 3);
  CHECK(msgs[1].id != msgs[2].id);

  CHECK(store.remove("bob", msgs[0].id));
  auto after = store.list("bob");
  REQUIRE(after.size() == 2);
  CHECK(after[0].id == msgs[1].id);  // the others keep their ids
  CHECK(*after[0].content == kPrefix + kPlain);
  CHECK_FALSE(store.remove("bob", msgs[0].id));
  CHECK_FALSE(store.remove("bob", "nope"));

  disk.set_full(true);
  CHECK_FALSE(store.remove("bob", after[1].id));  // a full disk: nothing changes
  CHECK(store.deliver(delivery(kPlain, 4, 0)) == DeliveryStatus::DiskFull);
  CHECK(store.list("bob").size() == 2);
  disk.set_full(false);

  CHECK(store.remove("bob", after[1].id));
  CHECK(store.remove("bob", after[0].id));
  CHECK_FALSE(disk.exists("spool/bob.mbox"));
  CHECK(store.users().empty());
}

TEST_CASE("mbox: odd files and odd content", "[mbox]") {
  io::MemoryDisk disk;
  auto store = mda::make_store("mbox", disk);
  // Leading junk is skipped; a message without the final empty line still reads.
  disk.write("mail/carol.mbox", std::string_view("junk\nFrom x Mon Mar  2 09:00:00 2026\nSubject: a\n\nb"));
  auto msgs = store->list("carol");
  REQUIRE(msgs.size() == 1);
  CHECK(*msgs[0].content == "Subject: a\r\n\r\nb");

  // Content without a final line end, empty content, loops, bad names.
  REQUIRE(store->deliver(delivery("Subject: x\r\n\r\nno end", 1, 0)) == DeliveryStatus::Ok);
  REQUIRE(store->deliver(delivery("", 2, 0)) == DeliveryStatus::Ok);
  auto bob = store->list("bob");
  REQUIRE(bob.size() == 2);
  CHECK(*bob[0].content == kPrefix + "Subject: x\r\n\r\nno end\r\n");
  CHECK(*bob[1].content == kPrefix + "\r\n");
  CHECK(store->deliver(delivery("Delivered-To: bob@b.example\r\n\r\nx\r\n", 3, 0)) == DeliveryStatus::Loop);
  Delivery bad = delivery(kPlain, 4, 0);
  bad.user = "../etc/passwd";
  CHECK(store->deliver(bad) == DeliveryStatus::Error);
  CHECK(store->users() == std::vector<std::string>{"bob", "carol"});
}

TEST_CASE("mbox: a delivery to a folder goes to ROOT/<user>/<folder>, not the inbox", "[mbox]") {
  io::MemoryDisk disk;
  MboxStore store(disk);
  Delivery d = delivery("Subject: x\r\n\r\nbody\r\n", 1, 0);
  d.folder = "Junk";
  REQUIRE(store.deliver(d) == DeliveryStatus::Ok);
  CHECK(disk.exists("mail/bob/Junk"));
  CHECK(store.list("bob").empty());
  CHECK(store.users().empty());
  d.folder = "../bob";
  CHECK(store.deliver(d) == DeliveryStatus::Error);
}
