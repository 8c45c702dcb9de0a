// sim::SmallFunction<R(Args...), Inline>: a move-only, type-erased callable with inline
// storage (the simulator's Callback). A callable of at most `Inline` bytes whose alignment
// fits and whose move constructor is noexcept lives inside the object: constructing,
// moving and destroying it never allocates. Anything else is boxed on the heap.
//
// Invariants:
// - Move-only (like std::move_only_function); a moved-from SmallFunction is empty.
// - Calling an empty SmallFunction is a local misuse (assert).
// - operator() is const and calls the target as a non-const object, like std::function,
//   so a `mutable` lambda keeps its state between calls.
// - Trivially copyable inline targets (the common case: a lambda capturing pointers and
//   integers) move by memcpy and destroy as a no-op: no indirect call for either.
#pragma once

#include <cassert>
#include <cstddef>
#include <cstring>
#include <new>
#include <type_traits>
#include <utility>

namespace maillab::sim {

// Callbacks up to this many bytes are stored inline (simulator.hpp's kInlineCallback).
inline constexpr std::size_t kInlineCallback = 48;

template <class Sig, std::size_t Inline = kInlineCallback>
class SmallFunction;

template <class R, class... Args, std::size_t Inline>
class SmallFunction<R(Args...), Inline> {
  static constexpr std::size_t kAlign = alignof(void*);

  struct Ops {
    R (*invoke)(void* self, Args&&... args);
    void (*move)(void* dst, void* src) noexcept;  // nullptr: memcpy the buffer
    void (*destroy)(void* self) noexcept;          // nullptr: nothing to do
  };

  template <class F>
  static constexpr bool fits_inline = sizeof(F) <= Inline && alignof(F) <= kAlign &&
                                      std::is_nothrow_move_constructible_v<F>;

  template <class F>
  struct InlineOps {
    static R invoke(void* self, Args&&... args) {
      return (*static_cast<F*>(self))(std::forward<Args>(args)...);
    }
    static void move(void* dst, void* src) noexcept {
      ::new (dst) F(std::move(*static_cast<F*>(src)));
      static_cast<F*>(src)->~F();
    }
    static void destroy(void* self) noexcept { static_cast<F*>(self)->~F(); }
    static constexpr bool kTrivial =
        std::is_trivially_copyable_v<F> && std::is_trivially_destructible_v<F>;
    static constexpr Ops ops{&invoke, kTrivial ? nullptr : &move,
                             kTrivial ? nullptr : &destroy};
  };

  template <class F>
  struct HeapOps {
    static F*& ptr(void* self) { return *static_cast<F**>(self); }
    static R invoke(void* self, Args&&... args) {
      return (*ptr(self))(std::forward<Args>(args)...);
    }
    static void destroy(void* self) noexcept { delete ptr(self); }
    // The buffer holds only the pointer, so moving it is a memcpy.
    static constexpr Ops ops{&invoke, nullptr, &destroy};
  };

 public:
  static constexpr std::size_t kInlineSize = Inline;

  SmallFunction() noexcept = default;
  SmallFunction(std::nullptr_t) noexcept {}

  template <class F, class D = std::decay_t<F>,
            class = std::enable_if_t<!std::is_same_v<D, SmallFunction> &&
                                     std::is_invocable_r_v<R, D&, Args...>>>
  SmallFunction(F&& f) {  // NOLINT(google-explicit-constructor): a callable converts
    if constexpr (std::is_pointer_v<D> || std::is_member_pointer_v<D>) {
      if (f == nullptr) return;
    }
    if constexpr (fits_inline<D>) {
      ::new (static_cast<void*>(buf_)) D(std::forward<F>(f));
      ops_ = &InlineOps<D>::ops;
    } else {
      *reinterpret_cast<D**>(buf_) = new D(std::forward<F>(f));
      ops_ = &HeapOps<D>::ops;
    }
  }

  SmallFunction(SmallFunction&& o) noexcept { take(o); }
  SmallFunction& operator=(SmallFunction&& o) noexcept {
    if (this != &o) {
      reset();
      take(o);
    }
    return *this;
  }
  SmallFunction& operator=(std::nullptr_t) noexcept {
    reset();
    return *this;
  }
  SmallFunction(const SmallFunction&) = delete;
  SmallFunction& operator=(const SmallFunction&) = delete;
  ~SmallFunction() { reset(); }

  explicit operator bool() const noexcept { return ops_ != nullptr; }

  R operator()(Args... args) const {
    assert(ops_ && "calling an empty SmallFunction");
    return ops_->invoke(const_cast<unsigned char*>(buf_), std::forward<Args>(args)...);
  }

  void reset() noexcept {
    if (ops_ && ops_->destroy) ops_->destroy(buf_);
    ops_ = nullptr;
  }

  // Whether a callable of type F would be stored inline (no allocation).
  template <class F>
  static constexpr bool stores_inline = fits_inline<std::decay_t<F>>;

 private:
  void take(SmallFunction& o) noexcept {
    ops_ = o.ops_;
    if (!ops_) return;
    if (ops_->move) {
      ops_->move(buf_, o.buf_);
    } else {
      std::memcpy(buf_, o.buf_, Inline);
    }
    o.ops_ = nullptr;
  }

  alignas(kAlign) unsigned char buf_[Inline];
  const Ops* ops_ = nullptr;
};

}  // namespace maillab::sim
