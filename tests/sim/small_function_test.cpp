// sim::SmallFunction: inline storage, boxing, move-only targets, destruction.
#include <catch2/catch.hpp>

#include <array>
#include <memory>
#include <string>

#include "sim/small_function.hpp"

using maillab::sim::SmallFunction;

namespace {

struct Counted {
  int* alive;
  explicit Counted(int* a) : alive(a) { ++*alive; }
  Counted(Counted&& o) noexcept : alive(o.alive) { ++*alive; }
  Counted(const Counted&) = delete;
  ~Counted() { --*alive; }
  int operator()() const { return 7; }
};

}  // namespace

TEST_CASE("SmallFunction calls small lambdas stored inline", "[sim][small_function]") {
  int x = 1;
  auto small = [&x, y = 2] { return x + y; };
  STATIC_REQUIRE(SmallFunction<int()>::stores_inline<decltype(small)>);
  SmallFunction<int()> f = small;
  REQUIRE(f);
  CHECK(f() == 3);
  x = 10;
  CHECK(f() == 12);
}

TEST_CASE("SmallFunction boxes big or throwing-move callables", "[sim][small_function]") {
  std::array<char, 100> big{};
  big[99] = 'z';
  auto l = [big] { return big[99]; };
  STATIC_REQUIRE_FALSE(SmallFunction<char()>::stores_inline<decltype(l)>);
  SmallFunction<char()> f = l;
  SmallFunction<char()> g = std::move(f);
  CHECK_FALSE(f);  // NOLINT(bugprone-use-after-move): moved-from is empty by contract
  CHECK(g() == 'z');
}

TEST_CASE("SmallFunction holds move-only targets and passes arguments", "[sim][small_function]") {
  auto p = std::make_unique<int>(5);
  SmallFunction<int(int, const std::string&)> f = [p = std::move(p)](int a, const std::string& s) {
    return *p + a + static_cast<int>(s.size());
  };
  CHECK(f(1, "abc") == 9);
  SmallFunction<int(int, const std::string&)> g;
  CHECK_FALSE(g);
  g = std::move(f);
  CHECK(g(0, "") == 5);
}

TEST_CASE("SmallFunction destroys its target exactly once", "[sim][small_function]") {
  int alive = 0;
  {
    SmallFunction<int()> f = Counted(&alive);
    CHECK(alive == 1);
    SmallFunction<int()> g = std::move(f);
    CHECK(alive == 1);
    CHECK(g() == 7);
    g = nullptr;
    CHECK(alive == 0);
    SmallFunction<int()> h = Counted(&alive);
    CHECK(alive == 1);
  }
  CHECK(alive == 0);
}

TEST_CASE("SmallFunction keeps a mutable lambda's state", "[sim][small_function]") {
  SmallFunction<int()> f = [n = 0]() mutable { return ++n; };
  CHECK(f() == 1);
  CHECK(f() == 2);
  SmallFunction<int()> g = std::move(f);
  CHECK(g() == 3);
}

TEST_CASE("SmallFunction accepts function pointers", "[sim][small_function]") {
  int (*fp)() = [] { return 4; };
  SmallFunction<int()> f = fp;
  CHECK(f() == 4);
  int (*null)() = nullptr;
  SmallFunction<int()> g = null;
  CHECK_FALSE(g);
}
