// sim::RecyclingAllocator<T>: a stateless allocator for std::allocate_shared that keeps
// freed single-object blocks on a per-thread free list and hands them out again. For the
// objects every connection makes and drops (the stream handles and the runtime's
// connections, four per connection): malloc + free cost ~200 instructions a pair, a
// free-list pop + push about 10.
//
// Invariants:
// - One free list per block type and thread; a block freed on another thread than the one
//   that made it joins that thread's list (blocks come from ::operator new either way).
// - The lists hold at most the peak number of live objects of their type and give the
//   blocks back when their thread ends; a block freed after that goes to ::operator delete.
#pragma once

#include <cstddef>
#include <new>

namespace maillab::sim {

// Under AddressSanitizer blocks are not recycled: a use after free must stay visible.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kRecycleBlocks = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kRecycleBlocks = false;
#else
inline constexpr bool kRecycleBlocks = true;
#endif
#else
inline constexpr bool kRecycleBlocks = true;
#endif

template <class T>
class RecyclingAllocator {
 public:
  using value_type = T;

  RecyclingAllocator() = default;
  template <class U>
  RecyclingAllocator(const RecyclingAllocator<U>&) {}  // NOLINT: rebinding, as std::allocator

  T* allocate(std::size_t n) {
    static_assert(sizeof(T) >= sizeof(void*) && alignof(T) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__);
    if (n == 1 && list_.head) {
      Node* p = list_.head;
      list_.head = p->next;
      return reinterpret_cast<T*>(p);
    }
    if (!list_.kept) {
      // The first block of this type on this thread: arrange for the list to be emptied
      // when the thread ends.
      static thread_local Reaper reaper;
      list_.kept = true;
    }
    return static_cast<T*>(::operator new(n * sizeof(T)));
  }

  void deallocate(T* p, std::size_t n) noexcept {
    if (kRecycleBlocks && n == 1 && list_.kept && !list_.reaped) {
      Node* node = reinterpret_cast<Node*>(p);
      node->next = list_.head;
      list_.head = node;
      return;
    }
    ::operator delete(p);
  }

  template <class U>
  bool operator==(const RecyclingAllocator<U>&) const { return true; }

 private:
  struct Node {
    Node* next;
  };
  // Trivially destructible, so usable at any time of the thread's life (even from other
  // thread-local destructors); the Reaper gives the blocks back.
  struct FreeList {
    Node* head;
    bool kept;    // the Reaper is registered
    bool reaped;  // the thread is ending: free, do not keep
  };
  struct Reaper {
    ~Reaper() {
      list_.reaped = true;
      while (Node* p = list_.head) {
        list_.head = p->next;
        ::operator delete(p);
      }
    }
  };
  static inline thread_local FreeList list_{};
};

}  // namespace maillab::sim
