// sim::RecyclingAllocator: blocks freed through it come back to the next allocation of the
// same type on the same thread; objects still behave like make_shared ones.
#include <catch2/catch.hpp>

#include <memory>
#include <thread>
#include <vector>

#include "sim/recycling_allocator.hpp"

using maillab::sim::RecyclingAllocator;

namespace {
struct Counted {
  static inline int live = 0;
  int value;
  explicit Counted(int v) : value(v) { ++live; }
  ~Counted() { --live; }
};

std::shared_ptr<Counted> make(int v) {
  return std::allocate_shared<Counted>(RecyclingAllocator<Counted>(), v);
}
}  // namespace

TEST_CASE("recycled blocks are reused and objects are built and destroyed", "[sim][alloc]") {
  std::vector<std::shared_ptr<Counted>> first;
  for (int i = 0; i < 100; ++i) first.push_back(make(i));
  CHECK(Counted::live == 100);
  std::vector<const void*> blocks;
  for (auto& p : first) blocks.push_back(p.get());
  first.clear();
  CHECK(Counted::live == 0);
  std::vector<std::shared_ptr<Counted>> second;
  for (int i = 0; i < 100; ++i) second.push_back(make(1000 + i));
  // The free list hands the blocks back, last freed first (not under ASan, which must see
  // every block freed).
  for (int i = 0; i < 100; ++i) {
    if (maillab::sim::kRecycleBlocks) CHECK(second[static_cast<std::size_t>(i)].get() == blocks[static_cast<std::size_t>(99 - i)]);
    CHECK(second[static_cast<std::size_t>(i)]->value == 1000 + i);
  }
  // weak_ptr keeps the block (not the object) alive, as with make_shared.
  std::weak_ptr<Counted> w = second.front();
  second.clear();
  CHECK(Counted::live == 0);
  CHECK(w.expired());
}

TEST_CASE("recycled blocks may be freed on another thread", "[sim][alloc]") {
  std::vector<std::shared_ptr<Counted>> made;
  std::thread t([&] {
    for (int i = 0; i < 50; ++i) made.push_back(make(i));
    // This thread's own free list is emptied when it ends.
    for (int i = 0; i < 50; ++i) make(i);
  });
  t.join();
  CHECK(Counted::live == 50);
  made.clear();  // freed here: they join this thread's list
  CHECK(Counted::live == 0);
  auto again = make(7);
  CHECK(again->value == 7);
}
