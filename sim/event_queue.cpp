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
// slots (64 MiB) would cost a TLB miss per event (measured: about 30% of the run time).
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
  if (stale_ > 1024 && stale_ > live_) sweep();
  return true;
}

void EventQueue::reinsert(Block* blk, std::uint32_t from, bool live_only) {
  while (blk) {
    for (std::uint32_t i = from; i < blk->count; ++i) {
      const Entry& e = blk->e[i];
      if (!live_only || slot(e.slot).gen == e.gen) insert(e);
    }
    Block* next = blk->next;
    release_block(blk);  // the very next block a bucket needs: still in cache
    blk = next;
    from = 0;
  }
}

// The hot loop of the queue. Buckets below b are all empty (b is the lowest non-empty one
// and bucket 0 was drained), so the destinations are built in local arrays that the
// compiler can keep apart from the entry stores, then published.
void EventQueue::refill() {
  const int b = __builtin_ctzll(nonempty_) + 1;
  Block* chain = buckets_[b].head;
  buckets_[b] = Bucket{};
  const std::uint64_t m = min_[b];
  min_[b] = ~std::uint64_t{0};
  nonempty_ &= ~(std::uint64_t{1} << (b - 1));
  last_ = m;

  Block* heads[kBuckets];
  Block* tails[kBuckets];
  std::uint32_t counts[kBuckets];
  std::uint64_t mins[kBuckets];
  for (int d = 0; d < b; ++d) {
    heads[d] = tails[d] = nullptr;
    counts[d] = kBlockEntries;  // "full": the first entry takes a block
    mins[d] = ~std::uint64_t{0};
  }
  // Every entry lands in a lower bucket (they all agree with m above bit b-1), in order.
  while (chain) {
    const std::uint32_t n = chain->count;
    for (std::uint32_t i = 0; i < n; ++i) {
      const Entry e = chain->e[i];
      const int d = bucket_index(e.key, m);
      if (counts[d] == kBlockEntries) [[unlikely]] {
        if (!spare_blocks_) new_block();
        Block* blk = spare_blocks_;
        spare_blocks_ = blk->next;
        blk->next = nullptr;
        if (tails[d]) {
          tails[d]->count = kBlockEntries;
          tails[d]->next = blk;
        } else {
          heads[d] = blk;
        }
        tails[d] = blk;
        counts[d] = 0;
      }
      tails[d]->e[counts[d]++] = e;
      if (e.key < mins[d]) mins[d] = e.key;
    }
    Block* next = chain->next;
    release_block(chain);  // the very next block a bucket needs: still in cache
    chain = next;
  }
  for (int d = 0; d < b; ++d) {
    if (!heads[d]) continue;
    tails[d]->count = counts[d];
    buckets_[d] = Bucket{heads[d], tails[d]};
    min_[d] = mins[d];
    if (d != 0) nonempty_ |= std::uint64_t{1} << (d - 1);
  }
}

// Detaches every bucket and inserts the entries again around `to`, bucket 0 first then by
// index: equal times share a bucket, so (time, sequence) order survives.
void EventQueue::rebuild(std::uint64_t to, bool live_only) {
  Bucket old[kBuckets];
  std::copy(std::begin(buckets_), std::end(buckets_), std::begin(old));
  const std::uint32_t h0 = head0_;
  std::fill(std::begin(buckets_), std::end(buckets_), Bucket{});
  std::fill(std::begin(min_), std::end(min_), ~std::uint64_t{0});
  head0_ = 0;
  nonempty_ = 0;
  last_ = to;
  for (int b = 0; b < kBuckets; ++b) reinsert(old[b].head, b == 0 ? h0 : 0, live_only);
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
  const std::size_t n = blocks_.empty() ? kPartialBlocks : 64;
  blocks_.emplace_back(new Block[n]);  // default-initialised: no need to clear 128 KiB
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
