// sim::EventQueue: the cold paths of the radix heap (see event_queue.hpp).
#include "sim/event_queue.hpp"

#include <algorithm>
#include <cassert>
#include <new>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace maillab::sim {

namespace {

// Slot chunks of 2 MiB and more are aligned to 2 MiB and offered to transparent huge pages:
// each event touches one slot at random in the pool, and with 4 KiB pages a pool of 10^6
// slots (64 MiB) would cost a TLB miss per event (docs/performance.md, "Kernel: hold model").
constexpr std::size_t kHugePage = std::size_t{2} << 20;

void* allocate_chunk(std::size_t bytes) {
  if (bytes < kHugePage) return ::operator new(bytes);
  void* p = ::operator new(bytes, std::align_val_t{kHugePage});
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  ::madvise(p, bytes, MADV_HUGEPAGE);  // advice only: failure changes nothing but speed
#endif
  return p;
}

void free_chunk(void* p, std::size_t bytes) {
  if (bytes < kHugePage) {
    ::operator delete(p);
  } else {
    ::operator delete(p, std::align_val_t{kHugePage});
  }
}

}  // namespace

EventQueue::EventQueue() { std::fill(std::begin(min_), std::end(min_), ~std::uint64_t{0}); }

EventQueue::~EventQueue() {
  for (int k = 0; k < nchunks_; ++k) {
    const std::size_t n = std::size_t{1} << (kChunkBits + k);
    for (std::size_t i = 0; i < n; ++i) chunks_[k][i].~Slot();
    free_chunk(chunks_[k], n * sizeof(Slot));
  }
}

bool EventQueue::cancel(TimerId id) {
  if (!id.valid() || id.slot >= capacity()) return false;
  Slot& sl = slot(id.slot);
  if (sl.gen != id.generation || !sl.cb) return false;
  sl.cb.reset();
  ++sl.gen;
  sl.next_free = free_;
  free_ = id.slot;
  --live_;
  ++stale_;
  // Lazy deletion stays O(1) amortised: sweep once the dead outnumber the living.
  if (stale_ > kSweepFloor && stale_ > live_) sweep();
  return true;
}

TimerId EventQueue::reschedule(TimerId id, Time when, Time now) {
  if (!id.valid() || id.slot >= capacity()) return TimerId{};
  Slot& sl = slot(id.slot);
  if (sl.gen != id.generation || !sl.cb) return TimerId{};
  assert(now >= 0 && when >= now && "scheduling in the past");
  // As cancel(): the old entry goes stale (and a sweep may come at the same point)...
  ++sl.gen;
  ++stale_;
  if (stale_ > kSweepFloor && stale_ > live_ - 1) sweep();
  // ...and as push() right after it, which would take this very slot off the free list.
  const auto key = static_cast<std::uint64_t>(when);
  if (key < last_) [[unlikely]] rewind(static_cast<std::uint64_t>(now));
  insert(Entry{key, id.slot, sl.gen});
  return TimerId{id.slot, sl.gen};
}

void EventQueue::reinsert(Bucket chain, std::uint32_t from, bool live_only) {
  for (Block* blk = chain.head; blk;) {
    const std::uint32_t n = blk == chain.tail ? chain.fill : kBlockEntries;
    for (std::uint32_t i = from; i < n; ++i) {
      const Entry& e = blk->e[i];
      if (!live_only || slot(e.slot).gen == e.gen) insert(e);
    }
    Block* next = blk->next;
    release_block(blk);  // the very next block a bucket needs: still in cache
    blk = next;
    from = 0;
  }
}

bool EventQueue::advance(std::uint64_t limit) {
  if (levels_ & 1u) {
    // Level 0 buckets are exact times: the next one becomes current without moving.
    const std::uint32_t v = lowest(0);
    const std::uint64_t t = (last_ & ~std::uint64_t{0xff}) | v;
    if (t > limit) return false;
    last_ = t;
    cur_ = v;
    head_ = 0;
    return true;
  }
  if (levels_ == 0) return false;
  const auto l = static_cast<std::uint32_t>(__builtin_ctz(levels_));
  const std::uint32_t i = lowest(l);
  if (min_[i] > limit) return false;
  const Bucket chain = buckets_[i];
  buckets_[i] = Bucket{};
  last_ = min_[i];
  min_[i] = ~std::uint64_t{0};
  unmark(i);
  // Every entry agrees with the new last_ above byte l: all land in lower levels, in order.
  reinsert(chain, 0, false);
  cur_ = static_cast<std::uint32_t>(last_ & 0xff);
  head_ = 0;
  return true;
}

// Detaches every bucket and files the entries again around `last`, the current bucket
// first: equal times share a bucket, so (time, sequence) order survives.
void EventQueue::rebuild(std::uint64_t last, bool live_only) {
  if (!detached_) detached_ = std::make_unique<Bucket[]>(kBuckets);
  Bucket* old = detached_.get();  // rare: O(buckets + entries)
  std::copy(std::begin(buckets_), std::end(buckets_), old);
  const std::uint32_t cur = cur_, head = head_;
  std::fill(std::begin(buckets_), std::end(buckets_), Bucket{});
  std::fill(std::begin(min_), std::end(min_), ~std::uint64_t{0});
  std::fill(std::begin(bits_), std::end(bits_), 0);
  levels_ = 0;
  last_ = last;
  cur_ = static_cast<std::uint32_t>(last & 0xff);
  head_ = 0;
  reinsert(old[cur], head, live_only);
  for (std::uint32_t i = 0; i < kBuckets; ++i) {
    if (i != cur) reinsert(old[i], 0, live_only);
  }
}

void EventQueue::rewind(std::uint64_t to) {
  assert(to <= last_);
  rebuild(to, false);
}

void EventQueue::sweep() {
  rebuild(last_, true);
  stale_ = 0;
}

void EventQueue::new_block() {
  constexpr std::size_t n = 64;  // 64 KiB at a time
  blocks_.emplace_back(new Block[n]);
  for (std::size_t i = 0; i < n; ++i) release_block(&blocks_.back()[i]);
}

void EventQueue::grow() {
  assert(nchunks_ < kMaxChunks && "EventQueue: more than 2^32 pending events");
  const int k = nchunks_;
  const std::uint32_t base = capacity();
  const std::uint32_t n = 1u << (kChunkBits + k);
  auto* c = static_cast<Slot*>(allocate_chunk(std::size_t{n} * sizeof(Slot)));
  for (std::uint32_t i = 0; i < n; ++i) {
    ::new (c + i) Slot();
    c[i].next_free = i + 1 == n ? free_ : base + i + 1;
  }
  chunks_[k] = c;
  ++nchunks_;
  free_ = base;
}

}  // namespace maillab::sim
