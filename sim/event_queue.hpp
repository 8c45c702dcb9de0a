// sim::EventQueue: the simulator's pending-event set, a monotone radix heap over the 64-bit
// event time with one byte per level (a hierarchical timing wheel that keeps exact times),
// plus a pool of callback slots.
//
// Why (measured, see docs/performance.md): the simulation never schedules in the past, so
// the queue may be monotone. An entry is filed by the highest byte in which its time
// differs from `last_` (the time of the current bucket): level l = that byte's index,
// bucket = the entry's own byte l. At level 0 a bucket therefore holds one exact time.
// Popping consumes the current level-0 bucket; when it is empty the next non-empty level-0
// bucket becomes current as is (no entry moves); only when level 0 is exhausted is the
// lowest bucket of the lowest non-empty level redistributed around its minimum. An entry
// moves at most once per byte its delay spans: none for most sub-256 ns delays, two or
// three for the milliseconds to seconds of a mail network, and the cost per event barely
// grows with the number pending (a binary heap's sift paths miss the cache at 10^6).
// The alternatives measured: docs/performance.md "Why a byte-digit radix heap".
//
// Invariants:
// - (time, sequence) order with no sequence number stored: an entry's bucket depends only
//   on its time and `last_`, and moving `last_` forward never changes the bucket of an
//   entry that is not redistributed; so entries of equal time always share a bucket.
//   Buckets are appended to and redistributed in order and consumed from the front, so
//   equal-time entries come out in the order they were pushed.
// - Peeking with next_time() may move `last_` beyond the clock when the earliest live
//   event lies in the future; a later push before `last_` re-files everything around the
//   clock once (rewind(), O(n), rare). run_until() peeks with due_by(), which never does.
// - Entries are 16 bytes {time, slot, generation}, kept in 1 KiB blocks that every bucket
//   draws from one free list: the blocks a refill empties go straight to the buckets it
//   fills, and the number of blocks is bounded by the entries pending plus one partial
//   block per non-empty bucket, so a steady load stops allocating once warm.
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
  // Moves a pending event to `when` with its callback: exactly cancel(id) followed by a
  // push of the same callback (same slot, same order among equal times), without moving
  // the callback out and back. An invalid id when `id` was not pending (nothing changes).
  TimerId reschedule(TimerId id, Time when, Time now);

  // Removes the earliest live event. Its callback stays in `slot_out` (already stale for
  // cancel()) until finish(): run it with callback(slot_out), then call finish(slot_out).
  bool pop(Time& when, std::uint32_t& slot_out) {
    if (!settle()) return false;
    const Bucket& z = buckets_[cur_];
    const Block* h = z.head;
    const Entry e = h->e[head_++];
    // The slot pool is far bigger than the caches at 10^6 pending and the current bucket
    // visits it in random order: fetch the slot of the entry kPrefetch ahead now. (Written
    // out here: GCC drops a prefetch-only helper as a pure function with no result.)
    {
      std::uint32_t p = head_ + kPrefetch;
      std::uint32_t n = h == z.tail ? z.fill : kBlockEntries;
      if (p >= n && h != z.tail) {
        p -= n;
        h = h->next;
        n = h == z.tail ? z.fill : kBlockEntries;
      }
      if (p < n) __builtin_prefetch(&slot(h->e[p].slot));
    }
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
    return settle() ? static_cast<Time>(buckets_[cur_].head->e[head_].key) : kNever;
  }
  // Whether a live event is due at or before `end`. Unlike next_time(), never moves
  // `last_` past `end`, so run_until() leaves the queue ready for pushes from `end` on.
  bool due_by(Time end) {
    return end >= 0 && settle(static_cast<std::uint64_t>(end)) &&
           buckets_[cur_].head->e[head_].key <= static_cast<std::uint64_t>(end);
  }
  std::size_t size() const { return live_; }

 private:
  struct Entry {
    std::uint64_t key;
    std::uint32_t slot;
    std::uint32_t gen;
  };
  static constexpr std::uint32_t kBlockEntries = 63;  // 16 + 63 * 16 = 1024 bytes
  struct Block {
    Block* next;
    std::uint64_t unused;  // keeps the entries 16-byte aligned in a 1 KiB block
    Entry e[kBlockEntries];
  };
  // Every block of a bucket is full but the tail, which holds `fill` entries. The fill
  // lives here, not in the block, so that filing an entry touches the (small, hot) bucket
  // array and one entry line, not also the tail block's header line.
  struct Bucket {
    Block* head = nullptr;
    Block* tail = nullptr;
    std::uint32_t fill = kBlockEntries;  // "full" while empty: the first entry takes a block
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
  // Cancelled entries tolerated before a sweep is considered (128 KiB of entries): a sweep
  // re-files every entry, live ones too, so with few events pending a low floor made it
  // cost more per cancel than the cancel itself (session timeouts re-armed per exchange).
  static constexpr std::size_t kSweepFloor = 8192;
  static constexpr int kLevels = 8;            // one per byte of the time
  static constexpr int kFan = 256;
  static constexpr int kBuckets = kLevels * kFan;

  // Chunk k holds 1024 << k slots and starts at slot 1024 * (2^k - 1): the pool doubles
  // without ever moving a slot, and the big chunks sit on huge pages (see grow()).
  Slot& slot(std::uint32_t s) {
    const std::uint32_t u = (s >> kChunkBits) + 1;
    const int k = 31 - __builtin_clz(u);
    return chunks_[k][s - (((1u << k) - 1u) << kChunkBits)];
  }
  std::uint32_t capacity() const { return ((1u << nchunks_) - 1u) << kChunkBits; }

  // level * 256 + the entry's byte at that level
  std::uint32_t bucket_of(std::uint64_t key) const {
    const std::uint64_t x = key ^ last_;
    const int level = x == 0 ? 0 : (63 - __builtin_clzll(x)) >> 3;
    return static_cast<std::uint32_t>(level * kFan) +
           static_cast<std::uint32_t>((key >> (8 * level)) & 0xff);
  }

  void mark(std::uint32_t i) {
    bits_[i >> 6] |= std::uint64_t{1} << (i & 63);
    levels_ |= 1u << (i >> 8);
  }
  void unmark(std::uint32_t i) {
    bits_[i >> 6] &= ~(std::uint64_t{1} << (i & 63));
    const std::uint32_t l = i >> 8;
    const std::uint64_t* w = &bits_[l * 4];
    if ((w[0] | w[1] | w[2] | w[3]) == 0) levels_ &= ~(1u << l);
  }
  // Lowest non-empty bucket of level l (which must have one).
  std::uint32_t lowest(std::uint32_t l) const {
    for (std::uint32_t k = l * 4;; ++k) {
      if (bits_[k]) return k * 64 + static_cast<std::uint32_t>(__builtin_ctzll(bits_[k]));
    }
  }

  void insert(const Entry& e) {
    const std::uint32_t i = bucket_of(e.key);
    Bucket& bk = buckets_[i];
    if (bk.fill == kBlockEntries) [[unlikely]] {
      if (!bk.tail) mark(i);
      append_block(bk);
    }
    bk.tail->e[bk.fill++] = e;
    if (e.key < min_[i]) min_[i] = e.key;
  }

  void append_block(Bucket& bk) {
    if (!spare_blocks_) new_block();
    Block* blk = spare_blocks_;
    spare_blocks_ = blk->next;
    blk->next = nullptr;
    if (bk.tail) {
      bk.tail->next = blk;
    } else {
      bk.head = blk;
    }
    bk.tail = blk;
    bk.fill = 0;
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

  // Makes the current bucket's entry at head_ the earliest live entry; false when none,
  // or when reaching it would move `last_` beyond `limit`.
  bool settle(std::uint64_t limit = ~std::uint64_t{0}) {
    for (;;) {
      Bucket& z = buckets_[cur_];
      while (Block* h = z.head) {
        const std::uint32_t n = h == z.tail ? z.fill : kBlockEntries;
        for (; head_ < n; ++head_) {
          const Entry& e = h->e[head_];
          if (slot(e.slot).gen == e.gen) return true;
          --stale_;
        }
        head_ = 0;
        if (h == z.tail) {
          z = Bucket{};
          min_[cur_] = ~std::uint64_t{0};
          unmark(cur_);
        } else {
          z.head = h->next;
        }
        release_block(h);
      }
      if (!advance(limit)) return false;
    }
  }

  // Makes the next non-empty bucket current; false when there is none or it lies past
  // `limit`.
  bool advance(std::uint64_t limit);
  void rewind(std::uint64_t to);  // re-file everything around an earlier `last_`
  void sweep();    // drop cancelled entries from every bucket, keeping order
  void rebuild(std::uint64_t last, bool live_only);
  void reinsert(Bucket chain, std::uint32_t from, bool live_only);
  void new_block();
  void grow();     // add a chunk of free slots

  Bucket buckets_[kBuckets];
  std::uint64_t min_[kBuckets];   // smallest time in each bucket
  std::uint64_t bits_[kBuckets / 64] = {};  // non-empty buckets
  std::uint32_t levels_ = 0;      // bit l set when level l has a non-empty bucket
  std::uint32_t cur_ = 0;         // the current bucket: level 0, byte = last_ & 0xff
  std::uint32_t head_ = 0;        // next entry of the current bucket's head block
  std::uint64_t last_ = 0;
  std::size_t live_ = 0;
  std::size_t stale_ = 0;         // cancelled entries still in buckets
  Block* spare_blocks_ = nullptr;
  std::vector<std::unique_ptr<Block[]>> blocks_;  // owns every block
  std::unique_ptr<Bucket[]> detached_;  // rebuild()'s scratch, kept once allocated
  Slot* chunks_[kMaxChunks] = {};
  int nchunks_ = 0;
  std::uint32_t free_ = kNoSlot;
};

}  // namespace maillab::sim
