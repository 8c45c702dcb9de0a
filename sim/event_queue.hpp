// sim::EventQueue: the simulator's pending-event set, a monotone radix heap over the 64-bit
// event time plus a pool of callback slots.
//
// Why a radix heap (measured, see docs/performance.md): the simulation never schedules in
// the past, so the queue may be monotone. Bucket b (1..64) holds the entries whose time
// first differs from the last popped time `last_` at bit b-1; bucket 0 holds those equal
// to `last_`. Popping refills an empty bucket 0 by redistributing the lowest non-empty
// bucket around its minimum; an entry moves down at most log2(delay) times, each move a
// sequential copy of 16 bytes, so the cost per event barely grows with the number pending
// (unlike a binary heap, whose sift paths miss the cache at 10^6 entries).
//
// Invariants:
// - (time, sequence) order with no sequence number stored: an entry's bucket depends only
//   on its time and `last_`, so entries of equal time always share a bucket; buckets are
//   appended to and redistributed in order, and bucket 0 is consumed from the front, so
//   equal-time entries come out in the order they were pushed.
// - Peeking (next_time()) may refill past stale entries and move `last_` beyond the clock
//   when the earliest live event lies in the future; a later push before `last_` (legal:
//   run_until() stopped short of that event) re-buckets everything around the clock once
//   (rewind(), O(n), rare) instead of breaking the monotone invariant.
// - Entries are 16 bytes {time, slot, generation}, kept in 2 KiB blocks that every bucket
//   draws from one free list: a refill hands the blocks it empties straight to the buckets
//   it fills (still in cache), and the number of blocks is bounded by the most entries
//   ever pending (+ one partial block per bucket, reserved up front), so once that has
//   been reached nothing is allocated, however the entries spread over the buckets.
// - The callback lives in a slot of a pool whose chunks never move (a callback may
//   schedule while it runs), with a free list; nothing is allocated per event.
// - A slot's generation changes when its event is popped or cancelled; an entry or a
//   TimerId whose generation differs is stale. Cancelled entries stay in their bucket
//   (lazy deletion) and are skipped when popped; they are swept out when they outnumber
//   the live ones, so a cancel-heavy load cannot grow the queue without bound.
#pragma once

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

#include "sim/simulator.hpp"

namespace maillab::sim {

class EventQueue {
 public:
  static constexpr Time kNever = std::numeric_limits<Time>::max();

  EventQueue();
  ~EventQueue();
  EventQueue(const EventQueue&) = delete;
  EventQueue& operator=(const EventQueue&) = delete;

  // Schedules cb at `when`; `now` (<= when) is the simulator's clock.
  TimerId push(Time when, Time now, Callback&& cb) {
    assert(cb && "scheduling an empty callback");
    assert(now >= 0 && when >= now && "scheduling in the past");
    const auto key = static_cast<std::uint64_t>(when);
    if (key < last_) [[unlikely]] rewind(static_cast<std::uint64_t>(now));
    const std::uint32_t s = alloc_slot();
    Slot& sl = slot(s);
    sl.cb = std::move(cb);
    insert(Entry{key, s, sl.gen});
    ++live_;
    return TimerId{s, sl.gen};
  }

  // True when the event was pending (it will not run); false for a stale or foreign id.
  bool cancel(TimerId id);

  // Removes the earliest live event. Its callback stays in `slot_out` (already stale for
  // cancel()) until finish(): run it with callback(slot_out), then call finish(slot_out).
  bool pop(Time& when, std::uint32_t& slot_out) {
    if (!settle()) return false;
    Block* h = buckets_[0].head;
    const Entry e = h->e[head0_++];
    if (head0_ + kPrefetch < h->count) __builtin_prefetch(&slot(h->e[head0_ + kPrefetch].slot));
    Slot& sl = slot(e.slot);
    ++sl.gen;
    --live_;
    when = static_cast<Time>(e.key);
    slot_out = e.slot;
    return true;
  }
  Callback& callback(std::uint32_t s) { return slot(s).cb; }
  void finish(std::uint32_t s) {
    Slot& sl = slot(s);
    sl.cb.reset();
    sl.next_free = free_;
    free_ = s;
  }

  // Time of the earliest live event, kNever when none (drops stale entries in front).
  Time next_time() {
    return settle() ? static_cast<Time>(buckets_[0].head->e[head0_].key) : kNever;
  }
  std::size_t size() const { return live_; }

 private:
  struct Entry {
    std::uint64_t key;
    std::uint32_t slot;
    std::uint32_t gen;
  };
  static constexpr std::uint32_t kBlockEntries = 127;  // 16 + 127 * 16 = 2048 bytes
  // Blocks that can be partly filled at once: one tail per bucket, bucket 0's consumed
  // head, one in transit during a refill. Allocated together on the first push, so that
  // only growth of the number pending ever allocates blocks again.
  static constexpr std::size_t kPartialBlocks = 65 + 2;
  struct Block {
    Block* next;
    std::uint32_t count;
    Entry e[kBlockEntries];
  };
  struct Bucket {
    Block* head = nullptr;
    Block* tail = nullptr;
  };
  struct Slot {
    Callback cb;
    std::uint32_t gen = 1;
    std::uint32_t next_free = kNoSlot;
  };
  static constexpr std::uint32_t kNoSlot = ~0u;
  static constexpr unsigned kChunkBits = 10;  // the first slot chunk: 1024 slots (64 KiB)
  static constexpr int kMaxChunks = 22;        // 1024 * (2^22 - 1) slots < 2^32
  static constexpr std::uint32_t kPrefetch = 16;
  static constexpr int kBuckets = 65;

  // Chunk k holds 1024 << k slots and starts at slot 1024 * (2^k - 1): the pool doubles
  // without ever moving a slot, and the big chunks sit on huge pages (see grow()).
  Slot& slot(std::uint32_t s) {
    const std::uint32_t u = (s >> kChunkBits) + 1;
    const int k = 31 - __builtin_clz(u);
    return chunks_[k][s - (((1u << k) - 1u) << kChunkBits)];
  }
  std::uint32_t capacity() const { return ((1u << nchunks_) - 1u) << kChunkBits; }

  static int bucket_index(std::uint64_t key, std::uint64_t last) {
    const std::uint64_t x = key ^ last;
    return x == 0 ? 0 : 64 - __builtin_clzll(x);
  }

  void insert(const Entry& e) {
    const int b = bucket_index(e.key, last_);
    Bucket& bk = buckets_[b];
    if (!bk.tail || bk.tail->count == kBlockEntries) [[unlikely]] append_block(bk);
    bk.tail->e[bk.tail->count++] = e;
    if (e.key < min_[b]) min_[b] = e.key;
    if (b != 0) nonempty_ |= std::uint64_t{1} << (b - 1);
  }

  void append_block(Bucket& bk) {
    if (!spare_blocks_) new_block();
    Block* blk = spare_blocks_;
    spare_blocks_ = blk->next;
    blk->next = nullptr;
    blk->count = 0;
    if (bk.tail) {
      bk.tail->next = blk;
    } else {
      bk.head = blk;
    }
    bk.tail = blk;
  }
  void release_block(Block* blk) {
    blk->next = spare_blocks_;
    spare_blocks_ = blk;
  }

  std::uint32_t alloc_slot() {
    if (free_ == kNoSlot) grow();
    const std::uint32_t s = free_;
    free_ = slot(s).next_free;
    return s;
  }

  // Makes bucket 0's entry at head0_ the earliest live entry; false when none is left.
  bool settle() {
    Bucket& z = buckets_[0];
    for (;;) {
      while (Block* h = z.head) {
        for (; head0_ < h->count; ++head0_) {
          const Entry& e = h->e[head0_];
          if (slot(e.slot).gen == e.gen) return true;
          --stale_;
        }
        z.head = h->next;
        if (!z.head) z.tail = nullptr;
        release_block(h);
        head0_ = 0;
      }
      if (nonempty_ == 0) return false;
      refill();
    }
  }

  void refill();   // redistribute the lowest non-empty bucket into the lower ones
  void rewind(std::uint64_t to);  // re-bucket everything around an earlier `last_`
  void sweep();    // drop cancelled entries from every bucket, keeping order
  void rebuild(std::uint64_t last, bool live_only);
  void reinsert(Block* chain, std::uint32_t from, bool live_only);
  void new_block();
  void grow();     // add a chunk of free slots

  Bucket buckets_[kBuckets];
  std::uint64_t min_[kBuckets];  // smallest time in each bucket (saves a pass in refill)
  std::uint32_t head0_ = 0;      // next entry of bucket 0's head block
  std::uint64_t last_ = 0;
  std::uint64_t nonempty_ = 0;   // bit b-1 set when bucket b (1..64) is non-empty
  std::size_t live_ = 0;
  std::size_t stale_ = 0;        // cancelled entries still in buckets
  Block* spare_blocks_ = nullptr;
  std::vector<std::unique_ptr<Block[]>> blocks_;  // owns every block
  Slot* chunks_[kMaxChunks] = {};
  int nchunks_ = 0;
  std::uint32_t free_ = kNoSlot;
};

}  // namespace maillab::sim
