#include "protocols/mda/counting_store.hpp"

#include <catch2/catch.hpp>

#include "protocols/io/disk.hpp"

using namespace maillab;
using maillab::mda::Delivery;
using maillab::mda::DeliveryStatus;

namespace {

const char* kMessage =
    "From: alice@a.example\r\n"
    "To: bob@b.example\r\n"
    "Subject: hi\r\n"
    "\r\n"
    "line one\r\n";

Delivery delivery(std::string user = "bob", std::string content = kMessage) {
  Delivery d;
  d.user = std::move(user);
  d.envelope_sender = "alice@a.example";
  d.recipient = "bob@b.example";
  d.content = io::make_bytes(std::move(content));
  d.hostname = "mx.b.example";
  return d;
}

}  // namespace

TEST_CASE("count store: counts the delivered bytes a real store would write, keeps nothing") {
  io::MemoryDisk disk;
  auto store = mda::make_store("count", disk);
  REQUIRE(store);
  CHECK(store->kind() == "count");
  REQUIRE(store->deliver(delivery()) == DeliveryStatus::Ok);
  REQUIRE(store->deliver(delivery()) == DeliveryStatus::Ok);
  REQUIRE(store->deliver(delivery("carol")) == DeliveryStatus::Ok);
  auto& counting = static_cast<mda::CountingStore&>(*store);
  const std::size_t one = mda::delivered_content(delivery()).size();
  CHECK(one == std::string(kMessage).size() +
                   std::string("Return-Path: <alice@a.example>\r\nDelivered-To: bob@b.example\r\n").size());
  CHECK(counting.of("bob").messages == 2);
  CHECK(counting.of("bob").bytes == 2 * one);
  CHECK(counting.of("carol").messages == 1);
  CHECK(counting.total().messages == 3);
  CHECK(counting.of("dave").messages == 0);
  CHECK(store->users() == std::vector<std::string>{"bob", "carol"});
  CHECK(store->list("bob").empty());
  CHECK(disk.used_bytes() == 0);
}

TEST_CASE("count store: the same refusals as a real store") {
  io::MemoryDisk disk;
  mda::CountingStore store(disk);
  // Postfix local(8)'s loop check, case-insensitive.
  std::string looped = std::string("Delivered-To: BOB@b.example\r\n") + kMessage;
  CHECK(store.deliver(delivery("bob", looped)) == DeliveryStatus::Loop);
  CHECK(store.deliver(delivery("../etc")) == DeliveryStatus::Error);
  CHECK(store.deliver(delivery("")) == DeliveryStatus::Error);
  disk.set_full(true);
  CHECK(store.deliver(delivery()) == DeliveryStatus::DiskFull);
  disk.set_full(false);
  CHECK(store.total().messages == 0);
  CHECK(store.deliver(delivery()) == DeliveryStatus::Ok);
  CHECK(store.total().messages == 1);
}

TEST_CASE("count store: bad input never crashes") {
  io::MemoryDisk disk;
  mda::CountingStore store(disk);
  for (std::string content : {std::string(), std::string("\r\n"), std::string("no header at all"),
                              std::string("X: \x01\xff\r\n\r\n"), std::string(5000, 'a')}) {
    CHECK(store.deliver(delivery("bob", content)) == DeliveryStatus::Ok);
  }
  CHECK(store.total().messages == 5);
}
