// mta::QueueStore: the disk store (the MTA's default, the format the lab reads) and the
// memory store behave the same to the queue manager: one test template over both.
// What is checked is what an operator sees: which messages come back after a restart,
// in which state, with which recipients' outcomes and content.
#include "protocols/mta/queue_store.hpp"

#include <catch2/catch.hpp>

#include "protocols/io/disk.hpp"

using namespace maillab;
using namespace maillab::mta;

namespace {

struct OnDisk {
  io::MemoryDisk disk;
  DiskQueueStore store{disk};
  void set_full(bool full) { disk.set_full(full); }
};

struct InMemory {
  MemoryQueueStore store;
  void set_full(bool full) { store.set_full(full); }
};

QueueFile message(std::string id, QueueState state = QueueState::Incoming) {
  QueueFile q;
  q.id = std::move(id);
  q.state = state;
  q.arrival = 5'000'000'000LL;
  q.sender = "alice@a.example";
  q.subject = "Hello";
  q.rcpts.push_back({"bob@b.example", "bob@b.example", RcptState::Pending, "", "", "", false, 0, ""});
  return q;
}

std::vector<QueueFile> load(QueueStore& s) {
  return s.load([](const QueueLoadNote& n) { FAIL("unexpected note about " << n.file); });
}

}  // namespace

TEMPLATE_TEST_CASE("a queue store keeps a new message and gives it back at load", "[mta][queue]", OnDisk,
                   InMemory) {
  TestType t;
  QueueFile q = message("17AQ1");
  REQUIRE(t.store.put_new(q, io::make_bytes("Subject: Hello\r\n\r\nHi\r\n")));
  CHECK(*t.store.content("17AQ1") == "Subject: Hello\r\n\r\nHi\r\n");
  CHECK(t.store.content("NOSUCH") == nullptr);
  auto back = load(t.store);
  REQUIRE(back.size() == 1);
  CHECK(back[0].id == "17AQ1");
  CHECK(back[0].state == QueueState::Incoming);
  CHECK(back[0].sender == "alice@a.example");
  CHECK(back[0].rcpts.at(0).address == "bob@b.example");
}

TEMPLATE_TEST_CASE("a queue store's update moves the envelope to its new state, once", "[mta][queue]", OnDisk,
                   InMemory) {
  TestType t;
  QueueFile q = message("17AQ1");
  REQUIRE(t.store.put_new(q, io::make_bytes("x\r\n")));
  q.state = QueueState::Deferred;
  q.next_attempt = 300 * 1'000'000'000LL;
  q.rcpts[0].status = "4.4.1";
  REQUIRE(t.store.update(q));
  auto back = load(t.store);
  REQUIRE(back.size() == 1);  // not one in incoming and one in deferred
  CHECK(back[0].state == QueueState::Deferred);
  CHECK(back[0].next_attempt == 300 * 1'000'000'000LL);
  CHECK(back[0].rcpts[0].status == "4.4.1");
}

TEMPLATE_TEST_CASE("a queue store that cannot write keeps what it had", "[mta][queue]", OnDisk, InMemory) {
  TestType t;
  QueueFile q = message("17AQ1");
  REQUIRE(t.store.put_new(q, io::make_bytes("x\r\n")));
  t.set_full(true);
  QueueFile other = message("17AQ2");
  CHECK(!t.store.put_new(other, io::make_bytes("y\r\n")));
  q.state = QueueState::Deferred;
  CHECK(!t.store.update(q));
  t.set_full(false);
  auto back = load(t.store);
  REQUIRE(back.size() == 1);
  CHECK(back[0].id == "17AQ1");
  CHECK(back[0].state == QueueState::Incoming);
  CHECK(t.store.content("17AQ2") == nullptr);
}

TEMPLATE_TEST_CASE("a removed message is gone, content and all", "[mta][queue]", OnDisk, InMemory) {
  TestType t;
  QueueFile a = message("17AQ1"), b = message("17AQ2");
  REQUIRE(t.store.put_new(a, io::make_bytes("a\r\n")));
  REQUIRE(t.store.put_new(b, io::make_bytes("b\r\n")));
  a.state = QueueState::Active;
  REQUIRE(t.store.update(a));
  t.store.remove(a);
  CHECK(t.store.content("17AQ1") == nullptr);
  auto back = load(t.store);
  REQUIRE(back.size() == 1);
  CHECK(back[0].id == "17AQ2");
}

TEMPLATE_TEST_CASE("load lists messages by state, then id", "[mta][queue]", OnDisk, InMemory) {
  TestType t;
  QueueFile d = message("B2", QueueState::Deferred), i = message("A1"), a = message("C3", QueueState::Active);
  for (QueueFile* q : {&d, &i, &a}) REQUIRE(t.store.put_new(*q, io::make_bytes("m\r\n")));
  auto back = load(t.store);
  REQUIRE(back.size() == 3);
  CHECK(back[0].id == "C3");  // active/
  CHECK(back[1].id == "B2");  // deferred/
  CHECK(back[2].id == "A1");  // incoming/
}

TEST_CASE("the disk store writes the queue where the lab reads it", "[mta][queue]") {
  OnDisk t;
  QueueFile q = message("17AQ1");
  REQUIRE(t.store.put_new(q, io::make_bytes("x\r\n")));
  CHECK(*t.disk.read("queue/msg/17AQ1") == "x\r\n");
  CHECK(*t.disk.read("queue/incoming/17AQ1") == q.serialize());
  q.state = QueueState::Deferred;
  REQUIRE(t.store.update(q));
  CHECK(!t.disk.exists("queue/incoming/17AQ1"));
  CHECK(*t.disk.read("queue/deferred/17AQ1") == q.serialize());
}

TEST_CASE("the disk store sets damaged files aside and drops orphan content at load", "[mta][queue]") {
  OnDisk t;
  QueueFile good = message("17AQ1"), empty = message("17AQ3");
  REQUIRE(t.store.put_new(good, io::make_bytes("x\r\n")));
  REQUIRE(t.disk.write("queue/deferred/17AQ2", std::string_view("garbage\n")));
  REQUIRE(t.disk.write("queue/incoming/17AQ3", std::string_view(empty.serialize())));
  REQUIRE(t.disk.write("queue/msg/17AQ3", std::string_view("")));
  REQUIRE(t.disk.write("queue/msg/17AQ4", std::string_view("nobody's\r\n")));
  std::vector<std::string> notes;
  auto back = t.store.load([&notes](const QueueLoadNote& n) {
    notes.push_back((n.kind == QueueLoadNote::Kind::Corrupt ? "corrupt " : "orphan ") + n.file + " " + n.moved_to);
  });
  REQUIRE(back.size() == 1);
  CHECK(back[0].id == "17AQ1");
  CHECK(notes == std::vector<std::string>{"corrupt queue/deferred/17AQ2 queue/corrupt/deferred.17AQ2",
                                          "corrupt queue/incoming/17AQ3 queue/corrupt/incoming.17AQ3",
                                          "corrupt queue/msg/17AQ3 queue/corrupt/msg.17AQ3",
                                          "orphan queue/msg/17AQ4 "});
  CHECK(t.disk.exists("queue/corrupt/deferred.17AQ2"));
  CHECK(!t.disk.exists("queue/msg/17AQ4"));
}
