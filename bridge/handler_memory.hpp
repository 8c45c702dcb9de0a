// bridge::HandlerMemory: room for one Asio operation at a time, so that a connection's
// read and its write each reuse one block instead of a malloc and a free per operation
// (Asio's "custom memory allocation" example). bind_memory(memory, handler) wraps a
// handler so that its associated allocator takes from `memory`; a request that does not
// fit, or that comes while the block is taken, goes to operator new as usual.
//
// Invariants: the memory outlives every operation that uses it (AsioConnection's handlers
// hold a shared_ptr to the connection that owns it). Asio frees an operation's memory
// before it calls the handler (a copy of it), so the block is free again when the handler
// starts the next operation. One thread only, like the rest of the bridge.
#pragma once

#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>

namespace maillab::bridge {

class HandlerMemory {
 public:
  HandlerMemory() = default;
  HandlerMemory(const HandlerMemory&) = delete;
  HandlerMemory& operator=(const HandlerMemory&) = delete;

  void* allocate(std::size_t size) {
    if (!in_use_ && size <= sizeof(storage_)) {
      in_use_ = true;
      return &storage_;
    }
    return ::operator new(size);
  }
  void deallocate(void* p) {
    if (p == static_cast<void*>(&storage_)) {
      in_use_ = false;
    } else {
      ::operator delete(p);
    }
  }

 private:
  // A socket receive or a composed write with its handler is about 200-300 bytes here.
  alignas(std::max_align_t) unsigned char storage_[512];
  bool in_use_ = false;
};

template <class T>
class HandlerAllocator {
 public:
  using value_type = T;
  explicit HandlerAllocator(HandlerMemory& m) noexcept : memory_(&m) {}
  template <class U>
  HandlerAllocator(const HandlerAllocator<U>& other) noexcept : memory_(other.memory_) {}

  T* allocate(std::size_t n) { return static_cast<T*>(memory_->allocate(sizeof(T) * n)); }
  void deallocate(T* p, std::size_t) noexcept { memory_->deallocate(p); }

  template <class U>
  bool operator==(const HandlerAllocator<U>& o) const noexcept { return memory_ == o.memory_; }
  template <class U>
  bool operator!=(const HandlerAllocator<U>& o) const noexcept { return memory_ != o.memory_; }

 private:
  template <class>
  friend class HandlerAllocator;
  HandlerMemory* memory_;
};

template <class Handler>
class MemoryHandler {
 public:
  using allocator_type = HandlerAllocator<Handler>;
  MemoryHandler(HandlerMemory& m, Handler h) : memory_(&m), handler_(std::move(h)) {}
  allocator_type get_allocator() const noexcept { return allocator_type(*memory_); }
  template <class... Args>
  void operator()(Args&&... args) {
    handler_(std::forward<Args>(args)...);
  }

 private:
  HandlerMemory* memory_;
  Handler handler_;
};

template <class Handler>
MemoryHandler<std::decay_t<Handler>> bind_memory(HandlerMemory& m, Handler&& h) {
  return MemoryHandler<std::decay_t<Handler>>(m, std::forward<Handler>(h));
}

}  // namespace maillab::bridge
